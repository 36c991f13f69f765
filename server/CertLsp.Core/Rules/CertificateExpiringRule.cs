using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>CL0403: the certificate expires within the warning window ("certificates.warningDays", default 30).</summary>
public sealed class CertificateExpiringRule : ILedgerRule
{
    public void Check(SiteManifest manifest, LedgerContext context, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        int window = manifest.Certificates.WarningDayCount;
        foreach (var (device, entry) in LedgerDevices.Of(manifest, context.Ledger))
        {
            if (entry.Certificate is not { IsRevoked: false } c || context.Now > c.NotAfter) continue;
            int daysLeft = DaysLeft(c.NotAfter, context.Now);
            if (daysLeft <= window) diagnostics.Add(builder.CertificateExpiring(device.AnchorSpan, entry.Device, c.Serial, c.NotAfter,
                window));
        }
    }

    /// <summary>Whole days until a moment (rounded down; 0 on the last day).</summary>
    public static int DaysLeft(DateTimeOffset notAfter, DateTimeOffset now) => (int)Math.Floor((notAfter - now).TotalDays);
}
