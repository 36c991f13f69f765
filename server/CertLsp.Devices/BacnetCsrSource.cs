using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Transport;
using CertLsp.Core.Manifest;
using CertLsp.Core.Requests;

namespace CertLsp.Devices;

/// <summary>
/// Device CSRs over BACnet/IP: for each device (its manifest address and instance) find the Network Port with a
/// Certificate_Signing_Request_File (a secure-connect port first), write the manifest's generate-csr-file value to its Command,
/// wait for idle and read the CSR file. Every BACnet failure becomes the device's reason.
/// </summary>
public sealed class BacnetCsrSource(BacnetClient client, int sitePort, uint generateCsrCommand) : IDeviceCsrSource
{
    private readonly CertificateProvisioning provisioning = new(client);

    public async Task<DeviceCsrOutcome> RequestAsync(DeviceEntry device, CancellationToken cancellationToken)
    {
        if (ManifestSite.ParseAddress(device.Address?.Value, sitePort) is not { } endpoint)
            return DeviceCsrOutcome.Failed("the manifest gives no IPv4 “address” (IPv4[:port]) for the device");
        if (device.Instance is null || !device.Instance.TryGetInt64(out long instance) || instance is < 0 or > 4194302)
            return DeviceCsrOutcome.Failed("the manifest gives no BACnet “instance” for the device");
        BacnetAddress address = BipEndpoint.From(endpoint);
        var inventory = await DeviceInventory.ReadAsync(client, address, (uint)instance, cancellationToken).ConfigureAwait(false);
        if (!inventory.Ok) return DeviceCsrOutcome.Failed($"device {instance} at {endpoint}: {inventory.Failure!.Detail}");
        var ports = inventory.Value.NetworkPorts.Where(p => p.CsrFile is not null).OrderBy(p => p.IsSecureConnect ? 0 : 1).ToList();
        if (ports.Count == 0) return DeviceCsrOutcome.Failed($"device {instance} at {endpoint} has no Network Port with a Certificate_Signing_Request_File");
        var csr = await provisioning.GenerateAndReadCsrAsync(address, ports[0].Port, generateCsrCommand, cancellationToken).ConfigureAwait(false);
        return csr.Ok
            ? DeviceCsrOutcome.Of([.. csr.Value.Content])
            : DeviceCsrOutcome.Failed($"device {instance} at {endpoint}, {ports[0].Port}: {csr.Failure!.Detail}");
    }
}
