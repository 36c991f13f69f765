using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Simulator;
using CertLsp.Bacnet.Transport;
using CertLsp.Core.Certificates;
using CertLsp.Devices;

namespace CertLsp.TestSupport;

/// <summary>
/// A BACnet/SC site built by a test inside its network namespace: a primary hub (and optionally a failover hub) with
/// <see cref="ScHubHost"/> on 127.0.x.y, simulated devices each on its own <see cref="ScDatalink"/> with its own certificate (the same
/// certificate written into its Operational_Certificate_File), and the commissioning tool's <see cref="BacnetClient"/> over SC.
/// Certificates come from <see cref="TestAuthority"/>; nothing is written to disk.
/// </summary>
public sealed class ScVerifySite : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> owned = [];
    private TestAuthority? other;
    private readonly List<(ScDatalink Link, DeviceEndpoint Endpoint, SimulatedDevice Device)> devices = [];

    private ScVerifySite(TestAuthority ca, ScHubHost primary, ScHubHost? failover)
    {
        Ca = ca;
        Primary = primary;
        Failover = failover;
        Issuers = new ScPeerVerifier([ca.PublicCertificate]);
    }

    public TestAuthority Ca { get; }

    public ScHubHost Primary { get; }

    public ScHubHost? Failover { get; }

    public ScPeerVerifier Issuers { get; }

    public BacnetClient Tool { get; private set; } = null!;

    public ScDatalink ToolLink { get; private set; } = null!;

    /// <summary>Each device's certificate with its key, by name.</summary>
    public Dictionary<string, X509Certificate2> Certificates { get; } = [];

    public static async Task<ScVerifySite> StartAsync(string subnet, bool failover = false)
    {
        LoopbackNamespace.Require();
        var ca = new TestAuthority("Verify Test Root CA");
        var verifier = new ScPeerVerifier([ca.PublicCertificate]);
        async Task<ScHubHost> Hub(string address) => await ScHubHost.StartAsync(new ScHubHostOptions(IPAddress.Parse(address), 0,
            ca.Issue(CertificateRole.Hub, "hub", address), verifier));
        var primary = await Hub($"{subnet}.2");
        var site = new ScVerifySite(ca, primary, failover ? await Hub($"{subnet}.3") : null);
        site.ToolLink = new ScDatalink(site.Options(ca.Issue(CertificateRole.Device, "tool")));
        site.Tool = BacnetClient.Start(site.ToolLink, new BacnetClientOptions
        {
            ApduTimeout = TimeSpan.FromMilliseconds(700), Retries = 1,
        });
        await site.UntilConnectedAsync(site.ToolLink);
        return site;
    }

    public ScConnectorOptions Options(X509Certificate2 certificate) => new()
    {
        PrimaryHub = Primary.Uri,
        FailoverHub = Failover?.Uri,
        Certificate = certificate,
        VerifyHub = Issuers.CheckHub,
        ConnectWaitTimeout = TimeSpan.FromSeconds(3),
        MinimumReconnectTime = TimeSpan.FromMilliseconds(100),
        MaximumReconnectTime = TimeSpan.FromMilliseconds(400),
    };

    public SiteVerificationOptions VerifyOptions => new()
    {
        PrimaryHub = Primary.Uri,
        FailoverHub = Failover?.Uri,
        VerifyHub = Issuers.CheckHub,
        Issuers = Issuers,
        WhoIsWait = TimeSpan.FromSeconds(2),
        ConnectWait = TimeSpan.FromSeconds(3),
    };

    /// <summary>A device that joins the hub with <paramref name="certificate"/> (a good one from the site's CA when null) and holds
    /// it in its Operational_Certificate_File. With <paramref name="joins"/> false the caller expects its handshake to fail: the
    /// file is not written.</summary>
    public async Task<X509Certificate2> AddDeviceAsync(string name, uint instance, X509Certificate2? certificate = null, bool joins = true)
    {
        certificate ??= Ca.Issue(CertificateRole.Device, name);
        Certificates[name] = certificate;
        var device = new SimulatedDevice(new SimulatedDeviceSpec(instance, IPAddress.Loopback) { Name = name }, 47808);
        var link = new ScDatalink(Options(certificate));
        var endpoint = new DeviceEndpoint(link, device);
        devices.Add((link, endpoint, device));
        if (!joins) return certificate;
        await UntilConnectedAsync(link);
        var written = await new CertificateProvisioning(Tool).WriteFileAsync(new BacnetAddress(link.Connector.Vmac),
            ObjectId.File(SimulatedDevice.OperationalFile), System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
        if (!written.Ok) throw new InvalidOperationException($"writing {name}'s certificate: {written.Failure}");
        return certificate;
    }

    /// <summary>A new tool client over its own link to the hubs (for a run that disposes its client; the link is the site's).</summary>
    public async Task<ToolSession> ConnectToolAsync(SiteVerificationOptions options, CancellationToken cancellationToken)
    {
        var link = new ScDatalink(Options(Ca.Issue(CertificateRole.Device, "tool")));
        owned.Add(link);
        await UntilConnectedAsync(link);
        var clientOptions = new BacnetClientOptions { ApduTimeout = TimeSpan.FromMilliseconds(700), Retries = 1 };
        return new ToolSession(BacnetClient.Start(link, clientOptions));
    }

    /// <summary>A device whose certificate comes from another CA: the hub refuses it, so it never joins.</summary>
    public Task<X509Certificate2> AddDeviceFromAnotherCaAsync(string name, uint instance)
    {
        other ??= new TestAuthority("Another Root CA");
        return AddDeviceAsync(name, instance, other.Issue(CertificateRole.Device, name), joins: false);
    }

    public async Task UntilConnectedAsync(ScDatalink link)
    {
        if (!await link.Connector.WaitUntilAsync(c => c.State != ScHubConnectionStatus.NoHubConnection, Waits.HangGuard))
            throw new InvalidOperationException($"no hub connection: {link.Connector.PrimaryStatus}");
    }

    /// <summary>A copy of a certificate with its key, as the key store would give it (the test disposes its own).</summary>
    public Func<X509Certificate2> Credential(string name) => () =>
        X509CertificateLoader.LoadPkcs12(Certificates[name].Export(X509ContentType.Pkcs12), null);

    /// <summary>In <paramref name="folder"/>: the manifest (local keys, this site's hub), its issuer, and for each device its ledger
    /// block, key and chain file. Returns the manifest's path.</summary>
    public string WriteSite(string folder, params (string Name, uint Instance)[] devices) =>
        ScSiteFiles.Write(folder, "verify.site.yaml", Primary.Uri, Ca.PublicCertificate,
            [.. devices.Select(d => new ScSiteDevice(d.Name, d.Instance, Certificates[d.Name]))], localKeys: true);

    public static string Fingerprint(X509Certificate2 certificate) => Fingerprints.Of(certificate.RawData);

    public async ValueTask DisposeAsync()
    {
        foreach (var (link, endpoint, device) in devices)
        {
            await endpoint.DisposeAsync();
            await link.DisposeAsync();
            device.Dispose();
        }
        await Tool.DisposeAsync();
        await ToolLink.DisposeAsync();
        foreach (var o in owned) await o.DisposeAsync();
        try { await Primary.DisposeAsync(); } catch (ObjectDisposedException) { }
        if (Failover is not null) await Failover.DisposeAsync();
        Ca.Dispose();
        other?.Dispose();
    }
}
