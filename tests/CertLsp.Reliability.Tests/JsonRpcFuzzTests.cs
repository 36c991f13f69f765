using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CertLsp.LanguageServer;
using CertLsp.LanguageServer.Protocol;
using CertLsp.Reliability.Tests.Support;
using Nerdbank.Streams;
using Xunit.Abstractions;

namespace CertLsp.Reliability.Tests;

/// <summary>
/// Random JSON-RPC at the server: every method it serves (and some it does not) with random ids and random parameters of the wrong
/// shapes and types, frames with broken headers, bodies and encodings. Every request is answered (result or error), the server keeps
/// running, and a well-formed request afterwards is served.
/// </summary>
public sealed class JsonRpcFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Served =
    [
        Methods.DidOpen, Methods.DidChange, Methods.DidClose, Methods.DidSave, Methods.CodeAction, Methods.Completion, Methods.Hover,
        Methods.DocumentSymbol, Methods.CodeLens, Methods.Definition, Methods.FoldingRange, Methods.SelectionRange,
            Methods.DidChangeWatchedFiles,
        Methods.ExecuteCommand, Methods.SetTrace, Methods.CancelRequest, CertLspCommands.SiteStatus, CertLspCommands.WorkDoneProgressCancel,
        "textDocument/rename", "nonsense", "", "$/whatever",
    ];

    private static JsonNode? Value(Random r, int depth)
    {
        switch (r.Next(depth > 4 ? 6 : 9))
        {
            case 0: return null;
            case 1: return r.Next(2) == 0;
            case 2: return r.Next(3) switch { 0 => r.Next(), 1 => -r.Next(), _ => r.NextDouble() * 1e300 };
            case 3:
                return Pick(r, ["", "file:///x.site.yaml", "file:///../../etc/passwd", "untitled:1", "http://127.0.0.1/x",
                "file:///nope/\u0000.site.yaml", new string('a', 5000), "ü😀\uD800"]);
            case 4: return Pick(r, ["uri", "textDocument", "position", "range", "command", "arguments", "line", "character"]);
            case 5: return r.Next(int.MinValue, int.MaxValue);
            case 6:
                {
                    var o = new JsonObject();
                    foreach (var key in new[] { "textDocument", "uri", "position", "range", "line", "character", "start", "end", "text",
                        "version", "contentChanges", "command", "arguments", "changes", "context", "token", "value", "id", "languageId" })
                    {
                        if (r.Next(3) == 0) o[key] = Value(r, depth + 1);
                    }
                    return o;
                }
            default:
                {
                    var a = new JsonArray();
                    for (int i = r.Next(4); i > 0; i--) a.Add(Value(r, depth + 1));
                    return a;
                }
        }
    }

    private static string Pick(Random r, string[] options) => options[r.Next(options.Length)];

    private static async Task WriteFrame(Stream stream, byte[] body, string? header = null)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(header ?? $"Content-Length: {body.Length}\r\n\r\n"));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    /// <summary>Reads frames, collecting the ids of responses (frames without a method).</summary>
    private static async Task ReadResponses(Stream stream, HashSet<string> answered, CancellationToken stop)
    {
        var headerBytes = new List<byte>();
        var one = new byte[1];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                headerBytes.Clear();
                while (!(headerBytes.Count >= 4 && headerBytes[^4] == '\r' && headerBytes[^3] == '\n' && headerBytes[^2] == '\r'
                    && headerBytes[^1] == '\n'))
                {
                    if (await stream.ReadAsync(one, stop) == 0) return;
                    headerBytes.Add(one[0]);
                }
                string header = Encoding.ASCII.GetString([.. headerBytes]);
                int length = int.Parse(header.Split("\r\n").First(l =>
                    l.StartsWith("Content-Length:", StringComparison.Ordinal))["Content-Length:".Length..].Trim(),
                    System.Globalization.CultureInfo.InvariantCulture);
                var body = new byte[length];
                await stream.ReadExactlyAsync(body, stop);
                using var doc = JsonDocument.Parse(body);
                if (!doc.RootElement.TryGetProperty("method", out _) && doc.RootElement.TryGetProperty("id", out var id))
                {
                    lock (answered) answered.Add(id.ToString());
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [Fact]
    public async Task Random_json_rpc_is_answered_and_the_server_keeps_serving()
    {
        int seed = Soak.Seed(), frames = Soak.Scale(3000), requests = 0;
        var random = new Random(seed);
        var (serverStream, clientStream) = FullDuplexStream.CreatePair();
        var log = new StringWriter();
        await using var server = new CertLspServer(serverStream, serverStream, TextWriter.Synchronized(log));
        var answered = new HashSet<string>();
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() => ReadResponses(clientStream, answered, stop.Token));
        await WriteFrame(clientStream, """{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"capabilities":{}}}"""u8.ToArray());
        await WriteFrame(clientStream, """{"jsonrpc":"2.0","method":"initialized","params":{}}"""u8.ToArray());
        var sent = new HashSet<string> { "\"init\"" };
        var clock = Stopwatch.StartNew();
        for (int n = 0; n < frames; n++)
        {
            switch (random.Next(10))
            {
                case 0: // broken framing or bodies that are not JSON-RPC
                    {
                        byte[] junk = random.Next(4) switch
                        {
                            0 => Encoding.UTF8.GetBytes(new string('[', random.Next(1, 5000))),
                            1 => [0xFF, 0xFE, 0xC0, 0x80, .. Encoding.ASCII.GetBytes("{\"jsonrpc\":\"2.0\"}")],
                            2 => Encoding.UTF8.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1e999,\"method\":\"hover\"}"),
                            _ => System.Security.Cryptography.RandomNumberGenerator.GetBytes(random.Next(1, 300)),
                        };
                        await WriteFrame(clientStream, junk, random.Next(3) == 0
                            ? $"Content-Length: {junk.Length}\r\nContent-Type: application/vscode-jsonrpc; charset=latin1\r\n\r\n" : null);
                        break;
                    }
                default:
                    {
                        var message = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = Pick(random, Served) };
                        if (random.Next(5) != 0) message["params"] = Value(random, 0);
                        bool isRequest = random.Next(3) != 0;
                        if (isRequest)
                        {
                            string id = random.Next(2) == 0 ? $"\"r{n}\""
                                : (n + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
                            message["id"] = JsonNode.Parse(id);
                            sent.Add(id);
                            requests++;
                        }
                        await WriteFrame(clientStream, Encoding.UTF8.GetBytes(message.ToJsonString()));
                        break;
                    }
            }
        }
        await WriteFrame(clientStream, """
            {"jsonrpc":"2.0","id":"last","method":"textDocument/foldingRange","params":{"textDocument":{"uri":"file:///never-opened.site.yaml"}}}
            """u8.ToArray());
        sent.Add("\"last\"");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            int missing;
            lock (answered) missing = sent.Count(s => !answered.Contains(s.Trim('"')) && !answered.Contains(s));
            if (missing == 0) break;
            Assert.True(deadline.Elapsed < Waits.HangGuard, $"seed {seed}: {missing} request(s) never answered");
            await Task.Delay(20);
        }
        Assert.False(server.Completion.IsCompleted, "the server stopped");
        stop.Cancel();
        output.WriteLine($"seed {seed}: {frames} random frames ({requests} requests, all answered) in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.DoesNotContain("handler failed", log.ToString());
    }
}
