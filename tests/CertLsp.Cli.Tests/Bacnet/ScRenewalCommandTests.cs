using System.Text.Json;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Devices;
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

    /// <summary>The site's manifest and issuer on disk, and the tool's own certificate: the tool has none yet, so it cannot join and
    /// the devices are not reached, but its own CSR is made; the CA's answer is imported without a hub.</summary>
    private static async Task<TempSite> SiteWithToolAsync(ScOnlySite sc)
    {
        var site = new TempSite(sc.Manifest());
        File.WriteAllText(site.File_("ca.pem"), sc.Ca.Pem);
        var first = await Cli.RunAsync("csr", site.ManifestPath, "--timeout", "3");
        Assert.Contains("not reached over BACnet/SC", first.Stderr);
        var ledger = LedgerFile.Load(site.LedgerPath);
        Assert.NotNull(ledger.FindTool(Tool)!.Pending);
        Assert.All(sc.Specs, s => Assert.Null(ledger.Find(s.Name)));
        var toolAnswer = sc.Sign(Assert.Single(site.Zips), site.File_("tool-answer.zip"));
        var toolImport = await Cli.RunAsync("import", site.ManifestPath, toolAnswer, "--timeout", "3");
        Assert.True(toolImport.Exit == 0, toolImport.Stdout + toolImport.Stderr);
        Assert.NotNull(LedgerFile.Load(site.LedgerPath).FindTool(Tool)!.Certificate);
        return site;
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_site_without_BACnet_IP_renews_over_SC_and_every_device_rejoins_with_its_new_certificate()
    {
        await using var sc = await ScOnlySite.StartAsync("127.0.17", 2, 3001);
        var (ca, sim, specs) = (sc.Ca, sc.Sim, sc.Specs);
        var old = sim.Devices.ToDictionary(d => d.Spec.Instance, d => d.ActiveCertificate!.Thumbprint);

        // 1. The tool gets its own certificate first (csr and import need no hub for it).
        using var site = await SiteWithToolAsync(sc);
        SiteLedger Ledger() => LedgerFile.Load(site.LedgerPath);
        string Sign(string zip, string answer) => sc.Sign(zip, answer);

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

    /// <summary>
    /// Issue 14 point 5, “a failed activation leaves it on the old one, connected”, through the CLI: dev-02 restarts after its CSR
    /// went out and loses the key the CSR was for, so its new certificate is not for its key and ACTIVATE_CHANGES is refused. install
    /// --datalink sc installs the others, says which device failed and why, and the ledger records exactly that; dev-02 stays joined
    /// with its old certificate, and verify reports it joined but with another certificate than the ledger recorded.
    /// </summary>
    [NeedsFact(Needs.Namespace)]
    public async Task A_failed_activation_over_SC_is_recorded_and_leaves_the_device_joined_with_its_old_certificate()
    {
        await using var sc = await ScOnlySite.StartAsync("127.0.35", 3, 3001);
        var (sim, specs, hub) = (sc.Sim, sc.Specs, sc.Hub);
        var old = sim.Devices.ToDictionary(d => d.Spec.Name, d => d.ActiveCertificate!);
        using var site = await SiteWithToolAsync(sc);
        SiteLedger Ledger() => LedgerFile.Load(site.LedgerPath);
        var csr = await Cli.RunAsync("csr", site.ManifestPath, "--timeout", "3");
        Assert.True(csr.Exit == 0, csr.ToString());
        Assert.Contains("Summary: 3 requested", csr.Stdout);

        // dev-02 restarts: the key of its CSR was pending, so it is gone; it rejoins with its old certificate and key.
        var failing = sim[3002];
        await sim.RestartAsync(3002, TimeSpan.FromMilliseconds(200));
        await sc.RejoinedAsync(3002, Fingerprints.Of(old["dev-02"].RawData));

        // import without installing (--datalink bip and no --bind): the certificates are recorded as install pending.
        string answer = sc.Sign(site.Zips[^1], site.File_("answer.zip"));
        var import = await Cli.RunAsync("import", site.ManifestPath, answer, "--datalink", "bip");
        Assert.True(import.Exit == 0, import.ToString());
        Assert.Contains("Summary: 3 accepted", import.Stdout);
        Assert.Contains("Installs: 3 certificate(s) wait to be installed", import.Stdout);
        Assert.All(specs, s => Assert.Equal(InstallState.Pending, Ledger().Find(s.Name)!.Install!.State));
        var imported = Ledger();
        var toolBefore = imported.FindTool(Tool)!;

        var install = await Cli.RunAsync("install", site.ManifestPath, "--datalink", "sc", "--timeout", "3");
        Assert.True(install.Exit == 1, install.ToString());
        Assert.Equal("", install.Stderr);
        Assert.Contains("Installs: 2 installed, 1 failed.", install.Stdout);
        Assert.Matches(@"INSTALL FAILED   dev-02: device 3002 .*NetworkPort:2: ReinitializeDevice ACTIVATE_CHANGES: error " +
            @"Device/InvalidConfigurationData; its pending changes were discarded", install.Stdout);
        Assert.Matches(@"installed        dev-01: ", install.Stdout);
        Assert.Matches(@"installed        dev-03: ", install.Stdout);

        // The device: refused for its key, nothing left pending, still on its old certificate and key, still joined with them.
        Assert.Equal("the certificate's public key is not the device's key", failing.LastActivationProblem);
        Assert.False(failing.ChangesPending);
        Assert.Equal(old["dev-02"].Thumbprint, failing.ActiveCertificate!.Thumbprint);
        Assert.Equal(Fingerprints.Of(old["dev-02"].RawData),
            SiteVerification.FingerprintOf(failing.FileContent(SimulatedDevice.OperationalFile)));
        Assert.Equal(ScHubConnectionStatus.ConnectedToPrimaryHub, failing.HubConnector!.State);
        Assert.Equal(old["dev-02"].Thumbprint, hub.CertificateOf(failing.HubConnector.Vmac)?.Thumbprint);
        foreach (var name in new[] { "dev-01", "dev-03" })
        {
            var device = sim.Devices.Single(d => d.Spec.Name == name);
            Assert.Equal(Ledger().Find(name)!.Certificate!.Fingerprint, Fingerprints.Of(device.ActiveCertificate!.RawData));
            await sc.RejoinedAsync(device.Spec.Instance, Fingerprints.Of(device.ActiveCertificate.RawData));
        }

        // The ledger: dev-02's install failed with the device's error, its new certificate stays recorded (valid, not installed);
        // the others are installed; the tool's entry and every certificate imported are as they were.
        var ledger = Ledger();
        var entry = ledger.Find("dev-02")!;
        Assert.Equal(InstallState.Failed, entry.Install!.State);
        Assert.Contains("error Device/InvalidConfigurationData", entry.Install.Error);
        Assert.Equal(imported.Find("dev-02")!.Certificate!.Fingerprint, entry.Certificate!.Fingerprint);
        Assert.Equal(CertificateStatus.Valid, entry.StatusAt(DateTimeOffset.UtcNow));
        Assert.NotEqual(Fingerprints.Of(old["dev-02"].RawData), entry.Certificate.Fingerprint);
        foreach (var name in new[] { "dev-01", "dev-03" })
        {
            Assert.Equal(InstallState.Installed, ledger.Find(name)!.Install!.State);
            Assert.Equal(imported.Find(name)!.Certificate!.Fingerprint, ledger.Find(name)!.Certificate!.Fingerprint);
        }
        Assert.Equal(toolBefore.Certificate!.Fingerprint, ledger.FindTool(Tool)!.Certificate!.Fingerprint);
        Assert.Null(ledger.FindTool(Tool)!.Pending);
        Assert.Equal(3, ledger.Entries.Count);
        var status = await Cli.RunAsync("status", site.ManifestPath);
        Assert.Matches(@"dev-02\s.*FAILED: device 3002 ", status.Stdout);

        // verify: dev-02 joined the hub, but with another certificate than the ledger recorded (its old one); exit 1.
        var verify = await Cli.RunAsync("verify", site.ManifestPath, "--format", "json", "--timeout", "3");
        Assert.True(verify.Exit == 1, verify.ToString());
        using var json = JsonDocument.Parse(verify.Stdout);
        Assert.False(json.RootElement.GetProperty("allJoined").GetBoolean());
        var rows = json.RootElement.GetProperty("devices").EnumerateArray().ToDictionary(d => d.GetProperty("device").GetString()!);
        Assert.Equal(["dev-01", "dev-02", "dev-03"], rows.Keys.Order(StringComparer.Ordinal));
        var failed = rows["dev-02"];
        Assert.True(failed.GetProperty("joined").GetBoolean());
        Assert.True(failed.GetProperty("identityMatches").GetBoolean());
        Assert.Equal("connected to the primary hub", failed.GetProperty("hubStatus").GetString());
        Assert.False(failed.GetProperty("certificateMatches").GetBoolean());
        Assert.Equal(Fingerprints.Of(old["dev-02"].RawData), failed.GetProperty("reportedFingerprint").GetString());
        Assert.Equal("mismatch", failed.GetProperty("result").GetString());
        Assert.StartsWith("it reports another certificate", failed.GetProperty("reason").GetString());
        foreach (var name in new[] { "dev-01", "dev-03" })
        {
            Assert.Equal("joined", rows[name].GetProperty("result").GetString());
            Assert.True(rows[name].GetProperty("certificateMatches").GetBoolean());
        }
        ledger = Ledger();
        Assert.Equal(VerificationResult.Mismatch, ledger.Find("dev-02")!.Verification!.Result);
        Assert.Equal(InstallState.Failed, ledger.Find("dev-02")!.Install!.State);
        Assert.All(new[] { "dev-01", "dev-03" }, n => Assert.Equal(VerificationResult.Joined, ledger.Find(n)!.Verification!.Result));

        // The same install again fails the same way and changes nothing else; a new CSR for dev-02 alone, signed and imported
        // over SC, moves it to a new certificate, and verify is green for all three.
        var again = await Cli.RunAsync("install", site.ManifestPath, "--datalink", "sc", "--timeout", "3");
        Assert.True(again.Exit == 1, again.ToString());
        Assert.Contains("Installs: 0 installed, 1 failed.", again.Stdout);
        Assert.Equal(old["dev-02"].Thumbprint, failing.ActiveCertificate!.Thumbprint);
        var renew = await Cli.RunAsync("csr", site.ManifestPath, "--device", "dev-02", "--timeout", "3");
        Assert.True(renew.Exit == 0, renew.ToString());
        Assert.Contains("Summary: 1 requested", renew.Stdout);
        var renewed = await Cli.RunAsync("import", site.ManifestPath, sc.Sign(site.Zips[^1], site.File_("answer-2.zip")), "--timeout",
            "3");
        Assert.True(renewed.Exit == 0, renewed.ToString());
        Assert.Contains("Installs: 1 installed, 0 failed.", renewed.Stdout);
        Assert.Equal(Ledger().Find("dev-02")!.Certificate!.Fingerprint, Fingerprints.Of(failing.ActiveCertificate!.RawData));
        await sc.RejoinedAsync(3002, Fingerprints.Of(failing.ActiveCertificate.RawData));
        var green = await Cli.RunAsync("verify", site.ManifestPath, "--timeout", "3");
        Assert.True(green.Exit == 0, green.ToString());
        Assert.Contains("3 of 3 device(s) joined the hub with their recorded certificate.", green.Stdout);
    }
}
