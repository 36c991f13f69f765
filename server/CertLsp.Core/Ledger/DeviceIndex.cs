using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Ledger;

/// <summary>Which device a CN names: the CN the ledger recorded for it (kept on renewal), else the one the manifest computes.</summary>
public static class DeviceIndex
{
    public static Dictionary<string, DeviceEntry> ByCommonName(SiteManifest manifest, SiteLedger ledger)
    {
        var byCn = new Dictionary<string, DeviceEntry>(CommonNames.Comparer);
        foreach (var device in manifest.Devices)
        {
            if (device.Name is null) continue;
            string? cn = ledger.Find(device.Name.Value)?.CommonName ?? CommonNames.For(manifest, device)?.Value;
            if (cn is not null) byCn.TryAdd(cn, device);
        }
        return byCn;
    }
}
