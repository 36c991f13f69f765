using System.Diagnostics;
using System.Text.Json;
using CertLsp.Core.Checking;
using CertLsp.Core.Tests.Certificates;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Reliability.Tests.Support;
using CertLsp.Workflows.Ledger;
using Xunit.Abstractions;

namespace CertLsp.Reliability.Tests;

/// <summary>
/// 10,000 random edits (100,000 with CERTLSP_SOAK=1) interleaved with requests and commands, without waiting for diagnostics in
/// between: no edit is lost (the server's text and its final diagnostics are those of a fresh check of the client's text), every
/// request is answered, commands run on the buffer as it is, and the disk stays consistent.
/// </summary>
[Collection(nameof(ChildProcesses))]
public sealed class LspEditStormTests(ITestOutputHelper output)
{
    /// <summary>What edits insert: YAML's structural characters, newlines, non-ASCII and a character outside the BMP (two UTF-16
    /// units).</summary>
    private static readonly string[] Alphabet = [.. "abcdefghijklmnopqrstuvwxyz0123456789 :-_.\"'#\n\n  üé€{}[],&*!|>".Select(c =>
        c.ToString()), "😀"];

    [Fact]
    public async Task Ten_thousand_random_edits_interleaved_with_commands_lose_nothing()
    {
        int total = Soak.Scale(10_000), seed = Soak.Seed();
        var random = new Random(seed);
        using var site = new TempSite(TempSite.Manifest(60));
        string original = site.Text;
        await using var client = await LspTestClient.StartInitializedAsync(site.Folder);
        string uri = UriPaths.FromPath(site.ManifestPath);
        await client.OpenAsync(uri, original);
        string text = original;
        int version = 1, requests = 0, commandsRun = 0, commandsDone = 0;
        double slowestRequestMs = 0;
        var pendingCommands = new List<Task<GenerateCsrsResult>>();
        var clock = Stopwatch.StartNew();
        for (int n = 1; n <= total; n++)
        {
            object change;
            if (n % 1000 == 0)
            {
                text = original; // back to a clean manifest now and then, so commands also run on one that is valid
                change = LspTestClient.Full(text);
            }
            else
            {
                int from = Snap(text, random.Next(text.Length + 1));
                int to = random.Next(3) == 0 ? Snap(text, Math.Min(text.Length, from + random.Next(12))) : from;
                string insert = random.Next(4) == 0 ? "" : string.Concat(
                    Enumerable.Range(0, random.Next(1, 6)).Select(_ => Alphabet[random.Next(Alphabet.Length)]));
                var a = TextEdits.PositionOf(text, from);
                var b = TextEdits.PositionOf(text, to);
                text = text[..from] + insert + text[to..];
                change = LspTestClient.Replace(a.Line, a.Character, b.Line, b.Character, insert);
            }
            await client.Notify(Methods.DidChange, new
            {
                textDocument = new { uri, version = ++version }, contentChanges =
                new[] { change }
            });

            if (n % 1000 == 0)
            {
                // A command on the buffer as it is now (clean: just reset), left running while the edits go on.
                pendingCommands.Add(client.Request<GenerateCsrsResult>(Methods.ExecuteCommand,
                    new { command = CertLspCommands.GenerateCsrs, arguments = new[] { new { uri, scope = "all", pending = "keep" } } }));
                commandsRun++;
            }
            if (n % 97 == 0)
            {
                var position = TextEdits.PositionOf(text, random.Next(text.Length + 1));
                var watch = Stopwatch.StartNew();
                string method = (n / 97 % 4) switch
                {
                    0 => Methods.Hover,
                    1 => Methods.Completion,
                    2 => Methods.DocumentSymbol,
                    _ =>
                    Methods.CodeAction
                };
                object parameters = method == Methods.CodeAction
                    ? new
                    {
                        textDocument = new { uri }, range = new { start = position, end = position }, context =
                        new { diagnostics = Array.Empty<object>() }
                    }
                    : new { textDocument = new { uri }, position };
                await client.Request<JsonElement>(method, parameters);
                slowestRequestMs = Math.Max(slowestRequestMs, watch.Elapsed.TotalMilliseconds);
                requests++;
            }
        }
        foreach (var command in pendingCommands)
        {
            var result = await command.WaitAsync(TimeSpan.FromSeconds(60));
            if (result.Refusal is null) commandsDone++;
            else Assert.Contains("another certlsp run", result.Refusal); // the command before it was still running: one writer per ledger
        }
        await client.WaitForDiagnosticsAsync(uri, version);
        var published = (await client.SettledDiagnosticsAsync(uri))!; // after the commands' ledger changes too
        double seconds = clock.Elapsed.TotalSeconds;
        output.WriteLine(
            $"seed {seed}: {total} edits, {requests} requests (slowest {slowestRequestMs:F0} ms), {commandsRun} CSR commands on a clean " +
            $"buffer ({commandsDone} ran, the others found the previous one still running) in {seconds:F1} s");

        Assert.Equal(text, client.Server.Context.Workspace.Snapshot.Find(uri)!.Text);
        var fresh = ManifestChecker.Check([ManifestDocument.Parse(uri, text, ServerWorkspace.LedgerOf(uri))]);
        var lines = fresh.Documents[0].Lines;
        var expected = fresh.ByPath[uri].Take(DiagnosticPublisher.MaxPerDocument).Select(d =>
            $"{d.Code} {LspConvert.Range(lines, d.Span)} {d.Message}");
        Assert.Equal(expected, published.Diagnostics.Select(d => $"{d.Code} {d.Range} {d.Message}"));

        Assert.True(commandsDone >= 1, "no command ran");
        Assert.Equal(60, LedgerFile.Load(site.LedgerPath).Entries.Count);
        SiteConsistency.Assert(site);
        Leaks.AssertNone(site, [client.Log.ToString(), .. client.Messages.Select(m => m.Message), JsonSerializer.Serialize(published)]);
        Assert.True(slowestRequestMs < 10_000, $"a request waited {slowestRequestMs:F0} ms");
        Assert.True(seconds < (Soak.On ? 1200 : 120), $"{total} edits took {seconds:F0} s");
    }

    /// <summary>Never cut a surrogate pair or a CRLF in two (an editor would not).</summary>
    private static int Snap(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        if (offset > 0 && offset < text.Length && ((char.IsHighSurrogate(text[offset - 1]) && char.IsLowSurrogate(text[offset]))
            || (text[offset - 1] == '\r' && text[offset] == '\n'))) offset--;
        return offset;
    }
}
