using System.Collections.Concurrent;
using System.Text.Json;
using CertLsp.LanguageServer;
using CertLsp.LanguageServer.Protocol;
using Nerdbank.Streams;
using StreamJsonRpc;

namespace CertLsp.TestSupport;

/// <summary>An editor in miniature: talks to an in-process server over a full-duplex stream, records what it publishes.</summary>
public sealed class LspTestClient : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PublishDiagnosticsParams> diagnostics = new();
    private readonly ConcurrentQueue<MessageParams> messages = new();
    private readonly SemaphoreSlim published = new(0, int.MaxValue);
    private readonly ConcurrentQueue<JsonElement> progress = new();
    private readonly ConcurrentQueue<ApplyWorkspaceEditParams> applyEdits = new();
    private TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long receivedDiagnostics;


    /// <summary>Every workspace/applyEdit the server sent, in order.</summary>
    public IReadOnlyCollection<ApplyWorkspaceEditParams> AppliedEdits => applyEdits;

    /// <summary>The answer to workspace/applyEdit (default: applied).</summary>
    public Func<ApplyWorkspaceEditParams, ApplyWorkspaceEditResult> ApplyEditAnswer { get; set; } = _ => new ApplyWorkspaceEditResult(true);

    /// <summary>Every $/progress value received, in order.</summary>
    public IReadOnlyCollection<JsonElement> Progress => progress;

    private LspTestClient(CertLspServer server, JsonRpc rpc, Stream clientStream, StringWriter log)
    {
        Server = server;
        Rpc = rpc;
        ClientStream = clientStream;
        Log = log;
    }

    public CertLspServer Server { get; }

    public JsonRpc Rpc { get; }

    /// <summary>The client's end of the connection (raw frames can be written to it).</summary>
    public Stream ClientStream { get; }

    public StringWriter Log { get; }

    public IReadOnlyCollection<MessageParams> Messages => messages;

    public static LspTestClient Start(Action<JsonRpc>? configure = null)
    {
        var (serverStream, clientStream) = FullDuplexStream.CreatePair();
        var log = new StringWriter();
        var server = new CertLspServer(serverStream, serverStream, TextWriter.Synchronized(log), TimeSpan.FromMilliseconds(5));
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = ClientJsonOptions.Create() };
        var rpc = new JsonRpc(new HeaderDelimitedMessageHandler(clientStream, clientStream, formatter));
        var client = new LspTestClient(server, rpc, clientStream, log);
        rpc.AddLocalRpcTarget(new ClientTarget(client));
        configure?.Invoke(rpc);
        rpc.StartListening();
        return client;
    }

    public static async Task<LspTestClient> StartInitializedAsync(string? rootFolder = null, Action<JsonRpc>? configure = null,
        object? initializationOptions = null)
    {
        var client = Start(configure);
        await client.InitializeAsync(rootFolder, initializationOptions);
        return client;
    }

    public async Task<InitializeResult> InitializeAsync(string? rootFolder = null, object? initializationOptions = null)
    {
        var result = await Request<InitializeResult>(Methods.Initialize, new
        {
            processId = (int?)null,
            rootUri = rootFolder is null ? null : new Uri(rootFolder).AbsoluteUri,
            capabilities = new { window = new { workDoneProgress = true }, workspace = new { applyEdit = true } },
            initializationOptions,
        });
        await Rpc.NotifyWithParameterObjectAsync(Methods.Initialized, new { });
        return result;
    }

    public Task<T> Request<T>(string method, object? parameters) =>
        parameters is null ? Rpc.InvokeWithCancellationAsync<T>(method, [], CancellationToken.None)
            : Rpc.InvokeWithParameterObjectAsync<T>(method, parameters);

    public Task Notify(string method, object parameters) => Rpc.NotifyWithParameterObjectAsync(method, parameters);

    public async Task<PublishDiagnosticsParams> OpenAsync(string uri, string text, int version = 1)
    {
        await Notify(Methods.DidOpen, new { textDocument = new { uri, languageId = "yaml", version, text } });
        return await WaitForDiagnosticsAsync(uri, version);
    }

    public async Task<PublishDiagnosticsParams> ChangeAsync(string uri, int version, params object[] changes)
    {
        await Notify(Methods.DidChange, new { textDocument = new { uri, version }, contentChanges = changes });
        return await WaitForDiagnosticsAsync(uri, version);
    }

    public static object Replace(int line, int character, int endLine, int endCharacter, string text) =>
        new { range = new { start = new { line, character }, end = new { line = endLine, character = endCharacter } }, text };

    public static object Full(string text) => new { text };

    /// <summary>
    /// A request the server answers only after it has handled every message sent before it (it dispatches one message at a
    /// time, in order): once this returns, notifications sent earlier ($/cancelRequest, window/workDoneProgress/cancel,
    /// didChangeWatchedFiles) have taken effect. A document that is not open is answered with an error, which is as good.
    /// </summary>
    public async Task HandledSoFarAsync(string uri)
    {
        try
        {
            await Request<JsonElement>(Methods.FoldingRange, new { textDocument = new { uri } });
        }
        catch (RemoteMethodNotFoundException ex) when ((int)ex.ErrorCode == ErrorCodes.InvalidParams) // StreamJsonRpc's name for -32602
        {
            // not open: the round trip is what counts
        }
    }

    /// <summary>Waits until diagnostics for this document at (at least) this version have been published.</summary>
    public async Task<PublishDiagnosticsParams> WaitForDiagnosticsAsync(string uri, int? version = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Waits.HangGuard);
        while (true)
        {
            if (diagnostics.TryGetValue(uri, out var p) && (version is null || p.Version >= version)) return p;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"no diagnostics for {uri} version {version}; log:\n{Log}");
            await published.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>
    /// The newest published diagnostics of a document once the server has nothing left pending, all awaited: the server has
    /// handled every message sent before (a round trip), its publisher has sent every check that caused, and this client has
    /// received as many publications as the publisher has sent.
    /// </summary>
    public async Task<PublishDiagnosticsParams?> SettledDiagnosticsAsync(string uri)
    {
        await HandledSoFarAsync(uri);
        var publisher = Server.Context.Publisher;
        await publisher.FlushAsync();
        long sent = publisher.Sent;
        await UntilAsync(() => Interlocked.Read(ref receivedDiagnostics) >= sent,
            () => $"received {Interlocked.Read(ref receivedDiagnostics)} of the {sent} diagnostics publications sent");
        return diagnostics.GetValueOrDefault(uri);
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, checking it again each time the server sends the client something
    /// (diagnostics, a message, progress, an edit): an awaited event, not a poll. <paramref name="guard"/> only turns a hang into
    /// a failure naming <paramref name="what"/>; keep it generous.
    /// </summary>
    public async Task UntilAsync(Func<bool> condition, Func<string> what, TimeSpan? guard = null)
    {
        using var timeout = new CancellationTokenSource(guard ?? Waits.HangGuard);
        while (true)
        {
            var next = Volatile.Read(ref arrived).Task; // taken before the check: nothing that arrives after it is missed
            if (condition()) return;
            try
            {
                await next.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"{what()} (waited {guard ?? Waits.HangGuard}); log:\n{Log}");
            }
        }
    }

    /// <summary>Waits for a $/progress value that satisfies a condition.</summary>
    public async Task<JsonElement> ProgressAsync(Func<JsonElement, bool> condition, TimeSpan? guard = null)
    {
        JsonElement found = default;
        await UntilAsync(() => progress.Any(p => condition(found = p)), () =>
            "no such progress: " + string.Join(" | ", progress.Select(p => p.GetRawText())), guard);
        return found;
    }

    /// <summary>Waits for a $/progress value of this kind (begin, report, end).</summary>
    public Task<JsonElement> ProgressAsync(string kind, TimeSpan? guard = null) =>
        ProgressAsync(p => p.TryGetProperty("kind", out var k) && k.GetString() == kind, guard);

    private void Arrived() => Interlocked.Exchange(ref arrived, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>What the server sends to the client.</summary>
    private sealed class ClientTarget(LspTestClient client)
    {
        [JsonRpcMethod(Methods.PublishDiagnostics, UseSingleObjectParameterDeserialization = true)]
        public void PublishDiagnostics(PublishDiagnosticsParams parameters)
        {
            client.diagnostics[parameters.Uri] = parameters;
            Interlocked.Increment(ref client.receivedDiagnostics);
            client.published.Release();
            client.Arrived();
        }

        [JsonRpcMethod(Methods.LogMessage, UseSingleObjectParameterDeserialization = true)]
        public void LogMessage(MessageParams parameters)
        {
            client.messages.Enqueue(parameters);
            client.Arrived();
        }

        [JsonRpcMethod(Methods.ShowMessage, UseSingleObjectParameterDeserialization = true)]
        public void ShowMessage(MessageParams parameters)
        {
            client.messages.Enqueue(parameters);
            client.Arrived();
        }

        [JsonRpcMethod(Methods.Progress, UseSingleObjectParameterDeserialization = true)]
        public void OnProgress(JsonElement parameters)
        {
            client.progress.Enqueue(parameters.GetProperty("value").Clone());
            client.Arrived();
        }

        [JsonRpcMethod(Methods.WorkDoneProgressCreate, UseSingleObjectParameterDeserialization = true)]
        public object? CreateProgress(JsonElement parameters) => null;

        [JsonRpcMethod(Methods.ApplyEdit, UseSingleObjectParameterDeserialization = true)]
        public ApplyWorkspaceEditResult ApplyEdit(ApplyWorkspaceEditParams parameters)
        {
            client.applyEdits.Enqueue(parameters);
            client.Arrived();
            return client.ApplyEditAnswer(parameters);
        }

        [JsonRpcMethod(Methods.RegisterCapability, UseSingleObjectParameterDeserialization = true)]
        public object? RegisterCapability(JsonElement parameters) => null;
    }

    /// <summary>Waits until the settled diagnostics of a document satisfy a condition (workspace and ledger effects take a
    /// moment).</summary>
    public async Task<PublishDiagnosticsParams> WaitUntilAsync(string uri, Func<PublishDiagnosticsParams, bool> condition,
        TimeSpan? timeout = null)
    {
        using var guard = new CancellationTokenSource(timeout ?? Waits.HangGuard);
        while (true)
        {
            var next = Volatile.Read(ref arrived).Task; // only a message from the server can change what the client holds
            var p = await SettledDiagnosticsAsync(uri);
            if (p is not null && condition(p)) return p;
            try
            {
                await next.WaitAsync(guard.Token);
            }
            catch (OperationCanceledException) when (guard.IsCancellationRequested)
            {
                throw new TimeoutException($"condition not met for {uri}; log:\n{Log}");
            }
        }
    }

    /// <summary>
    /// Waits for a window/showMessage or logMessage that satisfies a condition: the server sends it before its answer, but the client
    /// may dispatch the notification after the answer has completed the request.
    /// </summary>
    public async Task<MessageParams> MessageAsync(Func<MessageParams, bool> condition, TimeSpan? timeout = null)
    {
        MessageParams? found = null;
        await UntilAsync(() => (found = messages.FirstOrDefault(condition)) is not null,
            () => $"no such message; messages:\n{string.Join("\n", messages.Select(m => $"{m.Type}: {m.Message}"))}", timeout);
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        Rpc.Dispose();
        await Server.DisposeAsync();
    }
}
