using System.Text;
using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using Nerdbank.Streams;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// What happens to a message at dispatch, in raw frames: params read once into their record (a required field missing is invalid
/// params, a notification with bad params is dropped with a line in the log) and <c>$/cancelRequest</c> honoured.
/// </summary>
public sealed class DispatchTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-dispatch-").FullName;

    private static async Task<(CertLspServer Server, Stream Client, StringWriter Log)> StartAsync()
    {
        var (serverStream, clientStream) = FullDuplexStream.CreatePair();
        var log = new StringWriter();
        var server = new CertLspServer(serverStream, serverStream, TextWriter.Synchronized(log));
        await LifecycleTests.WriteFrame(clientStream, """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}""");
        await Until(clientStream, f => IsResponse(f, 1));
        await LifecycleTests.WriteFrame(clientStream, """{"jsonrpc":"2.0","method":"initialized","params":{}}""");
        return (server, clientStream, log);
    }

    private static bool IsResponse(JsonElement frame, int id) =>
        !frame.TryGetProperty("method", out _) && frame.TryGetProperty("id", out var got) && got.ValueKind == JsonValueKind.Number
            && got.GetInt32() == id;

    private static async Task<JsonElement> Until(Stream client, Func<JsonElement, bool> condition)
    {
        while (true)
        {
            var frame = await LifecycleTests.ReadFrame(client);
            if (condition(frame)) return frame;
        }
    }

    private static int? ErrorCode(JsonElement frame) => frame.TryGetProperty("error", out var error) ? error.GetProperty("code").GetInt32()
        : null;

    [Fact]
    public async Task A_slow_request_cancelled_while_it_runs_is_answered_request_cancelled_and_the_server_serves_on()
    {
        // 200 devices with 3072-bit RSA keys made here: a minute of work, cancelled once it has begun.
        var text = new StringBuilder(
            "site: Slow\ndomain: bms.test.example\nsubject: " +
            "{ country: DE, state: S, locality: L, organization: O, organizationalUnit: U }\nkey: " +
            "{ algorithm: rsa, size: 3072, source: local }\ndevices:\n");
        for (int i = 1; i <= 200; i++) text.Append($"  - name: dev-{i:D3}\n    instance: {1000 + i}\n");
        string manifest = Path.Combine(folder, "slow.site.yaml");
        File.WriteAllText(manifest, text.ToString());
        string uri = new Uri(manifest).AbsoluteUri;
        var (server, client, _) = await StartAsync();
        await using var owned = server;

        await LifecycleTests.WriteFrame(client, $$$"""
            {"jsonrpc":"2.0","id":2,"method":"workspace/executeCommand","params":{"command":"certlsp.generateCsrs","arguments":[{"uri":"{{{uri}}}","scope":"all"}],"workDoneToken":"slow"}}
            """);
        await Until(client, f => f.TryGetProperty("method", out var m) && m.GetString() == Methods.Progress
            && f.GetProperty("params").GetProperty("value").GetProperty("kind").GetString() == "begin");
        await LifecycleTests.WriteFrame(client, """{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":2}}""");
        var answer = await Until(client, f => IsResponse(f, 2));
        Assert.True(ErrorCode(answer) == ErrorCodes.RequestCancelled, answer.ToString());

        await LifecycleTests.WriteFrame(client,
            $$$"""{"jsonrpc":"2.0","id":3,"method":"certlsp/siteStatus","params":{"uri":"{{{uri}}}"}}""");
        Assert.True(ErrorCode(await Until(client, f => IsResponse(f, 3))) == ErrorCodes.InvalidParams); // not open: answered all the same
        Assert.False(server.Completion.IsCompleted);
    }

    [Fact]
    public async Task A_request_cancelled_before_it_runs_is_answered_request_cancelled()
    {
        var (server, client, _) = await StartAsync();
        await using var owned = server;
        // A large document: the symbols wait for its reading, and the cancel is read meanwhile (before or while the request runs).
        var big = new StringBuilder("site: Big\ndevices:\n");
        for (int i = 0; i < 100_000; i++) big.Append($"  - name: d{i}\n    instance: {i}\n");
        await LifecycleTests.WriteFrame(client, JsonSerializer.Serialize(new
        {
            jsonrpc = "2.0",
            method = Methods.DidOpen,
            @params = new { textDocument = new { uri = "file:///big.site.yaml", languageId = "yaml", version = 1, text = big.ToString() } },
        }));
        await LifecycleTests.WriteFrame(client, """
            {"jsonrpc":"2.0","id":4,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"file:///big.site.yaml"}}}
            """);
        await LifecycleTests.WriteFrame(client, """{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":4}}""");
        var answer = await Until(client, f => IsResponse(f, 4));
        Assert.True(ErrorCode(answer) == ErrorCodes.RequestCancelled, answer.ToString());
    }

    [Theory]
    // range.end, start.character
    [InlineData("""{"textDocument":{"uri":"file:///a.site.yaml"},"range":{"start":{"line":0}},"context":{"diagnostics":[]}}""")]
    [InlineData("""
        {"textDocument":{"uri":"file:///a.site.yaml"},"range":{"start":{"line":0,"character":0},"end":null},"context":{"diagnostics":[]}}
        """)]
    [InlineData("""
        {"textDocument":{"uri":null},"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"context":{"diagnostics":[]}}
        """)]
    // context
    [InlineData(
        """{"textDocument":{"uri":"file:///a.site.yaml"},"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}}}""")]
    public async Task A_request_missing_a_required_field_gets_invalid_params_naming_it(string parameters)
    {
        var (server, client, _) = await StartAsync();
        await using var owned = server;
        await LifecycleTests.WriteFrame(client,
            $$"""{"jsonrpc":"2.0","id":5,"method":"textDocument/codeAction","params":{{parameters}}}""");
        var answer = await Until(client, f => IsResponse(f, 5));
        Assert.True(ErrorCode(answer) == ErrorCodes.InvalidParams, answer.ToString());
        Assert.StartsWith("invalid params for textDocument/codeAction: ", answer.GetProperty("error").GetProperty("message").GetString(),
            StringComparison.Ordinal);
        await LifecycleTests.WriteFrame(client, """{"jsonrpc":"2.0","id":6,"method":"shutdown"}""");
        Assert.Null(ErrorCode(await Until(client, f => IsResponse(f, 6))));
    }

    [Fact]
    public async Task A_notification_with_bad_params_is_dropped_with_a_line_in_the_log()
    {
        var (server, client, log) = await StartAsync();
        await using var owned = server;
        // didOpen without its text: nothing is opened, nothing is answered, the log says why.
        await LifecycleTests.WriteFrame(client, """
            {"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///n.site.yaml","languageId":"yaml","version":1}}}
            """);
        await LifecycleTests.WriteFrame(client,
            """{"jsonrpc":"2.0","id":7,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"file:///n.site.yaml"}}}""");
        var answer = await Until(client, f => f.TryGetProperty("id", out _) && !f.TryGetProperty("method", out _));
        Assert.True(IsResponse(answer, 7) && ErrorCode(answer) == ErrorCodes.InvalidParams, answer.ToString()); // not open
        Assert.Contains("refused a message: invalid params for textDocument/didOpen: ", log.ToString(), StringComparison.Ordinal);
        Assert.Null(server.Context.Workspace.Snapshot.Find("file:///n.site.yaml"));
    }

    public void Dispose()
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
