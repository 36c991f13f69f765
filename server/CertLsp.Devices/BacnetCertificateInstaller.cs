using System.Text;
using CertLsp.Bacnet.Client;
using CertLsp.Core.Manifest;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Devices;

/// <summary>
/// Installs issued certificates on devices that hold their keys, over BACnet/IP, or over BACnet/SC through the hub with
/// <c>scDevices</c> (each device at the VMAC of its I-Am) (<see cref="CertificateProvisioning.InstallAsync"/>):
/// for each device (its manifest address and instance) find the Network Port with an Operational_Certificate_File (a secure-connect
/// port first); write the issuer certificates into its Issuer_Certificate_Files in order, then the operational certificate
/// (File_Size := 0, AtomicWriteFile, read back and compare each); ReinitializeDevice ACTIVATE_CHANGES. A device that refuses
/// (a BACnet error, reject or abort) gets Command := discard-changes, so no half-installed change stays pending; its error is the
/// outcome's reason. A device that does not answer is reported so (the client's APDU timeout and retries bound the wait).
/// Installing the same certificate again is harmless, so an interrupted import is simply run again.
/// </summary>
/// <remarks>The CLI (<c>certlsp import --bind</c>) and the language server share this class; one client serves many devices in
/// parallel.</remarks>
public sealed class BacnetCertificateInstaller(BacnetClient client, int sitePort, ScDeviceDirectory? scDevices = null)
    : IDeviceCertificateTarget
{
    private readonly CertificateProvisioning provisioning = new(client);

    public async Task<DeviceInstallOutcome> InstallAsync(DeviceEntry device, DeviceCertificates certificates,
        CancellationToken cancellationToken)
    {
        var (contact, problem) = DeviceContact.Of(device, sitePort, scDevices);
        if (contact is null) return DeviceInstallOutcome.Failed(problem!);
        var (found, none) = await contact.FindPortAsync(client, p => p.OperationalCertificateFile is not null,
            "an Operational_Certificate_File", cancellationToken).ConfigureAwait(false);
        if (found is not { } port) return DeviceInstallOutcome.Failed(none!);

        var issuers = certificates.Issuers.Select(i => (ReadOnlyMemory<byte>)Encoding.ASCII.GetBytes(i)).ToList();
        var done = await provisioning.InstallAsync(contact.Address, port, issuers, Encoding.ASCII.GetBytes(certificates.Operational),
            password: null, cancellationToken).ConfigureAwait(false);
        if (done.Ok) return DeviceInstallOutcome.Done with { Detail = done.Value.ToString() };

        string why = $"{contact}, {port}: {DeviceContact.Describe(done.Failure!)}";
        if (done.Failure!.Kind == FailureKind.Timeout) return DeviceInstallOutcome.Failed(why);
        var discarded = await provisioning.DiscardChangesAsync(contact.Address, port, cancellationToken).ConfigureAwait(false);
        return DeviceInstallOutcome.Failed(discarded.Ok
            ? $"{why}; its pending changes were discarded"
            : $"{why}; discarding its pending changes failed too: {DeviceContact.Describe(discarded.Failure!)}");
    }
}
