using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Checking;
using CertLsp.LanguageServer.Protocol;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// The language server's BACnet commands against simulated sites, in-process over LSP: Discover devices (the edit it asks the
/// editor to apply, the summary, the settings it needs, cancellation) and Generate CSRs for device-held keys.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class LspDeviceCommandTests : IDisposable
{
    private const ushort DiscoverPort = 47815;
    private const ushort CsrPort = 47816;
    private const string Bind = "127.0.1.20";

    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-lspbacnet-").FullName;

    private string ManifestPath => Path.Combine(folder, "site.site.yaml");

    private string Uri => new Uri(ManifestPath).AbsoluteUri;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static object Settings(string? bind, int? port = null, string? broadcast = LoopbackNamespace.Broadcast,
        int? generateCsrCommand = null) =>
        new { bacnet = new { bind, port, broadcast, generateCsrCommand } };

    private static Task<T> Execute<T>(LspTestClient client, string command, object argument, object? token = null,
        CancellationToken cancellationToken = default) =>
        client.Rpc.InvokeWithParameterObjectAsync<T>(Methods.ExecuteCommand,
            new { command, arguments = new[] { argument }, workDoneToken = token }, cancellationToken);

    /// <summary>Three simulated devices at 127.0.9.2..4, instances 9001..9003, named SimDevice9001..9003.</summary>
    private static SimulatedSite DiscoverSite() =>
        SimulatedSite.Start(SimulatedDeviceSpec.Loopback(3, 9001).Select((s, i) =>
            s with { Address = IPAddress.Parse($"127.0.9.{i + 2}") }),
            DiscoverPort, IPAddress.Parse(LoopbackNamespace.Broadcast));

    // The manifest sets the port (the settings' 47808 must lose) but no broadcast (the settings' one is used); CRLF line ends.
    private const string DiscoverManifest =
        "site: Discover Site\r\nca: { profile: bacnet-sc }\r\nsubject:\r\n    country: DE\r\n    state: Bayern\r\n    locality: " +
            "München\r\n    organization: Test GmbH\r\n    organizationalUnit: FM\r\n"
        + "bacnet: { port: 47815 }\r\ndevices:\r\n"
        + "    -   name: SimDevice9001\r\n        instance: 9001\r\n        address: 127.0.9.2:47815\r\n"
        + "    -   name: Boiler\r\n        instance: 9002\r\n        address: 127.0.9.30:47815\r\n"
        + "    -   name: Gone\r\n        instance: 9099\r\n        address: 127.0.9.40:47815\r\n";

    [NeedsFact(Needs.Namespace)]
    public async Task Discover_adds_the_missing_devices_and_fixes_an_address_with_one_edit_the_manifest_rechecks_cleanly()
    {
        LoopbackNamespace.Require();
        await using var site = DiscoverSite();
        await File.WriteAllTextAsync(ManifestPath, DiscoverManifest);
        await using var client = await LspTestClient.StartInitializedAsync(folder, initializationOptions: Settings(Bind, port: 47808));
        var before = await client.OpenAsync(Uri, DiscoverManifest);

        var result = await Execute<DiscoverDevicesResult>(client, CertLspCommands.DiscoverDevices, new { uri = Uri, timeout = 1 },
            "tok-discover");

        Assert.Null(result.Refusal);
        Assert.Equal(3, result.Answered);
        Assert.Equal(["SimDevice9003"], result.Added);
        Assert.Equal(["Boiler"], result.Updated);
        Assert.Equal(["Gone (instance 9099) did not answer Who-Is"], result.Missing);
        Assert.True(result.Applied);
        Assert.Equal(
            "Discover devices: 3 answered; 1 added (SimDevice9003), 1 address(es) updated (Boiler), 1 did not answer (Gone), 1 other " +
            "difference(s) (see the CertLsp log).", result.Message);
        await client.MessageAsync(m => m.Type == MessageType.Warning && m.Message == result.Message);
        var kinds = client.Progress.Select(p => p.GetProperty("kind").GetString()).ToList();
        Assert.Equal(("begin", "end"), (kinds[0], kinds[^1]));

        // The editor got one edit for the manifest, versioned against the open document.
        var applied = Assert.Single(client.AppliedEdits);
        var versioned = Assert.Single(applied.Edit.DocumentChanges!);
        Assert.Equal((Uri, 1), (versioned.TextDocument.Uri, versioned.TextDocument.Version));
        string after = TextEdits.Apply(DiscoverManifest, applied.Edit.Changes[Uri]);
        Assert.Equal(DiscoverManifest.Replace("127.0.9.30:47815", "127.0.9.3:47815", StringComparison.Ordinal)
            // on the site's port: no port written
            + "    -   name: SimDevice9003\r\n        instance: 9003\r\n        address: 127.0.9.4\r\n", after);

        // The edited manifest: nothing new to report, and discovery against it finds nothing left to do.
        var rechecked = await client.ChangeAsync(Uri, 2, LspTestClient.Full(after));
        Assert.Equal(before.Diagnostics.Where(d => d.Code != "CL0302").Select(d => d.Code),
            rechecked.Diagnostics.Where(d => d.Code != "CL0302").Select(d => d.Code));
        Assert.DoesNotContain(ManifestChecker.Check([ManifestDocument.Parse(ManifestPath, after)]).ByPath[ManifestPath], d =>
            d.Severity == Core.Diagnostics.DiagnosticSeverity.Error);
        var again = await Execute<DiscoverDevicesResult>(client, CertLspCommands.DiscoverDevices, new { uri = Uri, timeout = 1 });
        Assert.Equal((3, 0, 0), (again.Answered, again.Added.Length, again.Updated.Length));
        Assert.Null(again.Edit);
        Assert.Single(client.AppliedEdits);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task An_edit_the_editor_refuses_is_reported_and_nothing_else_happens()
    {
        LoopbackNamespace.Require();
        await using var site = DiscoverSite();
        await File.WriteAllTextAsync(ManifestPath, DiscoverManifest);
        await using var client = await LspTestClient.StartInitializedAsync(folder, initializationOptions: Settings(Bind));
        client.ApplyEditAnswer = _ => new ApplyWorkspaceEditResult(false, "document changed");
        var result = await Execute<DiscoverDevicesResult>(client, CertLspCommands.DiscoverDevices, new { uri = Uri, timeout = 1 });
        Assert.False(result.Applied);
        Assert.EndsWith("The manifest was not changed: the editor did not apply the edit: document changed.", result.Message);
        Assert.Equal(DiscoverManifest, await File.ReadAllTextAsync(ManifestPath));
    }

    [NeedsTheory(Needs.Namespace)]
    [InlineData(null, LoopbackNamespace.Broadcast, "set certlsp.bacnet.bind")]
    [InlineData("", LoopbackNamespace.Broadcast, "set certlsp.bacnet.bind")]
    [InlineData("localhost", LoopbackNamespace.Broadcast, "the setting certlsp.bacnet.bind “localhost” is not an IPv4 address")]
    [InlineData(Bind, null, "set bacnet.broadcast in the manifest or the setting certlsp.bacnet.broadcast")]
    [InlineData(Bind, "255.255.255.255", "255.255.255.255 is refused")]
    public async Task Without_a_usable_bind_or_broadcast_address_discover_says_so_and_sends_nothing(string? bind, string? broadcast,
        string expected)
    {
        LoopbackNamespace.Require();
        // Anything sent towards the site's broadcast address would arrive here.
        using var listener = new UdpClient(new IPEndPoint(IPAddress.Parse(LoopbackNamespace.Broadcast), DiscoverPort));
        var received = listener.ReceiveAsync();
        await File.WriteAllTextAsync(ManifestPath, DiscoverManifest);
        await using var client = await LspTestClient.StartInitializedAsync(folder,
            initializationOptions: Settings(bind, broadcast: broadcast));

        var result = await Execute<DiscoverDevicesResult>(client, CertLspCommands.DiscoverDevices, new { uri = Uri, timeout = 1 },
            "tok-none");

        Assert.Contains(expected, result.Refusal);
        Assert.Equal(result.Refusal, result.Message);
        await client.MessageAsync(m => m.Type == MessageType.Warning && m.Message.Contains(expected, StringComparison.Ordinal));
        Assert.Empty(client.AppliedEdits);
        Assert.Empty(client.Progress);
        Assert.NotSame(received, await Task.WhenAny(received, Task.Delay(1000)));
        Assert.Equal(DiscoverManifest, await File.ReadAllTextAsync(ManifestPath));
    }

    [NeedsTheory(Needs.Namespace)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Discover_cancelled_while_waiting_for_answers_stops_at_once_and_changes_nothing(bool byCancelRequest)
    {
        LoopbackNamespace.Require();
        await using var site = DiscoverSite();
        await File.WriteAllTextAsync(ManifestPath, DiscoverManifest);
        await using var client = await LspTestClient.StartInitializedAsync(folder, initializationOptions: Settings(Bind));
        using var cancel = new CancellationTokenSource();
        var wait = TimeSpan.FromSeconds(60); // the longest wait for answers the command allows
        var started = Stopwatch.StartNew();
        var call = Execute<DiscoverDevicesResult>(client, CertLspCommands.DiscoverDevices, new { uri = Uri, timeout = wait.TotalSeconds },
            "tok-cancel", cancel.Token);
        await client.ProgressAsync("begin");
        if (byCancelRequest)
        {
            cancel.Cancel(); // $/cancelRequest
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }
        else
        {
            await client.Notify(CertLspCommands.WorkDoneProgressCancel, new { token = "tok-cancel" }); // the progress UI's cancel
            var result = await call;
            Assert.True(result.Cancelled);
            Assert.Equal("Device discovery cancelled; the manifest was not changed.", result.Message);
        }
        // The server's message and the end of its progress may follow the cancelled call's answer by a moment. They must come
        // before the wait for answers would have ended by itself: the only bound here is that wait, not a guess at speed.
        await client.UntilAsync(
            () => client.Messages.Any(m => m.Message == "Device discovery cancelled; the manifest was not changed.")
                && client.Progress.Last().GetProperty("kind").GetString() == "end",
            () => $"the {wait.TotalSeconds:0} s wait for answers was not cut short with a message and the end of progress",
            TimeSpan.FromTicks(Math.Max(0, (wait - started.Elapsed).Ticks)));
        Assert.Empty(client.AppliedEdits);
    }

    // No bacnet.generateCsrCommand: the devices take 8, the setting says 8 (the default would be 9).
    private static string DeviceKeyManifest() => DeviceCsrSite.Manifest(3, $"{{ port: {CsrPort} }}", 6100, "127.0.10");

    [NeedsFact(Needs.Namespace)]
    public async Task Generate_csrs_for_device_held_keys_reads_each_devices_csr_into_the_zip_and_the_ledger_like_the_cli()
    {
        LoopbackNamespace.Require();
        await using var site = SimulatedSite.Start(DeviceCsrSite.Specs(6100, "127.0.10"), CsrPort,
            IPAddress.Parse(LoopbackNamespace.Broadcast));
        string text = DeviceKeyManifest();
        await File.WriteAllTextAsync(ManifestPath, text);
        await using var client = await LspTestClient.StartInitializedAsync(folder,
            initializationOptions: Settings(Bind, generateCsrCommand: 8));
        await client.OpenAsync(Uri, text);

        var result = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri = Uri, scope = "all" }, "tok-csr");

        Assert.Equal((2, 0, 1), (result.Requested, result.NoActionTaken, result.Failed));
        // The same zip, ledger and (absent) keys as `certlsp csr --bind` (DeviceCsrCommandTests).
        Assert.Equal(Path.GetFileName(Assert.Single(result.Zips)),
            Path.GetFileName(Directory.GetFiles(folder, "CertificateSigningRequests_*.zip").Single()));
        await DeviceCsrSite.AssertRequestedAsync(ManifestPath, site, 6100);
        await client.MessageAsync(m => m.Message.Contains("2 requested, 0 no action taken, 1 failed", StringComparison.Ordinal));

        // The ledger's pending CSRs show in the open manifest, as after local keys.
        await client.WaitUntilAsync(Uri, p => p.Diagnostics.Count(d => d.Code == "CL0401") == 2);
    }

    [Fact]
    public async Task Generate_csrs_for_device_held_keys_without_a_bind_address_says_so_and_writes_nothing()
    {
        string text = DeviceKeyManifest();
        await File.WriteAllTextAsync(ManifestPath, text);
        await using var client = await LspTestClient.StartInitializedAsync(folder, initializationOptions: Settings(bind: null));
        var result = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri = Uri, scope = "all" });
        Assert.Contains("key.source: device", result.Refusal);
        Assert.Contains("set certlsp.bacnet.bind", result.Refusal);
        Assert.Equal((0, 0, 0), (result.Requested, result.NoActionTaken, result.Failed));
        await client.MessageAsync(m => m.Type == MessageType.Warning
            && m.Message.Contains("set certlsp.bacnet.bind", StringComparison.Ordinal));
        Assert.Equal(["site.site.yaml"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }
}
