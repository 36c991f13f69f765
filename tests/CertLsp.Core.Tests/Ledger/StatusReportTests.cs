using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;

namespace CertLsp.Core.Tests.Ledger;

public sealed class StatusReportTests
{
    [Fact]
    public void Devices_are_sorted_by_urgency()
    {
        var now = new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
        string manifest = "site: S\nsubject: { country: DE, state: B, locality: M, organization: O, organizationalUnit: U }\ndevices:\n"
            + string.Join("", new[] { "valid", "never", "pending", "expired", "soon", "revoked" }.Select(n => $"  - name: {n}\n"));
        IssuedCertificate Cert(int daysLeft, DateTimeOffset? revoked = null) =>
            new("01", "CN=CA", now.AddDays(-300), now.AddDays(daysLeft).AddHours(1), "sha256:c", "sha256:k", revoked);
        var ledger = SiteLedger.Empty
            .With(new LedgerEntry("valid", "valid", null, Cert(200)))
            .With(new LedgerEntry("pending", "pending", new PendingRequest("sha256:p", now.AddDays(-3), "z.zip"), null))
            .With(new LedgerEntry("expired", "expired", null, Cert(-5)))
            .With(new LedgerEntry("soon", "soon", null, Cert(10)))
            .With(new LedgerEntry("revoked", "revoked", null, Cert(100, now.AddDays(-1))));
        var rows = StatusReport.For(ManifestDocument.Parse("s.site.yaml", manifest).Manifest!, ledger, now);
        Assert.Equal(["revoked", "expired", "soon", "never", "pending", "valid"], rows.Select(r => r.Device));
        Assert.True(rows[2].ExpiresSoon);
        Assert.Equal(10, rows[2].DaysLeft);
        Assert.Equal(CertificateStatus.None, rows[3].Status);
        Assert.Equal(now.AddDays(-3), rows[4].PendingSince);
    }
}
