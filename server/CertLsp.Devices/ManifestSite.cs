using System.Globalization;
using System.Net;
using CertLsp.Core.Checking;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;
using CertLsp.Workflows.Files;

namespace CertLsp.Devices;

/// <summary>One device of a manifest as BACnet sees it.</summary>
public sealed record ManifestDevice(string Name, string? CommonName, uint? Instance, IPEndPoint? Address);

/// <summary>
/// What a front end knows of the site's BACnet besides the manifest (the editor's settings): used where the manifest has no
/// bacnet.port, bacnet.broadcast or bacnet.generateCsrCommand of its own. Never a default broadcast address.
/// </summary>
public sealed record BacnetDefaults(int Port = 47808, IPAddress? Broadcast = null, int GenerateCsrCommand = 9)
{
    public static BacnetDefaults Standard { get; } = new();
}

/// <summary>The BACnet view of a site manifest: devices, port, broadcast address, generate-csr-file value.</summary>
public sealed record ManifestSite(string Path, IReadOnlyList<ManifestDevice> Devices, int Port, IPAddress? Broadcast,
    int GenerateCsrCommand)
{
    /// <summary>Reads a manifest; throws <see cref="ManifestReadException"/> when it cannot be read or parsed at all.</summary>
    public static ManifestSite Load(string path)
    {
        var document = ManifestDocument.Parse(path, ManifestFiles.Read(path));
        var manifest = document.Manifest ?? throw new ManifestReadException($"{path} is not a site manifest (run `certlsp check {path}`)");
        return From(path, manifest, BacnetDefaults.Standard);
    }

    /// <summary>A parsed manifest's BACnet view; its own bacnet.* keys win over <paramref name="defaults"/>.</summary>
    public static ManifestSite From(string path, SiteManifest manifest, BacnetDefaults defaults)
    {
        var bacnet = manifest.Bacnet;
        var port = bacnet.Port is not null ? bacnet.PortNumber : defaults.Port;
        var devices = manifest.Devices.Select(d => new ManifestDevice(
            d.DisplayName,
            CommonNames.For(manifest, d)?.Value,
            d.InstanceNumber,
            ParseAddress(d.Address?.Value, port))).ToList();
        var broadcast = bacnet.Broadcast is { } b ? (IPAddress.TryParse(b.Value, out var ip) ? ip : null) : defaults.Broadcast;
        return new ManifestSite(path, devices, port, broadcast, bacnet.GenerateCsrCommand is not null ? bacnet.GenerateCsrCommandValue
            : defaults.GenerateCsrCommand);
    }

    public static IPEndPoint? ParseAddress(string? value, int defaultPort)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var parts = value.Split(':');
        if (!IPAddress.TryParse(parts[0], out var ip)) return null;
        var port = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0
            and < 65536 ? p : defaultPort;
        return new IPEndPoint(ip, port);
    }
}
