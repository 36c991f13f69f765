using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Ledger;
using Xunit;

namespace CertLsp.Cli.Tests.Bacnet;

/// <summary>
/// The renewal of a site that has no BACnet/IP at all (issue 14, point 5), with the CLI as an engineer runs it: the devices are
/// SC-only and joined to the site's hub with their current certificates; the tool (“tool.datalink: sc”) first gets its own
/// certificate (csr and import need no hub for it), then csr reads the devices' CSRs through the hub, the CA signs, and import
/// installs each certificate over SC: every device rejoins the hub with its new certificate.
/// </summary>
public sealed class ScRenewalCommandTests
{
    private const string Tool = ScOnlySite.Tool;

    [NeedsFact(Needs.Namespace)]
    public async Task A_site_without_BACnet_IP_renews_over_SC_and_every_device_rejoins_with_its_new_certificate()
    {
        await using var sc = await ScOnlySite.StartAsync("127.0.17", 2, 3001);
        var (ca, sim, specs) = (sc.Ca, sc.Sim, sc.Specs);
        var old = sim.Devices.ToDictionary(d => d.Spec.Instance, d => d.ActiveCertificate!.Thumbprint);

        using var site = new TempSite(sc.Manifest());
        File.WriteAllText(site.File_("ca.pem"), ca.Pem);
        SiteLedger Ledger() => LedgerFile.Load(site.LedgerPath);
        string Sign(string zip, string answer) => sc.Sign(zip, answer);

        // 1. The tool has no certificate yet: it cannot join, so the devices are not reached, but its own CSR is made.
        var first = await Cli.RunAsync("csr", site.ManifestPath, "--timeout", "3");
        Assert.Contains("not reached over BACnet/SC", first.Stderr);
        Assert.NotNull(Ledger().FindTool(Tool)!.Pending);
        Assert.All(specs, s => Assert.Null(Ledger().Find(s.Name)));
        var toolAnswer = Sign(Assert.Single(site.Zips), site.File_("tool-answer.zip"));
        var toolImport = await Cli.RunAsync("import", site.ManifestPath, toolAnswer, "--timeout", "3");
        Assert.True(toolImport.Exit == 0, toolImport.Stdout + toolImport.Stderr);
        Assert.NotNull(Ledger().FindTool(Tool)!.Certificate);

        // discover over SC (the manifest's tool.datalink): both devices answer Who-Is through the hub, at their VMACs.
        var discover = await Cli.RunAsync("discover", "--manifest", site.ManifestPath, "--expect", "2", "--timeout", "3");
        Assert.True(discover.Exit == 0, discover.ToString());
        Assert.Contains("2 device(s) answered.", discover.Stdout);
        Assert.Contains($"vmac {sim[3001].HubConnector!.Vmac}", discover.Stdout);

        // 2. csr over SC: the tool joins the hub, finds the devices by Who-Is and reads each device's CSR through the hub.
        var csr = await Cli.RunAsync("csr", site.ManifestPath, "--timeout", "3");
        Assert.True(csr.Exit == 0, csr.Stdout + csr.Stderr);
        Assert.Contains("Summary: 2 requested", csr.Stdout);
        Assert.All(specs, s => Assert.NotNull(Ledger().Find(s.Name)!.Pending));

        // 3. The CA signs; import installs over SC (the flag says so too); each device activates and rejoins with it.
        string answer = Sign(site.Zips[^1], site.File_("answer.zip"));
        var import = await Cli.RunAsync("import", site.ManifestPath, answer, "--datalink", "sc", "--timeout", "3");
        Assert.True(import.Exit == 0, import.Stdout + import.Stderr);
        foreach (var spec in specs)
        {
            var entry = Ledger().Find(spec.Name)!;
            Assert.Equal(InstallState.Installed, entry.InstallStateOfCertificate);
            var device = sim[spec.Instance];
            Assert.NotEqual(old[spec.Instance], device.ActiveCertificate!.Thumbprint);
            Assert.Equal(entry.Certificate!.Fingerprint, Fingerprints.Of(device.ActiveCertificate.RawData));
            await sc.RejoinedAsync(spec.Instance, entry.Certificate.Fingerprint);
        }

        // Nothing is left to install; install over SC says so (it joins the hub to find out nothing is due).
        var install = await Cli.RunAsync("install", site.ManifestPath, "--datalink", "sc", "--timeout", "3");
        Assert.True(install.Exit == 0, install.ToString());
        Assert.Contains("Installs: none due", install.Stdout);

        // The tool's certificate is not due; the devices have valid certificates: nothing left to request.
        var again = await Cli.RunAsync("csr", site.ManifestPath, "--timeout", "3");
        Assert.True(again.Exit == 0, again.Stdout + again.Stderr);
        Assert.Contains("Summary: 0 requested", again.Stdout);
    }
}
