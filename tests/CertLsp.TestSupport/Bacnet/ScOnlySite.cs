using System.IO.Compression;
using System.Net;
using System.Text;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Certificates;
using CertLsp.Workflows.Requests;

namespace CertLsp.TestSupport;

/// <summary>
/// A site that has no BACnet/IP at all (issue 14, point 5), built by a test inside its network namespace: simulated SC-only devices
/// (<see cref="SimulatedSite"/> with its hub on <c>SUBNET.2</c>) joined to the hub with initial certificates from the site's CA, and
/// the manifest whose tool (<see cref="Tool"/>, “datalink: sc”) reaches them through the hub, for the CLI's and the editor's tests.
/// </summary>
public sealed class ScOnlySite : IAsyncDisposable
{
    public const string Tool = "ops-tool";

    private ScOnlySite(TestAuthority ca, SimulatedSite sim, IReadOnlyList<SimulatedDeviceSpec> specs)
    {
        Ca = ca;
        Sim = sim;
        Specs = specs;
    }

    public TestAuthority Ca { get; }

    public SimulatedSite Sim { get; }

    public IReadOnlyList<SimulatedDeviceSpec> Specs { get; }

    public ScHubHost Hub => Sim.Hub!;

    /// <summary><paramref name="count"/> devices dev-01, dev-02, … (instances from <paramref name="firstInstance"/>, CSR command 8) on
    /// <c>SUBNET.100</c> and up, each joined to the hub before this returns.</summary>
    public static async Task<ScOnlySite> StartAsync(string subnet, int count, uint firstInstance)
    {
        LoopbackNamespace.Require();
        var ca = new TestAuthority("SC Only Test CA");
        var hubAddress = IPAddress.Parse($"{subnet}.2");
        var specs = Enumerable.Range(0, count).Select(i => new SimulatedDeviceSpec(firstInstance + (uint)i,
            IPAddress.Parse($"{subnet}.{100 + i}"))
        {
            Name = Name(i), CsrCommonName = CommonName(i), GenerateCsrCommand = 8, ScOnly = true,
            InitialCertificate = ca.Issue(CertificateRole.Device, CommonName(i)),
        }).ToList();
        var sim = await SimulatedSite.StartAsync(specs, 47808, null, new SimulatedScOptions
        {
            Issuers = [ca.PublicCertificate],
            Hub = new ScHubHostOptions(hubAddress, 0, ca.Issue(CertificateRole.Hub, "hub", hubAddress.ToString()),
                new ScPeerVerifier([ca.PublicCertificate])),
            MinimumReconnectTime = TimeSpan.FromMilliseconds(100),
            MaximumReconnectTime = TimeSpan.FromSeconds(1),
        });
        var site = new ScOnlySite(ca, sim, specs);
        foreach (var device in sim.Devices)
        {
            await WaitForAsync(() => device.HubConnector is { State: ScHubConnectionStatus.ConnectedToPrimaryHub },
                $"device {device.Spec.Instance} joined the hub");
        }
        return site;
    }

    public static string Name(int index) => $"dev-{index + 1:D2}";

    public static string CommonName(int index) => $"{Name(index)}.bms.test.example";

    /// <summary>The manifest: device-held keys, the hub (<paramref name="hub"/>, else this site's), the tool reaching the devices over
    /// SC, the site's devices and <paramref name="extra"/> ones.</summary>
    public string Manifest(Uri? hub = null, params (string Name, uint Instance)[] extra)
    {
        var text = new StringBuilder($"""
            site: SC Only Plant
            domain: bms.test.example
            ca: {"{"} profile: bacnet-sc, issuers: [ca.pem] {"}"}
            subject: {"{"} country: DE, state: Bayern, locality: München, organization: Test GmbH, organizationalUnit: Gebäudetechnik {"}"}
            key: {"{"} algorithm: ecdsa, curve: P-256, source: device {"}"}
            bacnet:
              generateCsrCommand: 8
              secureConnect:
                primaryHub: {hub ?? Hub.Uri}
                connectWaitTimeout: 3
                tool:
                  name: {Tool}
                  datalink: sc
            devices:

            """);
        foreach (var (name, instance) in Specs.Select(s => (s.Name, s.Instance)).Concat(extra))
            text.Append($"  - name: {name}\n    instance: {instance}\n");
        return text.ToString();
    }

    /// <summary>The manifest (<see cref="Manifest"/>) as <c>sc.site.yaml</c> in <paramref name="folder"/> with the CA's certificate
    /// beside it (ca.pem); returns the manifest's path.</summary>
    public string WriteSite(string folder)
    {
        File.WriteAllText(Path.Combine(folder, "ca.pem"), Ca.Pem);
        string path = Path.Combine(folder, "sc.site.yaml");
        File.WriteAllText(path, Manifest());
        return path;
    }

    /// <summary>The CA's answer to every CSR of the zip, written to <paramref name="answer"/>: the tool's as a tool, the devices' as
    /// devices.</summary>
    public string Sign(string zip, string answer)
    {
        using (var archive = ZipFile.Open(answer, ZipArchiveMode.Create))
        {
            foreach (var (_, data) in CsrZip.ReadRequests(zip))
            {
                string cn = CsrGenerator.Inspect(data).CommonName!;
                var role = cn.StartsWith(Tool, StringComparison.Ordinal) ? CertificateRole.Tool : CertificateRole.Device;
                using var certificate = Ca.SignCsr(Encoding.ASCII.GetString(data), role);
                using var entry = archive.CreateEntry($"{cn}.crt").Open();
                entry.Write(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n"));
            }
        }
        return answer;
    }

    /// <summary>Waits until the device <paramref name="instance"/> is on the hub with its active certificate, whose fingerprint
    /// is <paramref name="fingerprint"/>.</summary>
    public Task RejoinedAsync(uint instance, string fingerprint)
    {
        var device = Sim[instance];
        return WaitForAsync(() => device.ActiveCertificate is { } active && Fingerprints.Of(active.RawData) == fingerprint
            && device.HubConnector is { State: ScHubConnectionStatus.ConnectedToPrimaryHub } connector
            && Hub.CertificateOf(connector.Vmac)?.Thumbprint == active.Thumbprint,
            $"device {instance} rejoined the hub with its new certificate");
    }

    public static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
        if (!condition()) throw new TimeoutException($"not so within {Waits.HangGuard.TotalSeconds:0} s: {what}");
    }

    public async ValueTask DisposeAsync()
    {
        await Sim.DisposeAsync();
        Ca.Dispose();
    }
}
