using CertLsp.Core.Manifest;

namespace CertLsp.Core.Certificates;

/// <summary>
/// Where the certificates of a site with device-held keys (key.source: device) go: the device that made the CSR gets its issued
/// certificate back (over BACnet in the CLI and the language server, <c>CertLsp.Devices.BacnetCertificateInstaller</c>; a fake in tests).
/// The mirror of <see cref="Requests.IDeviceCsrSource"/>; the core stays free of the transport.
/// </summary>
public interface IDeviceCertificateTarget
{
    /// <summary>
    /// Installs the issuer chain, then the operational certificate, on one device and activates them. A device that refuses the
    /// certificate or does not answer is a failed outcome with its reason (its BACnet error), not an exception; installing the same
    /// certificate again must be harmless (an interrupted import is simply run again).
    /// </summary>
    Task<DeviceInstallOutcome> InstallAsync(DeviceEntry device, DeviceCertificates certificates, CancellationToken cancellationToken);
}

/// <summary>
/// What one device gets: its operational certificate and the issuer certificates it chains to, each PEM. <see cref="Issuers"/> are in
/// install order: the certificate's direct issuer first, then that issuer's issuer when it is configured too.
/// </summary>
public sealed record DeviceCertificates(string Operational, IReadOnlyList<string> Issuers);

/// <summary>An install's outcome: done, or why not (the step and BACnet error that stopped it).</summary>
public sealed record DeviceInstallOutcome(string? Failure)
{
    public bool Installed => Failure is null;

    /// <summary>What a done install reports (how each file was written), when the target says more than that it is done.</summary>
    public string? Detail { get; init; }

    public static DeviceInstallOutcome Done { get; } = new((string?)null);

    public static DeviceInstallOutcome Failed(string why) => new(why);
}
