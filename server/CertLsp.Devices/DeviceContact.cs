using CertLsp.Bacnet;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Transport;
using CertLsp.Core.Manifest;

namespace CertLsp.Devices;

/// <summary>
/// A manifest device as BACnet reaches it: its address (the manifest's IPv4[:port], default port the site's) and its instance, and the
/// Network Port that holds its certificate files (a secure-connect port first). Shared by the CSR source and the installer.
/// </summary>
internal sealed record DeviceContact(BacnetAddress Address, string Where, uint Instance)
{
    /// <summary>How reports name the device: "device 10001 at 127.0.0.2:47808", "device 10001 at vmac 0A1B2C3D4E5F".</summary>
    public override string ToString() => $"device {Instance} at {Where}";

    /// <summary>
    /// The device's contact from its manifest entry, or why the manifest does not say how to reach it. Over BACnet/SC
    /// (<paramref name="scDevices"/> given) a device is reached at the VMAC it announced in its I-Am, found by its instance; its
    /// manifest address is not used.
    /// </summary>
    public static (DeviceContact? Contact, string? Problem) Of(DeviceEntry device, int sitePort, ScDeviceDirectory? scDevices = null)
    {
        if (scDevices is not null)
        {
            if (device.InstanceNumber is not { } scInstance) return (null, "the manifest gives no BACnet “instance” for the device");
            return scDevices.Find(scInstance) is { } address
                ? (new DeviceContact(address, address.Mac.ToString(), scInstance), null)
                : (null, $"device {scInstance} did not answer Who-Is through the hub (not joined to the hub?)");
        }
        if (ManifestSite.ParseAddress(device.Address?.Value, sitePort) is not { } endpoint)
            return (null, "the manifest gives no IPv4 “address” (IPv4[:port]) for the device");
        if (device.InstanceNumber is not { } instance)
            return (null, "the manifest gives no BACnet “instance” for the device");
        return (new DeviceContact(BipEndpoint.From(endpoint), endpoint.ToString(), instance), null);
    }

    /// <summary>The first Network Port (secure-connect first) that has what <paramref name="has"/> asks for, or why there is
    /// none.</summary>
    public async Task<(ObjectId? Port, string? Problem)> FindPortAsync(BacnetClient client, Func<NetworkPortInfo, bool> has, string what,
        CancellationToken cancellationToken)
    {
        var inventory = await DeviceInventory.ReadAsync(client, Address, Instance, cancellationToken).ConfigureAwait(false);
        if (!inventory.Ok) return (null, $"{this}: {Describe(inventory.Failure!)}");
        var port = inventory.Value.NetworkPorts.Where(has).OrderBy(p => p.IsSecureConnect ? 0 : 1).FirstOrDefault();
        return port is null ? (null, $"{this} has no Network Port with {what}") : (port.Port, null);
    }

    /// <summary>A BACnet failure as a report says it: a device that did not answer is called so.</summary>
    public static string Describe(BacnetFailure failure) =>
        failure.Kind == FailureKind.Timeout ? $"did not answer ({failure.Detail})" : failure.Detail;
}
