using System.Diagnostics;
using CertLsp.Core.Tests.Certificates;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Reliability.Tests.Support;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Requests;
using Xunit.Abstractions;

namespace CertLsp.Reliability.Tests;

/// <summary>
/// The language server under faults: the client vanishing during a command, commands cancelled halfway (nothing half-done on
/// disk, and the next run completes the job), and 10,000 random edits interleaved with commands.
/// </summary>
[Collection(nameof(ChildProcesses))]
public sealed class LspFaultTests(ITestOutputHelper output)
{
    /// <summary>120 devices: three zips, so a command can be stopped between and inside them.</summary>
    private const int Devices = 120;

    private static Task<T> Execute<T>(LspTestClient client, string command, object argument, object? token = null,
        CancellationToken cancel = default) =>
        client.Rpc.InvokeWithParameterObjectAsync<T>(Methods.ExecuteCommand,
            new { command, arguments = new[] { argument }, workDoneToken = token }, cancel);

    private static int KeyCount(TempSite site) => KeyStore.ForManifest(site.ManifestPath, null).Files().Count();

    /// <summary>Waits until no run holds the ledger (the server has stopped working on it).</summary>
    private static async Task WaitUntilIdle(TempSite site)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using (var free = RunLock.TryTake(site.LedgerPath))
            {
                if (free is not null) return;
            }
            Assert.True(clock.Elapsed < Waits.HangGuard, "the server kept the ledger locked");
            await Task.Delay(10);
        }
    }

    /// <summary>The next run finishes what was stopped: every device requested once, ledger, keys and zips in agreement.</summary>
    private static async Task AssertRerunCompletesAsync(TempSite site)
    {
        var rerun = await CsrRequester.RunAsync(site.ManifestPath, site.Text, new CsrRequestOptions { Pending = PendingPolicy.Keep });
        Assert.Equal(CsrRunState.Done, rerun.State);
        Assert.Equal(Devices, LedgerFile.Load(site.LedgerPath).Entries.Count);
        SiteConsistency.Assert(site);
        Assert.Equal(Devices, site.Zips.Sum(z => TempSite.Entries(z).Count));
    }

    [Fact]
    public async Task The_client_vanishing_during_a_command_leaves_nothing_half_done()
    {
        var outcomes = new List<string>();
        for (int round = 0; round < Soak.Scale(3); round++)
        {
            using var site = new TempSite(TempSite.Manifest(Devices));
            var client = await LspTestClient.StartInitializedAsync(site.Folder);
            string uri = UriPaths.FromPath(site.ManifestPath);
            await client.OpenAsync(uri, site.Text);
            var call = Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri, scope = "all" }, "vanish");
            int atLeast = 1 + round * 40;
            while (KeyCount(site) < atLeast && !call.IsCompleted) await Task.Delay(1);
            int keysAtKill = KeyCount(site);
            client.ClientStream.Dispose(); // the editor is gone: its end of the pipe closes mid-request
            Assert.Equal(1, await client.Server.Completion.WaitAsync(Waits.HangGuard));
            await WaitUntilIdle(site);
            SiteConsistency.Assert(site, runMayBeOpen: true);
            outcomes.Add(
                $"vanished after {keysAtKill} key(s): {site.Zips.Count} zip(s), {LedgerFile.Load(site.LedgerPath).Entries.Count} ledger " +
                $"entries");
            await client.DisposeAsync();
            await AssertRerunCompletesAsync(site);
            Leaks.AssertNone(site, [client.Log.ToString(), .. client.Messages.Select(m => m.Message)]);
        }
        foreach (var o in outcomes) output.WriteLine(o);
    }

    [Fact]
    public async Task A_command_cancelled_halfway_leaves_nothing_half_done_and_a_rerun_completes()
    {
        var random = new Random(Soak.Seed());
        var outcomes = new List<string>();
        for (int round = 0; round < Soak.Scale(6); round++)
        {
            using var site = new TempSite(TempSite.Manifest(Devices));
            await using var client = await LspTestClient.StartInitializedAsync(site.Folder);
            string uri = UriPaths.FromPath(site.ManifestPath);
            await client.OpenAsync(uri, site.Text);
            bool byProgress = round % 2 == 0;
            string token = $"cancel-{round}";
            using var cancel = new CancellationTokenSource();
            var call = Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri, scope = "all" }, token, cancel.Token);
            int atLeast = random.Next(1, Devices);
            while (KeyCount(site) < atLeast && !call.IsCompleted) await Task.Delay(1);
            if (byProgress) await client.Notify(CertLspCommands.WorkDoneProgressCancel, new { token });
            else cancel.Cancel(); // $/cancelRequest
            string how = byProgress ? "window/workDoneProgress/cancel" : "$/cancelRequest";
            try
            {
                var result = await call.WaitAsync(TimeSpan.FromSeconds(60));
                outcomes.Add($"{how} after {atLeast} key(s): {(result.Cancelled ? "cancelled" : "finished first")}");
            }
            catch (OperationCanceledException)
            {
                outcomes.Add($"{how} after {atLeast} key(s): cancelled");
            }
            await WaitUntilIdle(site);
            SiteConsistency.Assert(site, runMayBeOpen: true);
            await AssertRerunCompletesAsync(site);
            Leaks.AssertNone(site, [client.Log.ToString(), .. client.Messages.Select(m => m.Message),
                .. client.Progress.Select(p => p.ToString())]);
        }
        foreach (var o in outcomes) output.WriteLine(o);
        Assert.Contains(outcomes, o => o.EndsWith("cancelled", StringComparison.Ordinal));
    }
}
