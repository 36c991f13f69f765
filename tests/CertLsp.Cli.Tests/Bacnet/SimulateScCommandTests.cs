using CertLsp.Bacnet.Client;
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
            "127.0.5.1:47443", "--ca-cert", certificate, "--ca-key", key, "--sc-only", "--duration", "8"], stdout, stderr));
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
