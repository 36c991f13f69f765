using CertLsp.Bacnet;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Ledger;
using CertLsp.LanguageServer.Protocol;
using CertLsp.Workflows.Ledger;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// The language server installs certificates on devices that hold their keys (key.source: device), in process over LSP against
/// simulated devices: the import installs when certlsp.bacnet.bind is set; without it the certificates are recorded install pending
/// and certlsp.installCertificates installs them later from the ledger; a refusing device is reported; a cancelled install leaves
/// the ledger and the devices agreeing. The CSRs come from `certlsp csr --bind` (in process), the answer from the demo CA.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class LspInstallCommandTests
{
    private const ushort Port = 47817;
    private const byte Subnet = 12;
    private const string Bind = "127.0.1.21";

    private static object Settings(string? bind) => new { bacnet = new { bind } };

    private static string UriOf(DeviceKeySite site) => new Uri(site.ManifestPath).AbsoluteUri;

    private static Task<T> Execute<T>(LspTestClient client, string command, object argument, object? token = null) =>
        client.Rpc.InvokeWithParameterObjectAsync<T>(Methods.ExecuteCommand,
            new { command, arguments = new[] { argument }, workDoneToken = token });

    /// <summary>Device CSRs (certlsp csr --bind), the demo CA's answer to them and the certificates in it by CN.</summary>
    private static async Task<(string Answer, Dictionary<string, string> Certificates)> SignedAnswerAsync(DeviceKeySite site)
    {
        var (exit, output, error) = await DeviceKeySite.RunAsync("csr", site.ManifestPath, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, output + error);
        string answer = site.SignAll();
        return (answer, DeviceKeySite.Certificates(answer));
    }

    /// <summary>A language server with the bind setting (or none) and the site's manifest open.</summary>
    private static async Task<(LspTestClient Client, string Uri)> OpenAsync(DeviceKeySite site, string? bind)
    {
        var client = await LspTestClient.StartInitializedAsync(site.Folder, initializationOptions: Settings(bind));
        string uri = UriOf(site);
        await client.OpenAsync(uri, await File.ReadAllTextAsync(site.ManifestPath));
        return (client, uri);
    }

    private static SiteLedger Ledger(DeviceKeySite site) => LedgerFile.Load(LedgerFile.PathFor(site.ManifestPath));

    private static async Task<SiteStatusResult> StatusWhenAsync(LspTestClient client, string uri, Func<SiteStatusResult, bool> condition)
    {
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        for (; ; )
        {
            var status = await client.Request<SiteStatusResult>(CertLspCommands.SiteStatus, new { uri });
            if (condition(status)) return status;
            Assert.True(DateTime.UtcNow < deadline, "the status did not show the ledger's installs");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits for a progress report whose message matches (notifications may be dispatched after the answer).</summary>
    private static Task ProgressAsync(LspTestClient client, Func<string, bool> condition) =>
        client.ProgressAsync(p => p.TryGetProperty("message", out var m) && condition(m.GetString()!));

    [NeedsFact(Needs.Namespace)]
    public async Task Import_with_a_bind_address_installs_every_certificate_on_its_device_with_progress_per_device()
    {
        LoopbackNamespace.Require();
        await using var site = DeviceKeySite.Start(3, Port, Subnet, firstInstance: 12001);
        var (answer, certificates) = await SignedAnswerAsync(site);
        var (client, uri) = await OpenAsync(site, Bind);
        await using var _ = client;

        var result = await Execute<ImportCertificatesResult>(client, CertLspCommands.ImportCertificates, new { uri, path = answer },
            "tok-import");

        Assert.Equal((3, 0, false), (result.Imported, result.Rejected, result.Cancelled));
        Assert.Equal((3, 0, 0), (result.Installs!.Installed, result.Installs.Failed, result.Installs.Pending));
        Assert.Equal(["dev-0001", "dev-0002", "dev-0003"], result.Installs.Devices.Select(d => d.Device));
        Assert.All(result.Installs.Devices, d => Assert.Equal(
            ("installed", "issuer and operational certificates written, read back and activated"), (d.State, d.Detail)));
        Assert.Equal("Certificates: 3 imported, 0 already imported, 0 rejected. Installs on the devices: 3 installed, 0 failed.",
            result.Message);
        await client.MessageAsync(m => m.Type == MessageType.Info && m.Message == result.Message);
        for (int i = 0; i < 3; i++) site.AssertInstalled(i, certificates[DeviceKeySite.CommonName(i)]);
        Assert.All(Ledger(site).Entries.Values, e => Assert.Equal(InstallState.Installed, e.InstallStateOfCertificate));
        // The last device's report always goes out (earlier ones may be thinned to ~20 a second).
        await ProgressAsync(client, m => System.Text.RegularExpressions.Regex.IsMatch(m, @"^dev-000[1-3]: installed \(3/3\)$"));

        var status = await StatusWhenAsync(client, uri, s => s.Devices.All(d => d.Install == "installed"));
        Assert.All(status.Devices, d => Assert.Null(d.InstallError));
        var lenses = await client.Request<CodeLens[]>(Methods.CodeLens, new { textDocument = new { uri } });
        Assert.Equal(3, lenses.Count(l => l.Command!.Title.EndsWith(" · installed on the device", StringComparison.Ordinal)));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Without_a_bind_address_the_import_records_installs_pending_says_how_and_the_install_command_installs_them_later()
    {
        LoopbackNamespace.Require();
        await using var site = DeviceKeySite.Start(3, Port, Subnet, firstInstance: 12101);
        var (answer, certificates) = await SignedAnswerAsync(site);
        string text = await File.ReadAllTextAsync(site.ManifestPath);
        var (client, uri) = await OpenAsync(site, bind: null);
        await using (client)
        {
            var result = await Execute<ImportCertificatesResult>(client, CertLspCommands.ImportCertificates, new { uri, path = answer });
            Assert.Equal(3, result.Imported);
            Assert.Equal((0, 0, 3), (result.Installs!.Installed, result.Installs.Failed, result.Installs.Pending));
            Assert.Contains("3 certificate(s) wait to be installed on their devices (key.source: device), recorded as install pending",
                result.Message);
            Assert.Contains("set certlsp.bacnet.bind", result.Message);
            // the server's command, never the client's title
            Assert.EndsWith($"Then install them with {CertLspCommands.InstallCertificates}.", result.Message);
            await client.MessageAsync(m => m.Type == MessageType.Warning && m.Message == result.Message);
            for (int i = 0; i < 3; i++) site.AssertUntouched(i);
            Assert.All(Ledger(site).Entries.Values, e => Assert.Equal(InstallState.Pending, e.InstallStateOfCertificate));

            await StatusWhenAsync(client, uri, s => s.Devices.All(d => d.Install == "pending"));
            var at = TextEdits.PositionOf(text, text.IndexOf("dev-0002", StringComparison.Ordinal));
            var hover = await client.Request<Hover>(Methods.Hover, new { textDocument = new { uri }, position = at });
            Assert.Contains("- On the device: not installed on the device yet", hover.Contents.Value);

            // The install command without a bind address: it says so and sends nothing.
            var refused = await Execute<InstallCertificatesResult>(client, CertLspCommands.InstallCertificates, new { uri });
            Assert.Contains("set certlsp.bacnet.bind", refused.Refusal);
            Assert.Equal(0, refused.Installed);
            for (int i = 0; i < 3; i++) site.AssertUntouched(i);
        }

        // Later, with the setting and without the CA's answer: installed from the ledger and the chain files the import wrote.
        File.Delete(answer);
        (client, _) = await OpenAsync(site, Bind);
        await using (client)
        {
            var result = await Execute<InstallCertificatesResult>(client, CertLspCommands.InstallCertificates, new { uri }, "tok-install");
            Assert.Null(result.Refusal);
            Assert.Equal((3, 0, 0, false), (result.Installed, result.Failed, result.Pending, result.Cancelled));
            Assert.Equal("Installs on the devices: 3 installed, 0 failed.", result.Message);
            await client.MessageAsync(m => m.Type == MessageType.Info && m.Message == result.Message);
            await ProgressAsync(client, m => m.EndsWith(": installed (3/3)", StringComparison.Ordinal));
            for (int i = 0; i < 3; i++) site.AssertInstalled(i, certificates[DeviceKeySite.CommonName(i)]);
            await StatusWhenAsync(client, uri, s => s.Devices.All(d => d.Install == "installed"));

            var again = await Execute<InstallCertificatesResult>(client, CertLspCommands.InstallCertificates, new { uri });
            Assert.Equal("Installs: none due; the ledger records every imported certificate as installed on its device.", again.Message);
            Assert.Empty(again.Devices);
        }
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_device_that_refuses_its_certificate_is_reported_with_its_bacnet_error_and_the_install_command_tries_it_again()
    {
        LoopbackNamespace.Require();
        await using var site = DeviceKeySite.Start(3, Port, Subnet, firstInstance: 12201);
        var (exit, output, error) = await DeviceKeySite.RunAsync("csr", site.ManifestPath, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, output + error);
        // dev-0002 makes a new key pair after its CSR went to the CA: the certificate no longer matches its key.
        await using (var bacnet = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.22", 0), null)))
        {
            var again = await new CertificateProvisioning(bacnet).GenerateAndReadCsrAsync(site.Device(1).Endpoint,
                ObjectId.NetworkPort(SimulatedDevice.ScPort), 8);
            Assert.True(again.Ok, again.Failure?.Detail);
        }
        string answer = site.SignAll();
        var certificates = DeviceKeySite.Certificates(answer);
        var (client, uri) = await OpenAsync(site, Bind);
        await using var _ = client;

        var result = await Execute<ImportCertificatesResult>(client, CertLspCommands.ImportCertificates, new { uri, path = answer });

        Assert.Equal(3, result.Imported);
        Assert.Equal((2, 1, 0), (result.Installs!.Installed, result.Installs.Failed, result.Installs.Pending));
        var refused = Assert.Single(result.Installs.Devices, d => d.State == "failed");
        Assert.Equal("dev-0002", refused.Device);
        Assert.Equal(
            "device 12202 at 127.12.0.3:47817, NetworkPort:2: ReinitializeDevice ACTIVATE_CHANGES: error " +
            "Device/InvalidConfigurationData; its pending changes were discarded", refused.Detail);
        Assert.Contains("Installs on the devices: 2 installed, 1 failed (dev-0002).", result.Message);
        await client.MessageAsync(m => m.Type == MessageType.Warning && m.Message == result.Message);
        await client.MessageAsync(m => m.Type == MessageType.Log
            && m.Message.Contains("dev-0002: failed: device 12202", StringComparison.Ordinal));
        site.AssertInstalled(0, certificates[DeviceKeySite.CommonName(0)]);
        site.AssertInstalled(2, certificates[DeviceKeySite.CommonName(2)]);
        site.AssertUntouched(1);

        var status = await StatusWhenAsync(client, uri, s => s.Devices.Any(d => d.Install == "failed"));
        Assert.Equal(refused.Detail, Assert.Single(status.Devices, d => d.Name == "dev-0002").InstallError);

        // The install command retries only the failed one (it still refuses).
        var retry = await Execute<InstallCertificatesResult>(client, CertLspCommands.InstallCertificates, new { uri });
        Assert.Equal((0, 1, 0), (retry.Installed, retry.Failed, retry.Pending));
        Assert.Equal(["dev-0002"], retry.Devices.Select(d => d.Device));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_cancelled_install_finishes_the_devices_being_written_and_leaves_the_others_pending_so_ledger_and_devices_agree()
    {
        LoopbackNamespace.Require();
        const int Devices = 40, Stuck = 32; // as many silent devices as installs run at once: the last 8 wait for a free worker
        await using var site = DeviceKeySite.Start(Devices, Port, Subnet, firstInstance: 12301);
        var (answer, certificates) = await SignedAnswerAsync(site);
        var (client, uri) = await OpenAsync(site, Bind);
        await using var _ = client;
        using var silent = new SilentDevices(Enumerable.Range(0, Stuck).Select(site.Device));

        var call = Execute<ImportCertificatesResult>(client, CertLspCommands.ImportCertificates, new { uri, path = answer }, "tok-cancel");
        // Every silent device has been sent its install (each dropped a datagram): all workers wait on one, the last 8 devices
        // wait for a free worker.
        await silent.ReachedAsync("the installs reached every silent device");
        // The certificates were recorded (install pending) before the installs started.
        Assert.Equal(Devices, Ledger(site).Entries.Values.Count(e => e.Certificate is not null));
        await client.Notify(CertLspCommands.WorkDoneProgressCancel, new { token = "tok-cancel" }); // the progress UI's cancel
        await client.HandledSoFarAsync(uri); // the cancel has taken effect
        // The devices being written answer again (within their retries): those installs finish.
        for (int i = 0; i < Stuck; i++) site.Device(i).Unresponsive = false;
        var result = await call;

        Assert.True(result.Cancelled);
        Assert.Equal(Devices, result.Imported);
        Assert.Equal((Stuck, 0, Devices - Stuck), (result.Installs!.Installed, result.Installs.Failed, result.Installs.Pending));
        Assert.StartsWith(
            $"Certificates: {Devices} imported, 0 already imported, 0 rejected. Installs on the devices cancelled: {Stuck} installed, 0 " +
            $"failed, {Devices - Stuck} not installed (dev-0033, dev-0034, dev-0035, dev-0036, dev-0037, …). The ledger records the rest " +
            $"as not installed;", result.Message);
        await client.MessageAsync(m => m.Type == MessageType.Warning && m.Message == result.Message);

        // The ledger and the devices agree: installed exactly where the device has it active, pending where it has nothing.
        var ledger = Ledger(site);
        for (int i = 0; i < Devices; i++)
        {
            var state = ledger.Find(DeviceKeySite.Name(i))!.InstallStateOfCertificate;
            if (i < Stuck)
            {
                Assert.Equal(InstallState.Installed, state);
                site.AssertInstalled(i, certificates[DeviceKeySite.CommonName(i)]);
            }
            else
            {
                Assert.Equal(InstallState.Pending, state);
                site.AssertUntouched(i);
            }
        }

        // The rest, later.
        var rest = await Execute<InstallCertificatesResult>(client, CertLspCommands.InstallCertificates, new { uri });
        Assert.Equal((Devices - Stuck, 0, 0), (rest.Installed, rest.Failed, rest.Pending));
        for (int i = Stuck; i < Devices; i++) site.AssertInstalled(i, certificates[DeviceKeySite.CommonName(i)]);
    }
}
