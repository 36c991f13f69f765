using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using Nerdbank.Streams;

namespace CertLsp.LanguageServer.Tests;

/// <summary>Work-done progress as parallel workers report it: in order on the wire, a percentage that never goes down, end last.</summary>
public sealed class ProgressTests
{
    [Fact]
    public async Task Reports_from_parallel_workers_go_out_in_order_and_never_go_down()
    {
        var (serverStream, clientStream) = FullDuplexStream.CreatePair();
        await using var server = new CertLspServer(serverStream, serverStream, TextWriter.Null);
        await LifecycleTests.WriteFrame(clientStream, """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}""");
        var frames = new List<JsonElement>();
        int reportsRead = 0;
        var reading = Task.Run(async () =>
        {
            while (true)
            {
                var frame = await LifecycleTests.ReadFrame(clientStream);
                frames.Add(frame);
                if (frame.TryGetProperty("method", out var method) && method.GetString() == Methods.Progress) Interlocked.Increment(
                    ref reportsRead);
                if (frame.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("value", out var v)
                    && v.GetProperty("kind").GetString() == "end")
                {
                    return;
                }
            }
        });
        var token = JsonSerializer.SerializeToElement("parallel");
        using var progress = await WorkDoneProgress.BeginAsync(server.Context, token, "Working", CancellationToken.None);

        // Workers count what they finished and report it, as CsrRequester's key writers and the installers do, until the
        // client has read 20 progress notifications (the begin and 19 reports): a count of work, not a time.
        const int total = 50_000_000;
        int done = 0;
        var workers = Enumerable.Range(0, Math.Max(4, Environment.ProcessorCount * 2)).Select(_ => Task.Factory.StartNew(() =>
        {
            while (Volatile.Read(ref reportsRead) < 20 && Volatile.Read(ref done) < total - 1)
            {
                int mine = Interlocked.Increment(ref done);
                progress.Report($"item {mine}", mine, total);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(workers);
        progress.Report("last", total, total);
        await progress.EndAsync("done");
        await reading.WaitAsync(Waits.HangGuard);

        var values = frames.Where(f => f.TryGetProperty("method", out var m) && m.GetString() == Methods.Progress).Select(f =>
            f.GetProperty("params").GetProperty("value")).ToList();
        Assert.Equal("begin", values[0].GetProperty("kind").GetString());
        Assert.Equal("end", values[^1].GetProperty("kind").GetString());
        var reports = values.Skip(1).SkipLast(1).ToList();
        Assert.All(reports, r => Assert.Equal("report", r.GetProperty("kind").GetString()));
        Assert.True(reports.Count >= 10, $"{reports.Count} reports");
        // The percentage never goes down, and the messages are in the order the workers counted them.
        var percentages = reports.Select(r => r.GetProperty("percentage").GetInt32()).ToList();
        Assert.Equal(percentages.Order(), percentages);
        var counts = reports.SkipLast(1).Select(r => int.Parse(r.GetProperty("message").GetString()!["item ".Length..],
            System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(counts.Order(), counts);
        Assert.Equal(100, percentages[^1]);
    }
}
