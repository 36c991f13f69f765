using System.Net;
using System.Text.Json;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Simulator;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>`certlsp discover` and `certlsp simulate` end to end (Program.RunAsync, as the command line calls them).</summary>
[Collection(UdpCollection.Name)]
public class CliCommandTests
{
    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Program.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [NeedsFact(Needs.Namespace)]
    public async Task DiscoverComparesWithTheManifest()
    {
        LoopbackNamespace.Require();
        await using var site = SimulatedSite.Start(SimulatedDeviceSpec.Loopback(3, 3001).Select((s, i) =>
            s with { Address = IPAddress.Parse($"127.0.3.{i + 2}") }),
            BipEndpoint.DefaultPort, IPAddress.Parse(LoopbackNamespace.Broadcast));
        var manifest = Path.Combine(Path.GetTempPath(), $"discover-{Environment.ProcessId}.site.yaml");
        await File.WriteAllTextAsync(manifest, """
            site: Test
            ca: { profile: bacnet-sc }
            subject: { country: US, organization: Test }
            bacnet: { port: 47808, broadcast: 127.255.255.255, generateCsrCommand: 8 }
            devices:
              - name: Wrong-Name
                instance: 3001
                address: 127.0.3.2
              - name: SimDevice3002
                instance: 3002
                address: 127.0.3.9
              - name: Gone
                instance: 3099
                address: 127.0.3.20
            """);
        try
        {
            var (exit, output, error) = await RunAsync("discover", "--bind", "127.0.1.5", "--manifest", manifest, "--timeout", "1");
            Assert.Equal("", error);
            Assert.Equal(1, exit);
            Assert.Contains("3 device(s) answered.", output);
            Assert.Contains("SimDevice3003", output);
            Assert.Contains("2:secure-connect 02CE00000BBB csr=file:1 issuers=file:2,3 operational=file:4", output);
            Assert.Contains("missing: Gone (instance 3099) did not answer Who-Is", output);
            Assert.Contains("differs: Wrong-Name (instance 3001): the device's Object_Name is \"SimDevice3001\"", output);
            Assert.Contains("differs: SimDevice3002 (instance 3002): the manifest says 127.0.3.9, the device answered from 127.0.3.3",
                output);
            Assert.Contains("not in manifest: instance 3003 \"SimDevice3003\" at 127.0.3.4", output);

            var (jsonExit, json, _) = await RunAsync("discover", "--bind", "127.0.1.5", "--manifest", manifest, "--format", "json",
                "--timeout", "1");
            Assert.Equal(1, jsonExit);
            using var doc = JsonDocument.Parse(json);
            var devices = doc.RootElement.GetProperty("devices");
            Assert.Equal(3, devices.GetArrayLength());
            var sc = devices[0].GetProperty("networkPorts")[1];
            Assert.Equal(11, sc.GetProperty("networkType").GetInt32());
            Assert.Equal(4, sc.GetProperty("operationalCertificateFile").GetInt32());
            Assert.Equal(1, doc.RootElement.GetProperty("manifest").GetProperty("missing").GetArrayLength());
        }
        finally
        {
            File.Delete(manifest);
        }
    }

    [Fact]
    public async Task DiscoverNeverDefaultsItsAddresses()
    {
        var (exit, _, error) = await RunAsync("discover", "--broadcast", "127.255.255.255");
        Assert.Equal(2, exit);
        Assert.Contains("--bind", error);
        (exit, _, error) = await RunAsync("discover", "--bind", "127.0.1.5");
        Assert.Equal(2, exit);
        Assert.Contains("--broadcast", error);
        (exit, _, error) = await RunAsync("discover", "--bind", "127.0.1.5", "--broadcast", "255.255.255.255");
        Assert.Equal(2, exit);
        Assert.Contains("255.255.255.255 is refused", error);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task SimulateRunsASiteThatAClientDiscovers()
    {
        LoopbackNamespace.Require();
        var stdout = new StringWriter();
        var run = Task.Run(() => Program.RunAsync(["simulate", "--devices", "12", "--bind", "127.0.4.2", "--port", "47809", "--duration",
            "4"], stdout, new StringWriter()));
        await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.6", 0),
            BipEndpoint.Parse(LoopbackNamespace.Broadcast, 47809)));
        IReadOnlyList<DiscoveredDevice> found = [];
        for (var attempt = 0; attempt < 20 && found.Count < 12; attempt++)
            found = await client.WhoIsAsync(new WhoIs(), TimeSpan.FromMilliseconds(500), 12);
        Assert.Equal(12, found.Count);
        Assert.Equal(BipEndpoint.Parse("127.0.4.13", 47809), found[^1].Address.Endpoint);
        Assert.Equal(0, await run);
        Assert.Contains("Simulating 12 device(s) on UDP port 47809", stdout.ToString());
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("0.0.0.0")]
    public async Task SimulateStaysOnLoopback(string bind)
    {
        var (exit, _, error) = await RunAsync("simulate", "--devices", "2", "--bind", bind, "--duration", "0");
        Assert.Equal(2, exit);
        Assert.Contains("loopback", error);
    }
}
