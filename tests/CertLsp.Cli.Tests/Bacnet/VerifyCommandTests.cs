using System.Text.Json;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Simulator;
using CertLsp.Cli.Commands;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Workflows.Ledger;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>
/// <c>certlsp verify</c> on a site written to disk (manifest with its hub, issuer file, ledger, key store and chain files for local
/// keys) against a BACnet/SC site the test runs in its network namespace (<see cref="ScVerifySite"/>): the table and JSON, the exit
/// codes, and the ledger records, which survive a reload and show in <c>status</c>.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class VerifyCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-verify-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static async Task<(int Exit, string Out, string Err)> VerifyAsync(ScVerifySite site, string manifestPath, string format)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int exit = await VerifyCommand.RunAsync(manifestPath, format, 2, site.ConnectToolAsync, stdout, stderr, default);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A site with AHU-1 (instance <paramref name="instances"/>+1) and <paramref name="second"/> (+2), written to disk, and
    /// <c>certlsp verify</c> run on it.</summary>
    private async Task<(ScVerifySite Site, string ManifestPath, int Exit, string Out, string Err)> StartAndVerifyAsync(string subnet,
        uint instances, string second, bool fromAnotherCa, string format)
    {
        var site = await ScVerifySite.StartAsync(subnet);
        await site.AddDeviceAsync("AHU-1", instances + 1);
        if (fromAnotherCa) await site.AddDeviceFromAnotherCaAsync(second, instances + 2);
        else await site.AddDeviceAsync(second, instances + 2);
        string manifestPath = site.WriteSite(folder, ("AHU-1", instances + 1), (second, instances + 2));
        var (exit, output, error) = await VerifyAsync(site, manifestPath, format);
        return (site, manifestPath, exit, output, error);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Every_device_joined_exits_0_and_the_ledger_records_it()
    {
        var (site, manifestPath, exit, output, error) = await StartAndVerifyAsync("127.0.22", 2200, "AHU-2", false, "json");
        await using var owner = site;
        Assert.True(exit == 0, output + error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("allJoined").GetBoolean());
        Assert.True(root.GetProperty("ledgerUpdated").GetBoolean());
        var devices = root.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal(["AHU-1", "AHU-2"], devices.Select(d => d.GetProperty("device").GetString()));
        foreach (var device in devices)
        {
            Assert.Equal(["device", "instance", "joined", "identityMatches", "hubStatus", "certificateMatches", "reportedFingerprint",
                "handshake", "result", "reason"], device.EnumerateObject().Select(p => p.Name));
            Assert.True(device.GetProperty("joined").GetBoolean());
            Assert.True(device.GetProperty("identityMatches").GetBoolean());
            Assert.True(device.GetProperty("certificateMatches").GetBoolean());
            Assert.Equal("joined", device.GetProperty("result").GetString());
            Assert.Equal(DeviceVerification.JoinedText, device.GetProperty("reason").GetString());
            Assert.Equal("the primary hub accepted its certificate", device.GetProperty("handshake").GetString());
        }

        // The ledger (reloaded from disk) records each verification; nothing about a key is in it.
        string ledgerPath = LedgerFile.PathFor(manifestPath);
        var ledger = LedgerFile.Load(ledgerPath);
        foreach (var name in new[] { "AHU-1", "AHU-2" })
        {
            var verification = ledger.Find(name)!.Verification!;
            Assert.Equal(VerificationResult.Joined, verification.Result);
            Assert.Equal(DeviceVerification.JoinedText, verification.Reason);
            Assert.True(DateTimeOffset.UtcNow - verification.At < TimeSpan.FromMinutes(5));
        }
        Assert.DoesNotContain("PRIVATE", File.ReadAllText(ledgerPath), StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", output, StringComparison.Ordinal);

        var (statusOut, statusErr) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, StatusCommand.Run(manifestPath, "text", DateTimeOffset.UtcNow, statusOut, statusErr));
        Assert.Contains("BACNET/SC", statusOut.ToString(), StringComparison.Ordinal);
        Assert.Contains(": joined the hub with its certificate", statusOut.ToString(), StringComparison.Ordinal);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_refused_device_exits_1_with_the_reason_in_words_and_bad_input_exits_2()
    {
        var (site, manifestPath, exit, output, error) = await StartAndVerifyAsync("127.0.23", 2300, "VAV-9", true, "text");
        await using var owner = site;
        Assert.True(exit == 1, output + error);
        var lines = output.Split('\n');
        Assert.StartsWith("DEVICE", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("AHU-1", StringComparison.Ordinal) && l.Contains("joined: joined the hub",
            StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("VAV-9", StringComparison.Ordinal) && l.Contains(
            "refused: handshake refused: certificate from another CA", StringComparison.Ordinal));
        Assert.Contains("1 of 2 device(s) joined the hub with their recorded certificate.", output, StringComparison.Ordinal);
        var refused = LedgerFile.Load(LedgerFile.PathFor(manifestPath)).Find("VAV-9")!.Verification!;
        Assert.Equal(VerificationResult.Refused, refused.Result);
        Assert.StartsWith("handshake refused: certificate from another CA", refused.Reason, StringComparison.Ordinal);

        // A manifest without a hub, without a tool, and a timeout out of range: could not run, the ledger untouched.
        string before = File.ReadAllText(LedgerFile.PathFor(manifestPath));
        var (noTool, noToolErr) = (new StringWriter(), new StringWriter());
        Assert.Equal(2, await VerifyCommand.RunAsync(manifestPath, "text", 2, null, noTool, noToolErr, default));
        Assert.Contains("tool", noToolErr.ToString(), StringComparison.Ordinal);
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("  secureConnect:", "  notSecureConnect:",
            StringComparison.Ordinal));
        (exit, _, error) = await VerifyAsync(site, manifestPath, "text");
        Assert.Equal(2, exit);
        Assert.Contains("no “bacnet.secureConnect” section", error, StringComparison.Ordinal);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(2, await VerifyCommand.RunAsync(manifestPath, "text", 0, site.ConnectToolAsync, stdout, stderr, default));
        Assert.Equal(before, File.ReadAllText(LedgerFile.PathFor(manifestPath)));
    }

    /// <summary>The path bench/run-sc.sh measures, small: a simulated SC-only site (<see cref="SimulatedSite"/>) of 20 devices joined
    /// to its hub, written to disk by <see cref="ScSiteFiles"/> with local keys and the tool's own credentials, and <c>certlsp verify</c>
    /// as the command line runs it (the tool joining as the manifest names it): every device green, each with a handshake of its
    /// own key; then with device-held keys (no handshakes) the same.</summary>
    [NeedsFact(Needs.Namespace)]
    public async Task Verify_of_a_simulated_site_of_20_devices_is_green_with_local_and_device_held_keys()
    {
        LoopbackNamespace.Require();
        using var ca = new TestAuthority("Verify Scale Test CA");
        var hubAddress = System.Net.IPAddress.Parse("127.0.43.2");
        var devices = Enumerable.Range(0, 20).Select(i => new ScSiteDevice($"dev-{i + 1:D2}", 4301 + (uint)i,
            ca.Issue(CertificateRole.Device, $"dev-{i + 1:D2}.bms.test.example"))).ToList();
        var specs = devices.Select(d => new SimulatedDeviceSpec(d.Instance, System.Net.IPAddress.Loopback)
        {
            Name = d.Name, ScOnly = true, InitialCertificate = d.Certificate,
        });
        await using var sim = await SimulatedSite.StartAsync(specs, 47808, null, new SimulatedScOptions
        {
            Issuers = [ca.PublicCertificate],
            Hub = new ScHubHostOptions(hubAddress, 0, ca.Issue(CertificateRole.Hub, "hub", hubAddress.ToString()),
                new ScPeerVerifier([ca.PublicCertificate])),
        });
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        while (sim.Devices.Any(d => d.HubConnector is not { State: ScHubConnectionStatus.ConnectedToPrimaryHub })
            && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var tool = ca.Issue(CertificateRole.Tool, "ops-tool.bms.test.example");
        foreach (var (localKeys, folderName) in new[] { (true, "local"), (false, "held") })
        {
            string manifestPath = ScSiteFiles.Write(Path.Combine(folder, folderName), "scale.site.yaml", sim.Hub!.Uri,
                ca.PublicCertificate, devices, localKeys, tool);
            var verify = await Cli.RunAsync("verify", manifestPath, "--format", "json", "--timeout", "5");
            Assert.True(verify.Exit == 0, verify.ToString());
            using var json = JsonDocument.Parse(verify.Stdout);
            var rows = json.RootElement.GetProperty("devices").EnumerateArray().ToList();
            Assert.Equal(devices.Select(d => d.Name), rows.Select(r => r.GetProperty("device").GetString()));
            Assert.All(rows, r => Assert.Equal("joined", r.GetProperty("result").GetString()));
            Assert.All(rows, r => Assert.Equal(localKeys ? "the primary hub accepted its certificate" : null,
                r.GetProperty("handshake").GetString()));
            Assert.All(devices, d => Assert.Equal(VerificationResult.Joined,
                LedgerFile.Load(LedgerFile.PathFor(manifestPath)).Find(d.Name)!.Verification!.Result));
        }
    }
}
