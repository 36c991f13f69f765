using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Devices;

/// <summary>
/// Where the devices of a BACnet/SC site are: the VMAC each announced in its I-Am to a Who-Is broadcast through the hub, by device
/// instance. Over SC a device has no address the manifest could name (its VMAC is its own, drawn anew on a duplicate), so the tool
/// learns it before it talks to the devices.
/// </summary>
public sealed class ScDeviceDirectory(IReadOnlyDictionary<uint, BacnetAddress> devices)
{
    public IReadOnlyDictionary<uint, BacnetAddress> Devices => devices;

    public BacnetAddress? Find(uint instance) => devices.TryGetValue(instance, out var address) ? address : null;

    /// <summary>Who-Is through the hub (the broadcast VMAC) and the I-Ams heard within <paramref name="listen"/> (or once
    /// <paramref name="expected"/> devices answered); a device that answers twice keeps its first address.</summary>
    public static async Task<ScDeviceDirectory> LearnAsync(BacnetClient client, TimeSpan listen, int? expected,
        CancellationToken cancellationToken)
    {
        if (!client.LocalMac.IsSecureConnect) throw new ArgumentException("the client is not on BACnet/SC", nameof(client));
        var heard = await client.WhoIsAsync(new WhoIs(), listen, expected, cancellationToken).ConfigureAwait(false);
        var devices = new Dictionary<uint, BacnetAddress>();
        foreach (var device in heard) devices.TryAdd(device.Instance, device.Address);
        return new ScDeviceDirectory(devices);
    }
}
