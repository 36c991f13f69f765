using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.LanguageServer.Protocol;
using CertLsp.Workflows.Ledger;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// The editor's device commands on a site that has no BACnet/IP at all (issue 14, point 5), in process over LSP: the manifest's tool
/// reaches the devices over BACnet/SC (“tool.datalink: sc”), so Discover, Generate CSRs (device-held keys), Import (with its installs)
/// and Install join the site's hub as the tool, with no bind setting. The tool's own certificate is requested and imported before it
/// can join; a hub the tool cannot reach is a clear message that keeps the ledger; an install cancelled mid-way over SC leaves the
/// ledger and the devices agreeing.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class LspScCommandTests : IDisposable
{
    private const string Tool = ScOnlySite.Tool;

    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-lspsc-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static Task<T> Execute<T>(LspTestClient client, string command, object argument, object? token = null) =>
        client.Rpc.InvokeWithParameterObjectAsync<T>(Methods.ExecuteCommand,
            new { command, arguments = new[] { argument }, workDoneToken = token });

    private SiteLedger Ledger(string manifestPath) => LedgerFile.Load(LedgerFile.PathFor(manifestPath));

    /// <summary>The editor with the SC site's manifest open (no settings: no bind address), after the tool got its certificate:
    /// Generate CSRs cannot reach the devices yet but makes the tool's CSR, the CA signs it, Import records it (no hub needed).</summary>
    private async Task<(LspTestClient Client, string Uri, string ManifestPath)> WithToolCertificateAsync(ScOnlySite sc)
    {
        string manifestPath = sc.WriteSite(folder);
        string uri = new Uri(manifestPath).AbsoluteUri;
        var client = await LspTestClient.StartInitializedAsync(folder);
        await client.OpenAsync(uri, await File.ReadAllTextAsync(manifestPath));

        var first = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri });
        Assert.Equal((1, sc.Specs.Count), (first.Requested, first.Failed));
        Assert.EndsWith($"The devices were not reached over BACnet/SC: the tool “{Tool}” has no certificate in the ledger: request it " +
            "with certlsp csr and import what the CA signs.", first.Message, StringComparison.Ordinal);
        Assert.NotNull(Ledger(manifestPath).FindTool(Tool)!.Pending);
        Assert.All(sc.Specs, s => Assert.Null(Ledger(manifestPath).Find(s.Name)));
        string toolAnswer = sc.Sign(Assert.Single(first.Zips), Path.Combine(folder, "tool-answer.zip"));
        var toolImport = await Execute<ImportCertificatesResult>(client, CertLspCommands.ImportCertificates,
            new { uri, path = toolAnswer });
        Assert.True((toolImport.Imported, toolImport.Rejected, toolImport.Refusal) == (1, 0, null), toolImport.Message);
        Assert.NotNull(Ledger(manifestPath).FindTool(Tool)!.Certificate);
        return (client, uri, manifestPath);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task An_SC_only_site_is_discovered_renewed_installed_and_verified_from_the_editor_through_the_hub()
    {
        await using var sc = await ScOnlySite.StartAsync("127.0.33", 2, 3301);
        var old = sc.Sim.Devices.ToDictionary(d => d.Spec.Instance, d => d.ActiveCertificate!.Thumbprint);
        string manifestPath = sc.WriteSite(folder);
        string uri = new Uri(manifestPath).AbsoluteUri;
        await using (var before = await LspTestClient.StartInitializedAsync(folder))
        {
            // Without its certificate the tool cannot join: Discover says so and sends nothing.
            await before.OpenAsync(uri, await File.ReadAllTextAsync(manifestPath));
            var refused = await Execute<DiscoverDevicesResult>(before, CertLspCommands.DiscoverDevices, new { uri, timeout = 1 });
            Assert.Equal($"Discover devices: the devices are not reached over BACnet/SC: the tool “{Tool}” has no certificate in the " +
                "ledger: request it with certlsp csr and import what the CA signs. No Who-Is was sent.", refused.Refusal);
            await before.MessageAsync(m => m.Type == MessageType.Warning && m.Message == refused.Refusal);
        }
        var (client, _, _) = await WithToolCertificateAsync(sc);
        await using var _ = client;

        // Discover: Who-Is through the hub; both devices answer, the one the manifest lacks is added by name and instance (over SC
        // a device has no manifest address).
        string full = sc.Manifest();
        string lacking = full[..full.IndexOf("  - name: dev-02", StringComparison.Ordinal)];
        await client.ChangeAsync(uri, 2, LspTestClient.Full(lacking));
        var discovered = await Execute<DiscoverDevicesResult>(client, CertLspCommands.DiscoverDevices, new { uri, timeout = 2 },
            "tok-discover");
        Assert.Null(discovered.Refusal);
        Assert.Equal("Discover devices: 2 answered; 1 added (dev-02), 0 address(es) updated, 0 did not answer.", discovered.Message);
        Assert.Equal((2, 0, 0, true), (discovered.Answered, discovered.Missing.Length, discovered.Differences.Length,
            discovered.Applied));
        Assert.Equal(full, TextEdits.Apply(lacking, Assert.Single(client.AppliedEdits).Edit.Changes[uri]));
        await client.ChangeAsync(uri, 3, LspTestClient.Full(full)); // as the editor applied it
        await client.ProgressAsync(p => p.TryGetProperty("message", out var m)
            && m.GetString()!.StartsWith($"Joining the hub {sc.Hub.Uri} as the tool “{Tool}”", StringComparison.Ordinal));

        // Generate CSRs: each device's CSR read through the hub (the tool's certificate is valid: not requested).
        var csrs = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri }, "tok-csr");
        Assert.True((csrs.Requested, csrs.Failed) == (2, 0), csrs.Message);
        Assert.All(sc.Specs, s => Assert.NotNull(Ledger(manifestPath).Find(s.Name)!.Pending));

        // Import: the CA's answer is installed over SC and activated; each device rejoins the hub with its new certificate.
        string answer = sc.Sign(csrs.Zips[^1], Path.Combine(folder, "answer.zip"));
        var imported = await Execute<ImportCertificatesResult>(client, CertLspCommands.ImportCertificates, new { uri, path = answer },
            "tok-import");
        Assert.Equal("Certificates: 2 imported, 0 already imported, 0 rejected. Installs on the devices: 2 installed, 0 failed.",
            imported.Message);
        await client.MessageAsync(m => m.Type == MessageType.Info && m.Message == imported.Message);
        foreach (var spec in sc.Specs)
        {
            var entry = Ledger(manifestPath).Find(spec.Name)!;
            Assert.Equal(InstallState.Installed, entry.InstallStateOfCertificate);
            Assert.NotEqual(old[spec.Instance], sc.Sim[spec.Instance].ActiveCertificate!.Thumbprint);
            await sc.RejoinedAsync(spec.Instance, entry.Certificate!.Fingerprint);
        }

        // Install: nothing due (the tool joins the hub to find out).
        var install = await Execute<InstallCertificatesResult>(client, CertLspCommands.InstallCertificates, new { uri });
        Assert.Null(install.Refusal);
        Assert.Equal("Installs: none due; the ledger records every imported certificate as installed on its device.", install.Message);

        // Verify site: every device joined the hub with the certificate the ledger records. It verifies the open buffer, tool
        // included: the file on disk (broken here, as an unsaved edit can leave it) is not read again.
        await File.WriteAllTextAsync(manifestPath, "site: [unsaved edit\n");
        var verified = await Execute<VerifySiteResult>(client, CertLspCommands.VerifySite, new { uri, timeout = 3 });
        Assert.True(verified.AllJoined, verified.Message);
        Assert.Equal(["joined", "joined"], verified.Devices.Select(d => d.Result));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_hub_the_tool_cannot_reach_is_a_clear_message_that_keeps_the_ledger_and_a_cancelled_install_over_SC_agrees()
    {
        await using var sc = await ScOnlySite.StartAsync("127.0.34", 3, 3401);
        var old = sc.Sim.Devices.ToDictionary(d => d.Spec.Instance, d => Fingerprints.Of(d.ActiveCertificate!.RawData));
        var (client, uri, manifestPath) = await WithToolCertificateAsync(sc);
        await using var _ = client;
        var csrs = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri });
        Assert.True((csrs.Requested, csrs.Failed) == (3, 0), csrs.Message);
        string answer = sc.Sign(csrs.Zips[^1], Path.Combine(folder, "answer.zip"));

        // The hub is down (nothing listens where the open manifest says it is): the import records the certificates, install
        // pending, and says why; Install and Discover refuse with the reason; the ledger keeps every certificate.
        var down = new Uri("wss://127.0.34.3:47999/");
        await client.ChangeAsync(uri, 2, LspTestClient.Full(sc.Manifest(down)));
        var imported = await Execute<ImportCertificatesResult>(client, CertLspCommands.ImportCertificates, new { uri, path = answer });
        Assert.Equal((3, 0, 0, 3), (imported.Imported, imported.Installs!.Installed, imported.Installs.Failed, imported.Installs.Pending));
        Assert.Contains($"recorded as install pending: the devices are not reached over BACnet/SC: the tool “{Tool}” could not join a " +
            $"hub: {down}", imported.Message, StringComparison.Ordinal);
        Assert.EndsWith($"Then install them with {CertLspCommands.InstallCertificates}.", imported.Message, StringComparison.Ordinal);
        await client.MessageAsync(m => m.Type == MessageType.Warning && m.Message == imported.Message);
        Assert.All(sc.Specs, s => Assert.Equal(InstallState.Pending, Ledger(manifestPath).Find(s.Name)!.InstallStateOfCertificate));
        string ledgerText = await File.ReadAllTextAsync(LedgerFile.PathFor(manifestPath));

        var refused = await Execute<InstallCertificatesResult>(client, CertLspCommands.InstallCertificates, new { uri }, "tok-down");
        Assert.StartsWith($"Nothing was installed: the devices are not reached over BACnet/SC: the tool “{Tool}” could not join a hub: " +
            $"{down}", refused.Refusal, StringComparison.Ordinal);
        Assert.EndsWith($"install them with {CertLspCommands.InstallCertificates} once the tool can join the hub.", refused.Refusal,
            StringComparison.Ordinal);
        Assert.Equal((0, 0, 0), (refused.Installed, refused.Failed, refused.Pending));
        await client.MessageAsync(m => m.Type == MessageType.Warning && m.Message == refused.Refusal);
        var notDiscovered = await Execute<DiscoverDevicesResult>(client, CertLspCommands.DiscoverDevices, new { uri, timeout = 1 });
        Assert.Contains("could not join a hub", notDiscovered.Refusal, StringComparison.Ordinal);
        Assert.Equal(ledgerText, await File.ReadAllTextAsync(LedgerFile.PathFor(manifestPath)));
        Assert.All(sc.Sim.Devices, d => Assert.Equal(old[d.Spec.Instance], Fingerprints.Of(d.ActiveCertificate!.RawData)));

        // The hub is back, and the manifest names a device that never answers, so the tool listens for I-Ams the whole device
        // timeout. Once the three devices have answered the Who-Is they fall silent: each install waits on its device.
        await client.ChangeAsync(uri, 3, LspTestClient.Full(sc.Manifest(null, ("dev-gone", 3499))));
        var iAmsBefore = sc.Specs.ToDictionary(s => s.Instance, s => sc.Sim.IAmsSentBy(s.Instance));
        var call = Execute<InstallCertificatesResult>(client, CertLspCommands.InstallCertificates, new { uri }, "tok-cancel");
        await ScOnlySite.WaitForAsync(() => sc.Specs.All(s => sc.Sim.IAmsSentBy(s.Instance) > iAmsBefore[s.Instance]),
            "every device answered the tool's Who-Is");
        using (var silent = new SilentDevices(sc.Sim.Devices))
            await silent.ReachedAsync("the installs reached every (silent) device");
        await client.Notify(CertLspCommands.WorkDoneProgressCancel, new { token = "tok-cancel" }); // the progress UI's cancel
        await client.HandledSoFarAsync(uri);
        // The first device answers again within its retries: its install, already under way, finishes. The others stay silent.
        var back = sc.Specs[0];
        sc.Sim[back.Instance].Unresponsive = false;
        var result = await call;

        Assert.True(result.Cancelled, result.Message);
        Assert.Contains(result.Devices, d => d.Device == back.Name && d.State == "installed");
        Assert.Equal(1, result.Installed);
        Assert.StartsWith("Installs on the devices cancelled: 1 installed", result.Message, StringComparison.Ordinal);
        await client.MessageAsync(m => m.Type == MessageType.Warning && m.Message == result.Message);
        // The ledger and the devices agree: installed exactly where the device has the new certificate active.
        var ledger = Ledger(manifestPath);
        foreach (var spec in sc.Specs)
        {
            var entry = ledger.Find(spec.Name)!;
            string active = Fingerprints.Of(sc.Sim[spec.Instance].ActiveCertificate!.RawData);
            if (entry.InstallStateOfCertificate == InstallState.Installed) Assert.Equal(entry.Certificate!.Fingerprint, active);
            else Assert.Equal(old[spec.Instance], active);
        }

        // The rest, later: every device rejoins the hub with its new certificate.
        foreach (var device in sc.Sim.Devices) device.Unresponsive = false;
        await client.ChangeAsync(uri, 4, LspTestClient.Full(sc.Manifest()));
        var rest = await Execute<InstallCertificatesResult>(client, CertLspCommands.InstallCertificates, new { uri });
        Assert.True((rest.Installed, rest.Failed, rest.Pending) == (sc.Specs.Count - 1, 0, 0), rest.Message);
        foreach (var spec in sc.Specs) await sc.RejoinedAsync(spec.Instance,
            Ledger(manifestPath).Find(spec.Name)!.Certificate!.Fingerprint);
    }
}
