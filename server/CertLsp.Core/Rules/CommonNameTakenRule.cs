using CertLsp.Core.Diagnostics;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Rules;

/// <summary>CL0202: a device's CN must not be the CN of a certificate the ledger records for another device.</summary>
public sealed class CommonNameTakenRule : ILedgerRule
{
    public void Check(SiteManifest manifest, LedgerContext context, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        // The first block (by device name) that holds a certificate not revoked, for each CN.
        var issued = new Dictionary<string, LedgerEntry>(CommonNames.Comparer);
        foreach (var entry in context.Ledger.Entries.Values)
        {
            if (entry.Certificate is { IsRevoked: false }) issued.TryAdd(entry.CommonName, entry);
        }
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
