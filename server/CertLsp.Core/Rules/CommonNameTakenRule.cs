using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Rules;

/// <summary>CL0202: a device's CN must not be the CN of a certificate the ledger records for another device.</summary>
public sealed class CommonNameTakenRule : ILedgerRule
{
    public void Check(SiteManifest manifest, LedgerContext context, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        var issued = context.Ledger.Entries.Values
            .Where(e => e.Certificate is { IsRevoked: false })
            .GroupBy(e => e.CommonName, CommonNames.Comparer)
            .ToDictionary(g => g.Key, g => g.First(), CommonNames.Comparer);
        foreach (var device in manifest.Devices)
        {
            if (CommonNames.For(manifest, device) is not { } cn || device.Name is null) continue;
            if (issued.TryGetValue(cn.Value, out var owner) && owner.Device != device.Name.Value)
            {
                diagnostics.Add(builder.CommonNameTakenByCertificate(cn.Source.Span, cn.Value, owner.Device, owner.Certificate!.Serial));
            }
        }
    }
}
