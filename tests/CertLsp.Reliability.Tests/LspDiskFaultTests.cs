using System.Collections.Concurrent;
using System.Text.Json;
using CertLsp.Core.Tests.Certificates;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Reliability.Tests.Support;
using CertLsp.Workflows.Ledger;
using StreamJsonRpc;
using Xunit.Abstractions;

namespace CertLsp.Reliability.Tests;

/// <summary>
/// "Generate CSRs" in the language server (the real <c>certlsp lsp</c> process) when the disk fills up: a private tmpfs whose free
/// room is a few KiB, so the disk fills at different moments of the run. The command answers with a clear error and an error
/// message, nothing half-written is left, the server keeps serving, and once there is room the same server completes the job.
/// </summary>
[Collection(nameof(ChildProcesses))]
public sealed class LspDiskFaultTests(ITestOutputHelper output)
{
    private const int Devices = 6;

    /// <summary>
    /// A 4 MiB tmpfs holding the site and a filler that leaves $ROOM bytes free; the language server runs there until it exits,
    /// then what it left is copied back into the site folder (the filler removed).
    /// </summary>
    private const string Script = """
        mount -t tmpfs -o size=4m tmpfs "$MNT" || exit 98
        cp -a "$SITE/." "$MNT/" || exit 99
        cat /dev/zero >"$MNT/filler" 2>/dev/null
        if [ "$ROOM" -gt 0 ]; then truncate -s "-$ROOM" "$MNT/filler" || exit 97; fi
        cd "$MNT" && $CERTLSP lsp
        rm -f "$MNT/filler"; find "$SITE" -mindepth 1 -delete && cp -a "$MNT/." "$SITE/"
        """;

    /// <summary>What the server sends the client.</summary>
    private sealed class Client
    {
        public ConcurrentQueue<MessageParams> Messages { get; } = new();

        [JsonRpcMethod(Methods.ShowMessage, UseSingleObjectParameterDeserialization = true)]
        public void ShowMessage(MessageParams parameters) => Messages.Enqueue(parameters);

        [JsonRpcMethod(Methods.LogMessage, UseSingleObjectParameterDeserialization = true)]
        public void LogMessage(MessageParams parameters) => Messages.Enqueue(parameters);

        [JsonRpcMethod(Methods.PublishDiagnostics, UseSingleObjectParameterDeserialization = true)]
        public void PublishDiagnostics(JsonElement parameters) { }

        [JsonRpcMethod(Methods.Progress, UseSingleObjectParameterDeserialization = true)]
        public void OnProgress(JsonElement parameters) { }

        [JsonRpcMethod(Methods.WorkDoneProgressCreate, UseSingleObjectParameterDeserialization = true)]
        public object? CreateProgress(JsonElement parameters) => null;

        [JsonRpcMethod(Methods.RegisterCapability, UseSingleObjectParameterDeserialization = true)]
        public object? RegisterCapability(JsonElement parameters) => null;
    }

    private static Task<T> Execute<T>(JsonRpc rpc, string command, object argument) =>
        rpc.InvokeWithParameterObjectAsync<T>(Methods.ExecuteCommand,
            new { command, arguments = new[] { argument }, workDoneToken = "disk" });

    [NeedsFact(Needs.Root)]
    public async Task Generate_csrs_on_a_disk_that_fills_up_fails_clearly_and_the_server_serves_on()
    {
        var outcomes = new List<string>();
        int failed = 0;
        foreach (int room in new[] { 0, 4, 8, 12, 16, 24, 32, 64 })
        {
            using var site = new TempSite(TempSite.Manifest(Devices));
            string mount = Directory.CreateTempSubdirectory("certlsp-mnt-").FullName;
            try
            {
                string outcome = await RunAsync(site, mount, room * 1024);
                outcomes.Add($"{room} KiB free: {outcome}");
                if (!outcome.StartsWith("completed", StringComparison.Ordinal)) failed++;
            }
            finally
            {
                Directory.Delete(mount);
            }
        }
        foreach (var o in outcomes) output.WriteLine(o);
        Assert.True(failed >= 3, $"the disk should fill at several moments:\n{string.Join('\n', outcomes)}");
        Assert.Contains(outcomes, o => o.EndsWith("completed", StringComparison.Ordinal));
    }

