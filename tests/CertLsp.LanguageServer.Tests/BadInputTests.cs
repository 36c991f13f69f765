using System.Text;
using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using Nerdbank.Streams;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Tests;

/// <summary>A misbehaving client gets the right LSP error and the server keeps serving until exit.</summary>
public sealed class BadInputTests
{
    private static async Task<(CertLspServer Server, Stream Client)> RawServerAsync()
    {
        var (serverStream, clientStream) = FullDuplexStream.CreatePair();
        var server = new CertLspServer(serverStream, serverStream, TextWriter.Null);
        await LifecycleTests.WriteFrame(clientStream,
            """{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"capabilities":{}}}""");
        await ReadResponse(clientStream, "init");
        return (server, clientStream);
    }

    private static async Task<JsonElement> ReadResponse(Stream stream, object? id)
    {
        while (true)
        {
            var frame = await LifecycleTests.ReadFrame(stream);
            if (!frame.TryGetProperty("id", out var got)) continue; // notifications
            bool match = id switch
            {
                null => got.ValueKind == JsonValueKind.Null,
                string s => got.ValueKind == JsonValueKind.String && got.GetString() == s,
                int n => got.ValueKind == JsonValueKind.Number && got.GetInt32() == n,
                _ => false,
            };
            if (match) return frame;
        }
    }

    private static int ErrorCode(JsonElement frame) => frame.GetProperty("error").GetProperty("code").GetInt32();

    [Theory]
    [InlineData("{not json", -32700)]
    [InlineData("[1,2,3]", -32600)]
    [InlineData("\"just a string\"", -32600)]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"shutdown\"}", -32600)]
    public async Task Malformed_frames_get_an_error_and_the_server_keeps_serving(string body, int expected)
    {
        var (server, client) = await RawServerAsync();
        await using var owned = server;
        await LifecycleTests.WriteFrame(client, body);
        var error = await ReadResponse(client, null);
        Assert.Equal(expected, ErrorCode(error));
        await LifecycleTests.WriteFrame(client, """
            {"jsonrpc":"2.0","id":5,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"file:///nope.site.yaml"}}}
            """);
        var next = await ReadResponse(client, 5);
        Assert.Equal(ErrorCodes.InvalidParams, ErrorCode(next)); // still answering
        Assert.False(server.Completion.IsCompleted);
    }

    [Fact]
    public async Task Invalid_message_with_an_id_is_answered_with_that_id()
    {
        var (server, client) = await RawServerAsync();
        await using var owned = server;
        await LifecycleTests.WriteFrame(client, """{"id":9,"method":"shutdown"}""");
        Assert.Equal(-32600, ErrorCode(await ReadResponse(client, 9)));
    }

    [Fact]
    public async Task A_frame_without_content_length_is_refused()
    {
        var (server, client) = await RawServerAsync();
        await using var owned = server;
        await client.WriteAsync(Encoding.ASCII.GetBytes("X-Nonsense: 1\r\n\r\n"));
        await client.FlushAsync();
        Assert.Equal(-32600, ErrorCode(await ReadResponse(client, null)));
        await LifecycleTests.WriteFrame(client, """{"jsonrpc":"2.0","id":6,"method":"shutdown"}""");
        Assert.False((await ReadResponse(client, 6)).TryGetProperty("error", out var unexpected), unexpected.ToString());
    }

    [Fact]
    public async Task Unknown_methods_get_method_not_found()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        var error = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() =>
            client.Request<object>("textDocument/noSuchThing", new { }));
        Assert.Equal(-32601, (int)error.ErrorCode);
        await client.Notify("$/noSuchNotification", new { }); // ignored
        Assert.NotNull(await client.Request<JsonElement?>(Methods.DocumentSymbol,
            new { textDocument = new { uri = "file:///x" } }).ContinueWith(t => (JsonElement?)default(JsonElement)));
    }

    [Fact]
    public async Task Missing_params_get_invalid_params()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        // StreamJsonRpc's client surfaces -32602 as RemoteMethodNotFoundException; the code is what the server sent.
        var error = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() =>
            client.Request<object>(Methods.Hover, new { position = new { line = 0, character = 0 } }));
        Assert.Equal(ErrorCodes.InvalidParams, (int)error.ErrorCode);
    }

    [Fact]
    public async Task Out_of_range_positions_are_clamped()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        const string uri = "file:///range.site.yaml";
        await client.OpenAsync(uri, "site: x\ndevices: []\n");
        await client.Request<Hover?>(Methods.Hover, new { textDocument = new { uri }, position = new { line = 9999, character = 9999 } });
        await client.Request<Hover?>(Methods.Hover, new { textDocument = new { uri }, position = new { line = -5, character = -3 } });
        // An edit whose range lies past the end appends; the server keeps the text consistent.
        var published = await client.ChangeAsync(uri, 2, LspTestClient.Replace(500, 0, 500, 10, "\nsubject: {}\n"));
        Assert.Equal(2, published.Version);
    }

    [Fact]
    public async Task Edits_against_unknown_documents_or_stale_versions_are_ignored()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        const string uri = "file:///stale.site.yaml";
        await client.OpenAsync(uri, "site: x\n", version: 5);
        await client.Notify(Methods.DidChange, new
        {
            textDocument = new { uri = "file:///never-opened.site.yaml", version = 2 },
            contentChanges = new[] { LspTestClient.Full("site: y") }
        });
        await client.Notify(Methods.DidChange, new
        {
            textDocument = new { uri, version = 3 }, contentChanges =
            new[] { LspTestClient.Full("garbage: [") }
        });
        var published = await client.ChangeAsync(uri, 6, LspTestClient.Full("site: z\n"));
        Assert.DoesNotContain(published.Diagnostics, d => d.Code == "CL0001");
        Assert.Equal("site: z\n", client.Server.Context.Workspace.Snapshot.Find(uri)!.Text);
    }

    [Fact]
    public async Task A_50_MB_document_is_checked_and_the_server_keeps_serving()
    {
        var text = new StringBuilder(
            "site: Big\nsubject: { country: US, state: S, locality: L, organization: O, organizationalUnit: U }\ndevices:\n");
        int i = 0;
        while (text.Length < 50 * 1024 * 1024)
        {
            text.Append("  - name: DEV-").Append(i).Append("\n    instance: ").Append(i % 4194302).Append(
                "\n    # a comment to make the file large: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
            if (i % 10_000 == 0) text.Append("    unknownKey: ").Append(i).Append('\n');
            i++;
        }
        await using var client = await LspTestClient.StartInitializedAsync();
        const string uri = "file:///big.site.yaml";
        await client.Notify(Methods.DidOpen, new { textDocument = new { uri, languageId = "yaml", version = 1, text = text.ToString() } });
        var published = await client.WaitForDiagnosticsAsync(uri, 1, TimeSpan.FromMinutes(3));
        Assert.Contains(published.Diagnostics, d => d.Code == "CL0002"); // the unknown keys
        var symbols = await client.Request<JsonElement>(Methods.FoldingRange, new { textDocument = new { uri } });
        Assert.Equal(JsonValueKind.Array, symbols.ValueKind);
    }
}
