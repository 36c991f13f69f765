using System.Net;
using System.Text;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Certificates;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Devices;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Requests;
using Xunit;

namespace CertLsp.Cli.Tests.Bacnet;

/// <summary>
/// The commissioning tool joins a site's hub with what the site holds: its certificate requested and imported through the CSR flow,
/// its key from the key folder, the hub verified against the site's issuers (<see cref="ScToolConnection"/>); and what stops it, said.
/// </summary>
public sealed class ScToolConnectionTests
{
    private const string Tool = "ops-tool";

    /// <summary>A site whose tool joins <paramref name="hub"/>: one device, local keys, the CA's certificate as ca.issuers.</summary>
    private static TempSite Site(TestAuthority ca, Uri hub)
    {
        var site = new TempSite(TempSite.Manifest(1).Replace("devices:\n",
            $"bacnet:\n  secureConnect:\n    primaryHub: {hub}\n    connectWaitTimeout: 3\n    tool:\n      name: {Tool}\ndevices:\n",
            StringComparison.Ordinal));
        File.WriteAllText(site.File_("ca.pem"), ca.Pem);
        return site;
    }

    /// <summary>csr, the CA signing (the tool as a tool, or serverAuth only), import: the tool's certificate recorded.</summary>
    private static async Task RequestAndImportAsync(TempSite site, TestAuthority ca, bool toolServerAuthOnly = false)
    {
        var csr = await CsrRequester.RunAsync(site.ManifestPath, site.Text, new CsrRequestOptions());
        Assert.Equal(CsrRunState.Done, csr.State);
        var entries = new List<(string, byte[])>();
        foreach (var (_, data) in CsrZip.ReadRequests(csr.Zips[0].Path))
        {
            string pem = Encoding.ASCII.GetString(data);
            string cn = CsrGenerator.Inspect(data).CommonName!;
            var certificate = cn.StartsWith(Tool, StringComparison.Ordinal)
                ? ca.SignCsr(pem, CertificateRole.Tool, toolServerAuthOnly) : ca.SignCsr(pem, CertificateRole.Device);
            entries.Add(($"{cn}.crt", Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n")));
        }
        string answer = site.File_("signed.zip");
        File.WriteAllBytes(answer, TempSite.MakeZip([.. entries]));
        var import = await CertificateImporter.RunAsync(site.ManifestPath, site.Text, answer, new ImportOptions());
        Assert.Equal(2, import.Count(FileVerdict.Accepted));
    }

    private static Task<ScHubHost> HubAsync(TestAuthority hubCa, TestAuthority siteCa) =>
        ScHubHost.StartAsync(new ScHubHostOptions(IPAddress.Parse("127.0.0.2"), 0,
            hubCa.Issue(CertificateRole.Hub, "hub.bms.test.example", "127.0.0.2"), new ScPeerVerifier([siteCa.PublicCertificate])));

    [NeedsFact(Needs.Namespace)]
    public async Task The_tool_joins_the_hub_with_its_imported_certificate_and_key()
    {
        LoopbackNamespace.Require();
        using var ca = new TestAuthority();
        await using var hub = await HubAsync(ca, ca);
        using var site = Site(ca, hub.Uri);
        await RequestAndImportAsync(site, ca);

        using var tool = ScToolConnection.Load(site.ManifestPath);
        Assert.Equal(hub.Uri, tool.PrimaryHub);
        Assert.True(tool.Certificate.HasPrivateKey);
        Assert.Equal(Tool + ".bms.test.example", tool.Certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType
            .SimpleName, false));
        await using (var client = await ScToolConnection.ConnectAsync(tool, 3, CancellationToken.None))
        {
            Assert.True(client.LocalMac.IsSecureConnect);
            var joined = Assert.Single(hub.Hub.Connections, c => c.State == ScConnectionState.Connected);
            Assert.Equal(client.LocalMac.Vmac, joined.PeerVmac);
        }
        // Disposing the client disconnects from the hub (in order: Disconnect-Request, ACK).
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        while (hub.Hub.Connections.Any(c => c.State == ScConnectionState.Connected) && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.DoesNotContain(hub.Hub.Connections, c => c.State == ScConnectionState.Connected);
    }

    /// <summary>The tool's attempt to join a hub that one side's certificate makes fail: the error, the hub's URI and whether any node
    /// joined it.</summary>
    private static async Task<(string Error, Uri Hub, bool AnyJoined)> RefusedAsync(bool hubFromAnotherCa, bool toolServerAuthOnly)
    {
        LoopbackNamespace.Require();
        using var ca = new TestAuthority();
        using var other = new TestAuthority("Another Root CA");
        await using var hub = await HubAsync(hubFromAnotherCa ? other : ca, ca);
        using var site = Site(ca, hub.Uri);
        await RequestAndImportAsync(site, ca, toolServerAuthOnly);
        using var tool = ScToolConnection.Load(site.ManifestPath);
        var refused = await Assert.ThrowsAsync<BacnetSetupException>(() => ScToolConnection.ConnectAsync(tool, 3, CancellationToken.None));
        return (refused.Message, hub.Uri, hub.Hub.Connections.Any(c => c.State == ScConnectionState.Connected));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_hub_from_another_CA_is_refused_and_the_error_says_why()
    {
        var (error, hub, anyJoined) = await RefusedAsync(hubFromAnotherCa: true, toolServerAuthOnly: false);
        Assert.Contains("could not join a hub", error);
        Assert.Contains("hub certificate refused", error);
        Assert.Contains(hub.ToString(), error);
        Assert.False(anyJoined);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_tool_certificate_without_clientAuth_is_refused_by_the_hub()
    {
        var (error, _, anyJoined) = await RefusedAsync(hubFromAnotherCa: false, toolServerAuthOnly: true);
        Assert.Contains("could not join a hub", error);
        Assert.DoesNotContain("hub certificate refused", error);
        Assert.False(anyJoined);
    }

    [Fact]
    public void Load_says_what_is_missing()
    {
        using var ca = new TestAuthority();
        using var site = Site(ca, new Uri("wss://127.0.0.2:47843/"));
        var none = Assert.Throws<BacnetSetupException>(() => ScToolConnection.Load(site.ManifestPath));
        Assert.Contains($"the tool “{Tool}” has no certificate in the ledger", none.Message);

        using var plain = new TempSite(TempSite.Manifest(1));
        Assert.Contains("no bacnet.secureConnect", Assert.Throws<BacnetSetupException>(() => ScToolConnection.Load(plain.ManifestPath))
            .Message);
    }

    [Fact]
    public async Task Load_refuses_a_bundle_that_is_not_the_recorded_certificate_and_a_missing_key()
    {
        using var ca = new TestAuthority();
        using var site = Site(ca, new Uri("wss://127.0.0.2:47843/"));
        await RequestAndImportAsync(site, ca);
        using (ScToolConnection.Load(site.ManifestPath)) { }

        string bundles = CertificateInstaller.DefaultBundleFolder(site.ManifestPath);
        string chain = BundleWriter.ChainPath(bundles, ToolFiles.Name(Tool));
        string good = File.ReadAllText(chain);
        File.WriteAllText(chain, ca.Issue(CertificateRole.Tool, "someone-else").ExportCertificatePem() + "\n");
        Assert.Contains("is not the certificate the ledger records",
            Assert.Throws<BacnetSetupException>(() => ScToolConnection.Load(site.ManifestPath)).Message);

        File.WriteAllText(chain, good);
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        foreach (var file in keys.Files().Where(f => Path.GetFileName(f).Contains("_tool.", StringComparison.Ordinal))) File.Delete(file);
        var missing = Assert.Throws<BacnetSetupException>(() => ScToolConnection.Load(site.ManifestPath));
        Assert.Contains("private key", missing.Message);
        Assert.DoesNotContain("PRIVATE KEY", missing.Message);
    }
}