    private async Task<string> RunAsync(TempSite site, string mount, int room)
    {
        using var process = PrivateMount.Start(Script, new Dictionary<string,
            string>
        { ["MNT"] = mount, ["SITE"] = site.Folder, ["ROOM"] = $"{room}" });
        var log = process.StandardError.ReadToEndAsync();
        var client = new Client();
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = ClientJsonOptions.Create() };
        using var rpc = new JsonRpc(new HeaderDelimitedMessageHandler(process.StandardInput.BaseStream, process.StandardOutput.BaseStream,
            formatter));
        rpc.AddLocalRpcTarget(client);
        rpc.StartListening();
        string outcome;
        try
        {
            string manifest = Path.Combine(mount, Path.GetFileName(site.ManifestPath)), uri = UriPaths.FromPath(manifest);
            await rpc.InvokeWithParameterObjectAsync<JsonElement>(Methods.Initialize, new
            {
                processId = (int?)null, rootUri = new Uri(mount).AbsoluteUri, capabilities =
                    new { window = new { workDoneProgress = true } },
            }).WaitAsync(TimeSpan.FromMinutes(1));
            await rpc.NotifyWithParameterObjectAsync(Methods.Initialized, new { });
            await rpc.NotifyWithParameterObjectAsync(Methods.DidOpen,
                new { textDocument = new { uri, languageId = "yaml", version = 1, text = site.Text } });
            string inside = PrivateMount.Inside(process, mount);
            try
            {
                var done = await Execute<GenerateCsrsResult>(rpc, CertLspCommands.GenerateCsrs, new { uri, scope = "all" }).WaitAsync(
                    TimeSpan.FromMinutes(1));
                Assert.Equal(Devices, done.Requested);
                outcome = "completed";
            }
            catch (RemoteInvocationException ex)
            {
                // A clear answer and an error message the editor shows, naming the file and the cause; no trace.
                Assert.Contains("No space left on device", ex.Message);
                Assert.Contains("cannot write", ex.Message);
                Assert.DoesNotContain("   at ", ex.Message);
                Assert.Contains(client.Messages, m => m.Type == MessageType.Error && m.Message == ex.Message);
                Assert.Empty(Directory.GetFiles(inside, "*.tmp", SearchOption.AllDirectories));
                if (File.Exists(Path.Combine(inside, Path.GetFileName(site.LedgerPath)))) LedgerFile.Load(
                    Path.Combine(inside, Path.GetFileName(site.LedgerPath)));
                outcome = ex.Message[..ex.Message.IndexOf(". What", StringComparison.Ordinal)].Replace(mount + "/", "",
                    StringComparison.Ordinal);

                // The server serves on: a status answer from the ledger as it is, then the same command with room completes the job.
                var status = await Execute<JsonElement>(rpc, CertLspCommands.ShowStatus, new { uri }).WaitAsync(TimeSpan.FromMinutes(1));
                Assert.Equal(Devices, status.GetProperty("devices").GetArrayLength());
                File.Delete(Path.Combine(inside, "filler"));
                var rerun = await Execute<GenerateCsrsResult>(rpc, CertLspCommands.GenerateCsrs,
                    new { uri, scope = "all", pending = "keep" }).WaitAsync(TimeSpan.FromMinutes(1));
                Assert.True(rerun.Refusal is null && rerun.Failed == 0, rerun.Message);
                outcome += $"; with room the same server completed ({rerun.Message})";
            }
            await rpc.InvokeWithCancellationAsync<JsonElement?>(Methods.Shutdown, [], CancellationToken.None).WaitAsync(
                TimeSpan.FromMinutes(1));
            await rpc.NotifyAsync(Methods.Exit);
        }
        finally
        {
            if (!process.WaitForExit(TimeSpan.FromMinutes(1))) process.Kill(entireProcessTree: true);
        }
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(Devices, LedgerFile.Load(site.LedgerPath).Entries.Count);
        SiteConsistency.Assert(site);
        Leaks.AssertNone(site, [await log, .. client.Messages.Select(m => m.Message)]);
        return outcome;
    }
}
