using System.Text.Json;
using CertLsp.Cli.Commands;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Certificates;
using Xunit;

namespace CertLsp.Cli.Tests.Commands;

/// <summary>What `certlsp import` and `status` tell the engineer about an answer of a real OpenSSL CA.</summary>
public sealed class ImportReportCommandTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [NeedsFact(Needs.OpenSsl)]
    public async Task An_expired_crl_is_said_in_the_import_report_and_in_status_and_strict_crl_refuses_it()
    {
        using var site = await OpenSslSite.CreateAsync(devices: 2);
        string zip = site.Zip("signed.zip", ("dev-01.crt", site.Ca.Sign(site.Csr(1))), ("dev-02.crt", site.Ca.Sign(site.Csr(2))));
        var next = DateTimeOffset.UtcNow.AddDays(-3);
        string crl = site.Ca.Crl(next.AddDays(-7), next);
        string nextText = Core.Ledger.LedgerFormat.Time(next.AddTicks(-(next.Ticks % TimeSpan.TicksPerSecond)));

        var strict = await Cli.RunAsync("import", site.Site.ManifestPath, zip, "--crl", crl, "--strict-crl");
        Assert.Equal(2, strict.Exit);
        Assert.Contains(
            $"certlsp: the CRL {Path.GetFileName(crl)} expired on {nextText} (its nextUpdate), and strict CRL checking refuses an " +
            $"expired CRL: nothing was imported", strict.Stderr);
        Assert.DoesNotContain("certificate-serial", File.Exists(site.Site.LedgerPath) ? File.ReadAllText(site.Site.LedgerPath) : "");

        var import = await Cli.RunAsync("import", site.Site.ManifestPath, zip, "--crl", crl);
        Assert.Equal(0, import.Exit);
        Assert.Contains(
            $"certlsp: warning: the CRL {Path.GetFileName(crl)} expired on {nextText} (its nextUpdate): it is no proof that a " +
            $"certificate it does not list is not revoked", import.Stderr);
        Assert.Contains(
            $"(dev-01): accepted; bundle dev-01.chain.pem, dev-01.p12; not proven unrevoked: the CRL of its issuer expired on {nextText}",
            import.Stdout);

        var status = await Cli.RunAsync("status", site.Site.ManifestPath);
        Assert.Equal(0, status.Exit);
        Assert.Equal(2, status.Stdout.Split('\n').Count(l =>
            l.Contains($"valid (not proven unrevoked: CRL expired {nextText[..10]})", StringComparison.Ordinal)));
        var json = JsonDocument.Parse((await Cli.RunAsync("status", site.Site.ManifestPath, "--format", "json")).Stdout);
        Assert.All(json.RootElement.EnumerateArray(), row => Assert.Equal(nextText, row.GetProperty("crlExpired").GetString()));
    }

    [NeedsFact(Needs.OpenSsl)]
    public async Task An_import_that_records_nothing_says_ledger_unchanged_and_leaves_the_file_alone()
    {
        using var site = await OpenSslSite.CreateAsync(devices: 1);
        var first = await Cli.RunAsync("import", site.Site.ManifestPath, site.Zip("signed.zip", ("dev-01.crt", site.Ca.Sign(site.Csr(1)))));
        Assert.Equal(0, first.Exit);
        Assert.Contains("Ledger updated:", first.Stdout);
        byte[] before = File.ReadAllBytes(site.Site.LedgerPath);

        // A year later (the certificate has expired since the ledger was written), an answer whose only certificate is rejected.
        using var other = new OpenSslCa("Another CA");
        string rejected = site.Zip("other.zip", ("dev-01.crt", other.Sign(site.Csr(1))));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await ImportCommand.RunAsync(site.Site.ManifestPath, rejected,
            new ImportOptions { Clock = new FixedClock(DateTimeOffset.UtcNow.AddDays(400)) }, stdout, stderr);
        Assert.Equal(1, exit);
        Assert.Contains("Summary: 0 accepted, 0 already imported, 1 rejected", stdout.ToString());
        Assert.DoesNotContain("Ledger updated", stdout.ToString());
        Assert.Contains("Ledger unchanged.", stdout.ToString());
        Assert.Equal(before, File.ReadAllBytes(site.Site.LedgerPath));
    }
}
