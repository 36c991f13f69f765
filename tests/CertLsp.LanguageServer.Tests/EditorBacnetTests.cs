using System.Net;
using System.Text.Json;
using CertLsp.Core.Checking;
using CertLsp.Devices;
using CertLsp.LanguageServer.Workspace;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// The editor's BACnet settings (initializationOptions.bacnet): read leniently, the manifest's bacnet keys winning over them,
/// and no client without a usable bind and broadcast address (no socket is opened by these tests).
/// </summary>
public sealed class EditorBacnetTests
{
    private static EditorBacnet Read(string json, List<string>? ignored = null) =>
        EditorBacnet.Read(JsonDocument.Parse(json).RootElement.Clone(), m => ignored?.Add(m));

    private static Core.Manifest.SiteManifest Manifest(string bacnet) =>
        ManifestDocument.Parse("s.site.yaml",
            $"site: S\n{bacnet}\ndevices:\n  - name: a\n    instance: 1\n    address: 127.0.5.2\n").Manifest!;

    [Fact]
    public void Reads_the_four_settings_leaves_out_empty_addresses_and_ignores_wrong_types()
    {
        Assert.Equal(new EditorBacnet("127.0.1.9", 47809, "127.255.255.255", 8),
            Read("""
                { "warningDays": 30, "bacnet": { "bind": " 127.0.1.9 ", "port": 47809, "broadcast": "127.255.255.255", "generateCsrCommand": 8 } }
                """));
        Assert.Equal(EditorBacnet.None, Read("""{ "bacnet": { "bind": "", "broadcast": "   " } }"""));
        Assert.Equal(EditorBacnet.None, Read("""{ "warningDays": 30 }"""));
        Assert.Equal(EditorBacnet.None, Read("""null"""));
        var ignored = new List<string>();
        Assert.Equal(new EditorBacnet(Port: 47808), Read(
            """{ "bacnet": { "bind": 5, "port": 47808, "broadcast": true, "generateCsrCommand": 999 } }""", ignored));
        Assert.Equal(["bacnet.bind is not text: ignored", "bacnet.broadcast is not text: ignored",
            "bacnet.generateCsrCommand is not a whole number from 0 to 255: ignored"], ignored);
    }

    [Fact]
    public void The_manifests_bacnet_keys_win_and_the_settings_fill_the_rest()
    {
        var settings = new EditorBacnet("127.0.1.9", 47900, "127.0.255.255", 8);
        var own = settings.Site("s.site.yaml", Manifest("bacnet: { port: 47815, broadcast: 127.255.255.255, generateCsrCommand: 9 }"));
        Assert.Equal((47815, IPAddress.Parse("127.255.255.255"), 9), (own.Port, own.Broadcast, own.GenerateCsrCommand));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.5.2"), 47815), own.Devices[0].Address);
        var filled = settings.Site("s.site.yaml", Manifest("domain: d.example"));
        Assert.Equal((47900, IPAddress.Parse("127.0.255.255"), 8), (filled.Port, filled.Broadcast, filled.GenerateCsrCommand));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.5.2"), 47900), filled.Devices[0].Address);
        var standard = EditorBacnet.None.Site("s.site.yaml", Manifest("domain: d.example"));
        Assert.Equal((47808, null, 9), (standard.Port, standard.Broadcast, standard.GenerateCsrCommand));
    }

    [Fact]
    public void Without_a_usable_address_there_is_no_client_and_the_message_names_the_setting()
    {
        var manifest = Manifest("domain: d.example");
        var none = Assert.Throws<BacnetSetupException>(() => EditorBacnet.None.ForDevices("Generate CSRs"));
        Assert.StartsWith("Generate CSRs needs the local IPv4 address to talk to the devices from: set certlsp.bacnet.bind", none.Message);
        var name = Assert.Throws<BacnetSetupException>(() => new EditorBacnet("my-laptop").ForDevices("x"));
        Assert.Equal("the setting certlsp.bacnet.bind “my-laptop” is not an IPv4 address", name.Message);
        var v6 = Assert.Throws<BacnetSetupException>(() => new EditorBacnet("::1").ForDevices("x"));
        Assert.Contains("is not an IPv4 address", v6.Message);

        var settings = new EditorBacnet("127.0.1.9");
        var noBroadcast = Assert.Throws<BacnetSetupException>(() =>
            settings.ForDiscovery(manifest, settings.Site("s.site.yaml", manifest)));
        Assert.Contains("set bacnet.broadcast in the manifest or the setting certlsp.bacnet.broadcast", noBroadcast.Message);
        var badManifest = Manifest("bacnet: { broadcast: every-device }");
        var bad = Assert.Throws<BacnetSetupException>(() => settings.ForDiscovery(badManifest, settings.Site("s.site.yaml", badManifest)));
        Assert.Equal("bacnet.broadcast “every-device” in the manifest is not an IPv4 address", bad.Message);
        var badSetting = settings with { Broadcast = "all" };
        Assert.Equal("the setting certlsp.bacnet.broadcast “all” is not an IPv4 address",
            Assert.Throws<BacnetSetupException>(() => badSetting.ForDiscovery(manifest, badSetting.Site("s.site.yaml", manifest))).Message);
    }
}
