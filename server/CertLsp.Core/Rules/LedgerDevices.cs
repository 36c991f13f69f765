using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>The manifest's devices paired with their ledger blocks (devices the ledger does not know are left out).</summary>
internal static class LedgerDevices
{
    public static IEnumerable<(DeviceEntry Device, LedgerEntry Entry)> Of(SiteManifest manifest, SiteLedger ledger)
    {
        foreach (var device in manifest.Devices)
        {
            if (device.Name is { } name && ledger.Find(name.Value) is { } entry) yield return (device, entry);
        }
    }
}
