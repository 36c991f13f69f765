using System.Globalization;
using System.Net;
using CertLsp.Core.Checking;
using CertLsp.Core.Files;
using CertLsp.Core.Naming;

namespace CertLsp.Devices;

/// <summary>One device of a manifest as BACnet sees it.</summary>
public sealed record ManifestDevice(string Name, string? CommonName, uint? Instance, IPEndPoint? Address);

/// <summary>The BACnet view of a site manifest: devices, port, broadcast address, generate-csr-file value.</summary>
public sealed record ManifestSite(string Path, IReadOnlyList<ManifestDevice> Devices, int Port, IPAddress? Broadcast, int GenerateCsrCommand)
{
    /// <summary>Reads a manifest; throws <see cref="ManifestReadException"/> when it cannot be read or parsed at all.</summary>
    public static ManifestSite Load(string path)
    {
        var document = ManifestDocument.Parse(path, ManifestFiles.Read(path));
        var manifest = document.Manifest ?? throw new ManifestReadException($"{path} is not a site manifest (run `certlsp check {path}`)");
        var port = manifest.Bacnet.PortNumber;
        var devices = manifest.Devices.Select(d => new ManifestDevice(
            d.DisplayName,
            CommonNames.For(manifest, d)?.Value,
            d.Instance is not null && d.Instance.TryGetInt64(out var i) && i is >= 0 and <= 4194302 ? (uint)i : null,
            ParseAddress(d.Address?.Value, port))).ToList();
        var broadcast = manifest.Bacnet.Broadcast?.Value is { } b && IPAddress.TryParse(b, out var ip) ? ip : null;
        return new ManifestSite(path, devices, port, broadcast, manifest.Bacnet.GenerateCsrCommandValue);
    }

    public static IPEndPoint? ParseAddress(string? value, int defaultPort)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var parts = value.Split(':');
        if (!IPAddress.TryParse(parts[0], out var ip)) return null;
        var port = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536 ? p : defaultPort;
        return new IPEndPoint(ip, port);
    }
}
