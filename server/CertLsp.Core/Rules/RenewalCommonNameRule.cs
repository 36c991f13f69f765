using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Rules;

/// <summary>CL0205: a renewal reuses the CN of the device's previous CSR; warn when the manifest would give it another.</summary>
public sealed class RenewalCommonNameRule : ILedgerRule
{
    public void Check(SiteManifest manifest, LedgerContext context, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        foreach (var (device, entry) in LedgerDevices.Of(manifest, context.Ledger))
        {
            if (CommonNames.For(manifest, device) is not { } cn) continue;
            if (!string.Equals(cn.Value, entry.CommonName, StringComparison.Ordinal))
            {
                bool expressible = CommonNames.Compose(entry.CommonName, manifest.DomainName) == entry.CommonName;
                diagnostics.Add(builder.RenewalChangesCommonName(cn.Source.Span, device.Node, entry.Device, entry.CommonName, cn.Value,
                    expressible));
            }
        }
    }
}
