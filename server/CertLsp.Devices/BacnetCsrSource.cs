using CertLsp.Bacnet.Client;
using CertLsp.Core.Manifest;
using CertLsp.Workflows.Requests;

namespace CertLsp.Devices;

/// <summary>
/// Device CSRs over BACnet/IP, or over BACnet/SC through the hub with <c>scDevices</c> (each device at the VMAC of its I-Am): for each
/// device (its manifest address, or its VMAC, and instance) find the Network Port with a
/// Certificate_Signing_Request_File (a secure-connect port first), write the manifest's generate-csr-file value to its Command,
/// wait for idle and read the CSR file. Every BACnet failure becomes the device's reason.
/// </summary>
public sealed class BacnetCsrSource(BacnetClient client, int sitePort, uint generateCsrCommand, ScDeviceDirectory? scDevices = null)
    : IDeviceCsrSource
{
    private readonly CertificateProvisioning provisioning = new(client);

    public async Task<DeviceCsrOutcome> RequestAsync(DeviceEntry device, CancellationToken cancellationToken)
    {
        var (contact, problem) = DeviceContact.Of(device, sitePort, scDevices);
        if (contact is null) return DeviceCsrOutcome.Failed(problem!);
        var (port, none) = await contact.FindPortAsync(client, p => p.CsrFile is not null, "a Certificate_Signing_Request_File",
            cancellationToken).ConfigureAwait(false);
        if (port is not { } csrPort) return DeviceCsrOutcome.Failed(none!);
        var csr = await provisioning.GenerateAndReadCsrAsync(contact.Address, csrPort, generateCsrCommand,
            cancellationToken).ConfigureAwait(false);
        return csr.Ok
            ? DeviceCsrOutcome.Of([.. csr.Value.Content])
            : DeviceCsrOutcome.Failed($"{contact}, {csrPort}: {DeviceContact.Describe(csr.Failure!)}");
    }
}
