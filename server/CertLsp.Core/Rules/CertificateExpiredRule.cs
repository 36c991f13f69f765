using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>CL0402: the device's issued certificate is past its not-after date (a revoked one is CL0404's).</summary>
public sealed class CertificateExpiredRule : ILedgerRule
{
    public void Check(SiteManifest manifest, LedgerContext context, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        foreach (var (device, entry) in LedgerDevices.Of(manifest, context.Ledger))
        {
            if (entry.Certificate is { IsRevoked: false } c && context.Now > c.NotAfter)
            {
                diagnostics.Add(builder.CertificateExpired(device.AnchorSpan, entry.Device, c.Serial, c.NotAfter));
            }
        }
    }
}
