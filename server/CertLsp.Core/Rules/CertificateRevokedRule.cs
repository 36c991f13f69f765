using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>CL0404: the device's certificate was found on its issuer's revocation list.</summary>
public sealed class CertificateRevokedRule : ILedgerRule
{
    public void Check(SiteManifest manifest, LedgerContext context, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        foreach (var (device, entry) in LedgerDevices.Of(manifest, context.Ledger))
        {
            if (entry.Certificate is { RevokedAt: { } at } c) diagnostics.Add(
                builder.CertificateRevoked(device.AnchorSpan, entry.Device, c.Serial, at));
        }
    }
}
