using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertLsp.Bacnet.Simulator;

public enum SimulatedKeyAlgorithm { EcdsaP256, Rsa2048 }

/// <summary>One simulated device: identity, address, and how it answers the disputed generate-csr-file command.</summary>
public sealed record SimulatedDeviceSpec(uint Instance, IPAddress Address)
{
    public string Name { get; init; } = "";
    public string VendorName { get; init; } = "CertLsp Simulated Devices";
    public ushort VendorId { get; init; } = 999;
    public string ModelName { get; init; } = "SIM-SC-1";
    public string SerialNumber { get; init; } = "";
    /// <summary>The Network Port Command value this device takes as generate-csr-file: 8 or 9 (vendors disagree).</summary>
    public uint GenerateCsrCommand { get; init; } = 8;
    /// <summary>The subject CN the device puts in its CSR (default: its Object_Name).</summary>
    public string? CsrCommonName { get; init; }
    public SimulatedKeyAlgorithm KeyAlgorithm { get; init; } = SimulatedKeyAlgorithm.EcdsaP256;
    /// <summary>How long generating a CSR keeps Command away from idle.</summary>
    public TimeSpan CsrDelay { get; init; } = TimeSpan.FromMilliseconds(20);
    /// <summary>False makes the device reject ReadPropertyMultiple as an unrecognized service, as small devices do.</summary>
    public bool SupportsReadPropertyMultiple { get; init; } = true;

    /// <summary>Max_APDU_Length_Accepted: one of 50, 128, 206, 480, 1024, 1476. Larger APDUs are dropped unseen; no answer is
    /// larger.</summary>
    public int MaxApdu { get; init; } = Application.Apdu.MaxApduLength;
    /// <summary>Segmentation_Supported: a segmented request is aborted (segmentation-not-supported) unless it receives segments; an
    /// answer too large for one APDU is aborted so unless it transmits segments.</summary>
    public Segmentation Segmentation { get; init; } = Segmentation.Both;
    /// <summary>Max_Segments_Accepted: a segmented request with more segments is aborted (buffer-overflow).</summary>
    public int MaxSegments { get; init; } = 255;
    /// <summary>False: File_Size := 0 is refused with write-access-denied (some devices do), and a write at offset 0 replaces the
    /// file.</summary>
    public bool FileSizeWritable { get; init; } = true;
    /// <summary>False: the device has no Network Port objects (an older device: nowhere to hold a certificate).</summary>
    public bool HasNetworkPorts { get; init; } = true;

    /// <summary>BACnet/SC: the operational certificate the device starts with (installed and active, so that a site without
    /// BACnet/IP is reachable for its renewal). Its private key, when it has one, becomes the device's key unless
    /// <see cref="InitialKey"/> names another. Null: the device joins a hub only once a certificate is activated.</summary>
    public X509Certificate2? InitialCertificate { get; init; }

    /// <summary>BACnet/SC: the device's own key (the device takes it over and disposes it; held in memory only). Given with an
    /// <see cref="InitialCertificate"/> for another key, it makes a device whose certificate is not for its key (a fault).</summary>
    public AsymmetricAlgorithm? InitialKey { get; init; }

    /// <summary>BACnet/SC only: the device has no BACnet/IP port (no socket, no Network Port 1); it is reached through the hub.
    /// </summary>
    public bool ScOnly { get; init; }

    /// <summary>SC_Primary_Hub_URI and SC_Failover_Hub_URI of this device when they differ from the site's (null: the site's).
    /// </summary>
    public Uri? PrimaryHubUri { get; init; }

    public Uri? FailoverHubUri { get; init; }

    /// <summary>Why the limits cannot be a device's (null when they can).</summary>
    public string? LimitsProblem() =>
        !Application.Apdu.LegalMaxApduLengths.Contains(MaxApdu) ? $"Max APDU {MaxApdu} is not one of 50, 128, 206, 480, 1024, 1476"
        : MaxSegments is < 2 or > 255 ? $"max segments {MaxSegments} is not 2..255"
        : !Enum.IsDefined(Segmentation) ? $"segmentation {Segmentation} is not both, transmit, receive or none"
        : null;

    public string EffectiveName => Name.Length > 0 ? Name : $"SimDevice{Instance}";
    public string EffectiveSerial => SerialNumber.Length > 0 ? SerialNumber : $"SN-{Instance:D7}";

    /// <summary>A site of <paramref name="count"/> devices at 127.0.0.2, 127.0.0.3, ... (instances 1001, 1002, ...).</summary>
    public static IReadOnlyList<SimulatedDeviceSpec> Loopback(int count, uint firstInstance = 1001)
    {
        if (count is < 1 or > 60000) throw new ArgumentOutOfRangeException(nameof(count), "1..60000 devices");
        var specs = new List<SimulatedDeviceSpec>(count);
        for (var i = 0; i < count; i++)
        {
            var host = i + 2;  // 127.0.0.1 is skipped: some stacks drop requests from it
            var address = new IPAddress([127, 0, (byte)(host >> 8), (byte)(host & 0xFF)]);
            specs.Add(new SimulatedDeviceSpec(firstInstance + (uint)i, address) { GenerateCsrCommand = i % 2 == 0 ? 8u : 9u });
        }
        return specs;
    }
}
