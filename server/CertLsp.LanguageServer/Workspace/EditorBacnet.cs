using System.Net;
using System.Text.Json;
using CertLsp.Bacnet.Client;
using CertLsp.Core.Manifest;
using CertLsp.Devices;

namespace CertLsp.LanguageServer.Workspace;

/// <summary>
/// The editor's BACnet settings, from initializationOptions.bacnet (VS Code: certlsp.bacnet.*): the local address to send from
/// (bind: never defaulted, absent or empty means none), and the port, broadcast address and generate-csr-file value for
/// manifests that do not set them; a manifest's own bacnet.* keys win.
/// </summary>
public sealed record EditorBacnet(string? Bind = null, int? Port = null, string? Broadcast = null, int? GenerateCsrCommand = null)
{
    public const string BindSetting = "certlsp.bacnet.bind";
    public const string BroadcastSetting = "certlsp.bacnet.broadcast";

    public static EditorBacnet None { get; } = new();

    /// <summary>Reads initializationOptions.bacnet; values of the wrong type or range are left out (and named in <paramref
    /// name="ignored"/>).</summary>
    public static EditorBacnet Read(JsonElement? initializationOptions, Action<string> ignored)
    {
        if (initializationOptions is not { ValueKind: JsonValueKind.Object } options
            || !options.TryGetProperty("bacnet", out var bacnet) || bacnet.ValueKind != JsonValueKind.Object)
        {
            return None;
        }
        string? Text(string name)
        {
            if (!bacnet.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.Null
                or JsonValueKind.Undefined) return null;
            if (value.ValueKind == JsonValueKind.String) return value.GetString()!.Trim() is { Length: > 0 } text ? text : null;
            ignored($"bacnet.{name} is not text: ignored");
            return null;
        }
        int? Number(string name, int min, int max)
        {
            if (!bacnet.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.Null
                or JsonValueKind.Undefined) return null;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= min && n <= max) return n;
            ignored($"bacnet.{name} is not a whole number from {min} to {max}: ignored");
            return null;
        }
        return new EditorBacnet(Text("bind"), Number("port", 1, 65535), Text("broadcast"), Number("generateCsrCommand", 0, 255));
    }

    private BacnetDefaults Defaults => new(
        Port ?? BacnetDefaults.Standard.Port,
        Broadcast is not null && IPAddress.TryParse(Broadcast, out var broadcast) ? broadcast : null,
        GenerateCsrCommand ?? BacnetDefaults.Standard.GenerateCsrCommand);

    /// <summary>The manifest's BACnet view, these settings filling what it leaves out.</summary>
    public ManifestSite Site(string path, SiteManifest manifest) => ManifestSite.From(path, manifest, Defaults);

    /// <summary>A client for the devices' own addresses; a <see cref="BacnetSetupException"/> says what the engineer must set.</summary>
    public BacnetClient ForDevices(string purpose) => BacnetConnection.ForDevices(BindAddress(purpose));

    /// <summary>A client for Who-Is on the site's broadcast address (the manifest's, else the setting's; never a default one).</summary>
    public BacnetClient ForDiscovery(SiteManifest manifest, ManifestSite site)
    {
        var bind = BindAddress("Discover devices");
        IPAddress broadcast = site.Broadcast
            ?? (manifest.Bacnet.Broadcast is { } given
                ? throw new BacnetSetupException($"bacnet.broadcast “{given.Value}” in the manifest is not an IPv4 address")
                : Broadcast is not null
                    ? BacnetConnection.Ipv4(Broadcast, $"the setting {BroadcastSetting}")
                    : throw new BacnetSetupException(
                        $"Discover devices needs the broadcast address for Who-Is: set bacnet.broadcast in the manifest or the setting " +
                        $"{BroadcastSetting} (CertLsp never broadcasts where you did not say). Nothing was sent."));
        return BacnetConnection.ForDiscovery(bind, broadcast, site.Port);
    }

    private IPAddress BindAddress(string purpose) =>
        Bind is null
            ? throw new BacnetSetupException(
                $"{purpose} needs the local IPv4 address to talk to the devices from: set {BindSetting} (CertLsp never picks one " +
                $"itself). Nothing was sent.")
            : BacnetConnection.Ipv4(Bind, $"the setting {BindSetting}");
}
