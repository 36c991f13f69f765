using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>CL0401: a device's CSR is pending; a new request would void it (fixes: keep it, or overwrite it).</summary>
public sealed class PendingRequestRule : ILedgerRule
{
    public void Check(SiteManifest manifest, LedgerContext context, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        foreach (var (device, entry) in LedgerDevices.Of(manifest, context.Ledger))
        {
            if (entry.Pending is { } pending) diagnostics.Add(builder.RequestPending(device.AnchorSpan, entry.Device, pending.Since,
                pending.Zip));
        }
    }
}
