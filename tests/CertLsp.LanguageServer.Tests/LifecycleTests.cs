using System.Text;
using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Requests_before_initialize_get_server_not_initialized()
    {
        await using var client = LspTestClient.Start();
        var error = await Assert.ThrowsAsync<RemoteInvocationException>(() =>
            client.Request<object>(Methods.Hover, new
            {
                textDocument = new { uri = "file:///a.site.yaml" }, position =
            new { line = 0, character = 0 }
            }));
        Assert.Equal(ErrorCodes.ServerNotInitialized, error.ErrorCode);
    }

    [Fact]
    public async Task Initialize_advertises_exactly_what_is_implemented()
    {
        await using var client = LspTestClient.Start();
        var result = await client.InitializeAsync();
        var caps = result.Capabilities;
        Assert.Equal(TextDocumentSyncKind.Incremental, caps.TextDocumentSync.Change);
        Assert.True(caps.HoverProvider && caps.DocumentSymbolProvider && caps.DefinitionProvider && caps.FoldingRangeProvider
            && caps.SelectionRangeProvider);
        Assert.Equal([CodeActionKind.QuickFix, CodeActionKind.SourceGenerateCsrs, CodeActionKind.SourceImport],
            caps.CodeActionProvider.CodeActionKinds);
        Assert.NotNull(caps.CodeLensProvider);
        Assert.Equal(CertLspCommands.Server, caps.ExecuteCommandProvider!.Commands);
        Assert.Equal("certlsp", result.ServerInfo.Name);

        // Every advertised request method answers something other than "method not found".
        string[] advertised = [Methods.Hover, Methods.Completion, Methods.DocumentSymbol, Methods.Definition, Methods.FoldingRange,
            Methods.SelectionRange, Methods.CodeAction, Methods.CodeLens];
        const string uri = "file:///caps.site.yaml";
        await client.OpenAsync(uri, "site: x\n");
        foreach (var method in advertised)
        {
            object parameters = method switch
            {
                Methods.SelectionRange => new { textDocument = new { uri }, positions = new[] { new { line = 0, character = 0 } } },
                Methods.CodeAction => new
                {
                    textDocument = new { uri }, range =
                    new { start = new { line = 0, character = 0 }, end = new { line = 0, character = 0 } }, context =
                    new { diagnostics = Array.Empty<object>() }
                },
                Methods.DocumentSymbol or Methods.FoldingRange or Methods.CodeLens => new { textDocument = new { uri } },
                _ => new { textDocument = new { uri }, position = new { line = 0, character = 0 } },
            };
            await client.Request<JsonElement>(method, parameters);
        }
    }

    [Theory]
    [InlineData("site: x\n", 45)]
    [InlineData("site: x\ncertificates: { warningDays: 10 }\n", 10)]
    public async Task The_editors_warning_days_apply_where_the_manifest_sets_none(string text, int expected)
    {
        await using var client = LspTestClient.Start();
        await client.Request<InitializeResult>(Methods.Initialize,
            new { capabilities = new { }, initializationOptions = new { warningDays = 45 } });
        await client.Notify(Methods.Initialized, new { });
        const string uri = "file:///w.site.yaml";
        await client.OpenAsync(uri, text);
        Assert.Equal(expected, client.Server.Context.Workspace.Snapshot.Find(uri)!.Parsed.Manifest!.Certificates.WarningDayCount);
    }

    [Fact]
    public async Task Second_initialize_is_refused()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        var error = await Assert.ThrowsAsync<RemoteInvocationException>(() =>
            client.Request<object>(Methods.Initialize, new { capabilities = new { } }));
        Assert.Equal(ErrorCodes.InvalidRequest, error.ErrorCode);
    }

    [Fact]
    public async Task Shutdown_then_exit_ends_with_zero()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.Request<object?>(Methods.Shutdown, null);
        var after = await Assert.ThrowsAsync<RemoteInvocationException>(() =>
            client.Request<object>(Methods.DocumentSymbol, new { textDocument = new { uri = "file:///x.site.yaml" } }));
        Assert.Equal(ErrorCodes.InvalidRequest, after.ErrorCode);
        await client.Notify(Methods.Exit, new { });
        Assert.Equal(0, await client.Server.Completion.WaitAsync(Waits.HangGuard));
    }

    [Fact]
    public async Task Exit_without_shutdown_ends_with_one()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.Notify(Methods.Exit, new { });
        Assert.Equal(1, await client.Server.Completion.WaitAsync(Waits.HangGuard));
    }

    [Fact]
    public async Task A_vanished_client_ends_the_server()
    {
        var client = await LspTestClient.StartInitializedAsync();
        client.ClientStream.Dispose();
        Assert.Equal(1, await client.Server.Completion.WaitAsync(Waits.HangGuard));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task SetTrace_is_accepted()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.Notify(Methods.SetTrace, new { value = "verbose" });
        await client.Request<JsonElement>(Methods.DocumentSymbol,
            new { textDocument = new { uri = "file:///none.site.yaml" } }).ContinueWith(_ => { });
        Assert.Equal("verbose", client.Server.Context.Trace);
    }

    [Fact]
    public async Task A_trace_reports_each_diagnostics_run_and_its_timings_only_when_asked()
    {
        var traces = new System.Collections.Concurrent.ConcurrentQueue<LogTraceParams>();
        await using var client = await LspTestClient.StartInitializedAsync(configure: rpc =>
            rpc.AddLocalRpcMethod(Methods.LogTrace, (string message, string? verbose = null) =>
                traces.Enqueue(new LogTraceParams(message, verbose))));
        await client.OpenAsync("file:///a.site.yaml", "site: A\n");
        await client.SettledDiagnosticsAsync("file:///a.site.yaml");
        Assert.Empty(traces); // trace is off by default
        await client.Notify(Methods.SetTrace, new { value = "messages" });
        await client.ChangeAsync("file:///a.site.yaml", 2, LspTestClient.Full("site: B\n"));
        await client.SettledDiagnosticsAsync("file:///a.site.yaml");
        await client.Notify(Methods.SetTrace, new { value = "verbose" });
        await client.ChangeAsync("file:///a.site.yaml", 3, LspTestClient.Full("site: C\n"));
        await client.SettledDiagnosticsAsync("file:///a.site.yaml");
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        while (traces.Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        var all = traces.ToArray();
        Assert.Equal(2, all.Length);
        Assert.All(all, t => Assert.Matches(@"^diagnostics: 1 open document\(s\), \d+ diagnostic\(s\) sent in [\d.]+ ms$", t.Message));
        Assert.Null(all[0].Verbose);
        Assert.Matches(@"read and per-file rules [\d.]+ ms, workspace rules [\d.]+ ms", all[1].Verbose);
        Assert.DoesNotContain("diagnostics:", client.Log.ToString()); // never on stderr unless the server runs verbose (StdioTests)
    }

    [Fact]
    public async Task Nothing_but_protocol_is_written_to_the_output()
    {
        // The whole stream the server writes must parse as Content-Length frames of JSON.
        var (serverStream, clientStream) = Nerdbank.Streams.FullDuplexStream.CreatePair();
        await using var server = new CertLspServer(serverStream, serverStream, TextWriter.Null);
        await WriteFrame(clientStream, """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}""");
        await WriteFrame(clientStream, """{"jsonrpc":"2.0","method":"initialized","params":{}}""");
        await WriteFrame(clientStream, """
            {"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///p.site.yaml","languageId":"yaml","version":1,"text":"site: [\n"}}}
            """);
        await WriteFrame(clientStream, """{"jsonrpc":"2.0","id":2,"method":"shutdown"}""");
        var frames = new List<JsonElement>();
        while (frames.Count < 3 || !frames.Any(f => f.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number
            && id.GetInt32() == 2))
        {
            frames.Add(await ReadFrame(clientStream));
        }
        Assert.All(frames, f => Assert.Equal("2.0", f.GetProperty("jsonrpc").GetString()));
    }

    internal static async Task WriteFrame(Stream stream, string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    internal static async Task<JsonElement> ReadFrame(Stream stream)
    {
        var header = new StringBuilder();
        var one = new byte[1];
        while (!header.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            int n = await stream.ReadAsync(one).AsTask().WaitAsync(Waits.HangGuard);
            if (n == 0) throw new EndOfStreamException();
            header.Append((char)one[0]);
        }
        var line = header.ToString().Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        int length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
