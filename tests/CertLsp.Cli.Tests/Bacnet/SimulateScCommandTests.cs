using CertLsp.Bacnet;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Services;
using CertLsp.Core.Certificates;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>`certlsp simulate --hub`: a BACnet/SC site (hub + SC-only devices with certificates from the given CA) that a tool
/// joins and discovers through the hub; the hub refused off loopback; the CA required.</summary>
public sealed class SimulateScCommandTests : IDisposable
{
    private readonly TestAuthority ca = new("Simulate SC CLI CA");
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-simulate-sc-").FullName;

    public void Dispose()
    {
        ca.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private (string Certificate, string Key) WriteCa()
    {
        var certificate = Path.Combine(folder, "ca.pem");
        var key = Path.Combine(folder, "ca.key");
        TestAuthority.WritePem(ca.Certificate, certificate, key);
        return (certificate, key);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Simulate_with_a_hub_runs_an_sc_site_that_a_tool_discovers_through_the_hub()
    {
        LoopbackNamespace.Require();
        var (certificate, key) = WriteCa();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var run = Task.Run(() => Program.RunAsync(["simulate", "--devices", "3", "--bind", "127.0.5.2", "--port", "47812", "--hub",
            "127.0.5.1:47443", "--ca-cert", certificate, "--ca-key", key, "--sc-only", "--duration", "15"], stdout, stderr));
        await using var link = new ScDatalink(new ScConnectorOptions
        {
            PrimaryHub = new Uri("wss://127.0.5.1:47443/"),
            Certificate = ca.Issue(CertificateRole.Tool, "tool"),
            VerifyHub = new ScPeerVerifier([ca.PublicCertificate]).CheckHub,
            MinimumReconnectTime = TimeSpan.FromMilliseconds(100),
            MaximumReconnectTime = TimeSpan.FromMilliseconds(500),
        });
        Assert.True(await link.Connector.WaitUntilAsync(c => c.State == ScHubConnectionStatus.ConnectedToPrimaryHub, Waits.HangGuard),
            $"the tool did not join the simulated hub: {link.Connector.PrimaryStatus}; {stderr}");
        await using var client = BacnetClient.Start(link, new BacnetClientOptions { ApduTimeout = TimeSpan.FromSeconds(2) });
        IReadOnlyList<DiscoveredDevice> found = [];
        for (var attempt = 0; attempt < 20 && found.Count < 3; attempt++)
            found = await client.WhoIsAsync(new WhoIs(), TimeSpan.FromMilliseconds(500), 3);
        Assert.Equal([1001u, 1002u, 1003u], found.Select(d => d.Instance).Order());
        Assert.All(found, d => Assert.True(d.Address.Mac.IsSecureConnect));
        Assert.Equal(0, await run);
        Assert.Contains("BACnet/SC hub wss://127.0.5.1:47443/ (certificate from CN=Simulate SC CLI CA", stdout.ToString());
        Assert.Contains("over BACnet/SC only", stdout.ToString());
        Assert.Contains("3 of 3 device(s) were joined to a hub", stdout.ToString());
        Assert.DoesNotContain("PRIVATE KEY", stdout + stderr.ToString());
    }

    /// <summary>Without --hub, the manifest's primary hub on a 127.x address is where the hub runs; the devices (both datalinks,
    /// --initial-certificates) join it and say so in their Network Port.</summary>
    [NeedsFact(Needs.Namespace)]
    public async Task The_manifests_loopback_primary_hub_is_the_default_hub()
    {
        LoopbackNamespace.Require();
        var (certificate, key) = WriteCa();
        var manifest = Path.Combine(folder, "sc.site.yaml");
        await File.WriteAllTextAsync(manifest, """
            site: SC Test
            ca: { profile: bacnet-sc }
            subject: { country: US, organization: Test }
            bacnet:
              port: 47813
              secureConnect: { primaryHub: "wss://127.0.5.21:47444" }
            devices:
              - name: AHU-1
                instance: 4001
                address: 127.0.5.22
            """);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var run = Task.Run(() => Program.RunAsync(["simulate", "--manifest", manifest, "--bind", "127.0.5.30", "--ca-cert", certificate,
            "--ca-key", key, "--initial-certificates", "--duration", "15"], stdout, stderr));
        await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.5.31", 0), null)
        {
            ApduTimeout = TimeSpan.FromSeconds(1),
        });
        var device = BipEndpoint.Parse("127.0.5.22", 47813);
        var port = ObjectId.NetworkPort(2);
        BacnetValue? state = null;
        for (var attempt = 0; attempt < 100 && state != BacnetValue.FromEnumerated(1); attempt++)
        {
            await Task.Delay(100);
            var read = await client.ReadPropertyAsync(device, port, PropertyIdentifier.ScHubConnectorState);
            state = read.Ok ? read.Value.Values[0] : null;
        }
        Assert.Equal(BacnetValue.FromEnumerated(1), state);  // connected-to-primary
        var uri = await client.ReadPropertyAsync(device, port, PropertyIdentifier.ScPrimaryHubUri);
        Assert.Equal(BacnetValue.From("wss://127.0.5.21:47444/"), uri.Value.Values[0]);
        Assert.Equal(0, await run);
        Assert.Contains("BACnet/SC hub wss://127.0.5.21:47444/", stdout.ToString());
        Assert.Contains("1 of 1 device(s) were joined to a hub", stdout.ToString());
    }

    [Theory]
    [InlineData("10.0.0.5:47443", "loopback")]
    [InlineData("0.0.0.0:47443", "loopback")]
    [InlineData("127.0.5.1", "ADDRESS:PORT")]
    public async Task The_hub_stays_on_loopback_and_needs_a_port(string hub, string expected)
    {
        var (certificate, key) = WriteCa();
        var stderr = new StringWriter();
        var exit = await Program.RunAsync(["simulate", "--devices", "1", "--bind", "127.0.5.2", "--hub", hub, "--ca-cert", certificate,
            "--ca-key", key, "--duration", "0"], new StringWriter(), stderr);
        Assert.Equal(2, exit);
        Assert.Contains(expected, stderr.ToString());
    }

    [Fact]
    public async Task An_sc_site_needs_its_ca_and_sc_options_need_a_hub()
    {
        var stderr = new StringWriter();
        var exit = await Program.RunAsync(["simulate", "--devices", "1", "--bind", "127.0.5.2", "--hub", "127.0.5.1:47443",
            "--duration", "0"], new StringWriter(), stderr);
        Assert.Equal(2, exit);
        Assert.Contains("--ca-cert FILE and --ca-key FILE", stderr.ToString());
        stderr = new StringWriter();
        exit = await Program.RunAsync(["simulate", "--devices", "1", "--bind", "127.0.5.2", "--sc-only", "--duration", "0"],
            new StringWriter(), stderr);
        Assert.Equal(2, exit);
        Assert.Contains("give --hub ADDRESS:PORT", stderr.ToString());
    }
}
