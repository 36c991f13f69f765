using System.Collections.Concurrent;
using System.Text.Json;
using CertLsp.LanguageServer.Protocol;

namespace CertLsp.LanguageServer.Workspace;

/// <summary>
/// LSP work-done progress for a long command: begin, per-item reports (throttled), end; cancellable from the client's
/// progress UI (window/workDoneProgress/cancel) as well as by $/cancelRequest.
/// </summary>
public sealed class WorkDoneProgress : IDisposable
{
    private static readonly ConcurrentDictionary<string, CancellationTokenSource> Running = new(StringComparer.Ordinal);
    private readonly ServerContext context;
    private readonly JsonElement? token;
    private readonly string key;
    private readonly CancellationTokenSource cancellation;
    private readonly Lock gate = new();
    private long lastReport;
    private int lastPercentage;
    private int lastDone;
    private int lastTotal = -1;
    private bool ended;

    /// <summary>The last notification queued: each is sent once the one before it has been written.</summary>
    private Task tail = Task.CompletedTask;

    private WorkDoneProgress(ServerContext context, JsonElement? token, CancellationToken requestCancelled)
    {
        this.context = context;
        this.token = token;
        key = token?.GetRawText() ?? Guid.NewGuid().ToString();
        cancellation = CancellationTokenSource.CreateLinkedTokenSource(requestCancelled);
        Running[key] = cancellation;
    }

    public CancellationToken Token => cancellation.Token;

    /// <summary>Starts progress on the client's token, or on one the server creates when the client supports it.</summary>
    public static async Task<WorkDoneProgress> BeginAsync(ServerContext context, JsonElement? clientToken, string title,
        CancellationToken requestCancelled)
    {
        JsonElement? token = clientToken is { ValueKind: JsonValueKind.String or JsonValueKind.Number } t ? t : null;
        if (token is null && context.Client.WorkDoneProgress)
        {
            var created = JsonSerializer.SerializeToElement($"certlsp-{Guid.NewGuid():N}", LspJsonContext.Default.String);
            try
            {
                await context.Rpc.Request<object?>(Methods.WorkDoneProgressCreate,
                    new WorkDoneProgressCreateParams(created), requestCancelled).ConfigureAwait(false);
                token = created;
            }
            catch (Exception ex) when (ex is StreamJsonRpc.RemoteRpcException or StreamJsonRpc.ConnectionLostException)
            {
                context.Log($"the client refused a progress token: {ex.Message}");
            }
        }
        var progress = new WorkDoneProgress(context, token, requestCancelled);
        Task begun;
        lock (progress.gate) begun = progress.Enqueue(new WorkDoneProgressBegin(title, true, null, 0));
        await begun.ConfigureAwait(false);
        return progress;
    }

    /// <summary>The client pressed cancel on a progress notification.</summary>
    public static void CancelFromClient(JsonElement token)
    {
        if (token.ValueKind == JsonValueKind.Undefined) return; // no token sent
        if (Running.TryGetValue(token.GetRawText(), out var source)) source.Cancel();
    }

    /// <summary>
    /// One report, from any thread: reports leave in the order they are made, never after "end", with a percentage that never goes
    /// down. Parallel workers count and report in any order: a count below one already sent is dropped, and a new total (the installs
    /// after an import's files) keeps the percentage reached.
    /// </summary>
    public void Report(string message, int done, int total)
    {
        int percentage = total == 0 ? 100 : (int)Math.Clamp(100L * done / total, 0, 100);
        lock (gate)
        {
            if (ended) return; // a late report never follows "end"
            if (total == lastTotal && done < lastDone) return; // counted before the last one sent, reported after it: old news
            long now = Environment.TickCount64;
            if (percentage < 100 && now - lastReport < 50) return; // at most ~20 reports a second
            lastReport = now;
            (lastDone, lastTotal) = (done, total);
            lastPercentage = Math.Max(lastPercentage, percentage);
            Enqueue(new WorkDoneProgressReport(message, lastPercentage));
        }
    }

    public Task EndAsync(string message)
    {
        lock (gate)
        {
            if (ended) return tail;
            ended = true;
            return Enqueue(new WorkDoneProgressEnd(message));
        }
    }

    /// <summary>An IProgress that reports on the caller's thread, in order (System.Progress posts to a queue, so a report could come after
    /// the end).</summary>
    public IProgress<T> For<T>(Func<T, (string Message, int Done, int Total)> describe) => new Inline<T>(value =>
    {
        var (message, done, total) = describe(value);
        Report(message, done, total);
    });

    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>Queues a notification after the ones before it (called under the gate, so the queue's order is the reports'
    /// order).</summary>
    private Task Enqueue(object value)
    {
        if (token is not { } t) return Task.CompletedTask;
        var previous = tail;
        tail = Send(previous, t, value);
        return tail;
    }

    private async Task Send(Task previous, JsonElement t, object value)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // a failed send (connection gone) is its own caller's
        await context.Rpc.Notify(Methods.Progress, new ProgressParams(t, value)).ConfigureAwait(false);
    }

    public void Dispose()
    {
        Running.TryRemove(key, out _);
        cancellation.Dispose();
    }
}
