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
    private long lastReport;
    private int ended;

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
    public static async Task<WorkDoneProgress> BeginAsync(ServerContext context, JsonElement? clientToken, string title, CancellationToken requestCancelled)
    {
        JsonElement? token = clientToken is { ValueKind: JsonValueKind.String or JsonValueKind.Number } t ? t : null;
        if (token is null && context.ClientSupportsWorkDoneProgress)
        {
            var created = JsonSerializer.SerializeToElement($"certlsp-{Guid.NewGuid():N}");
            try
            {
                await context.Rpc.InvokeWithParameterObjectAsync<object?>(Methods.WorkDoneProgressCreate, new WorkDoneProgressCreateParams(created), requestCancelled).ConfigureAwait(false);
                token = created;
            }
            catch (Exception ex) when (ex is StreamJsonRpc.RemoteRpcException or StreamJsonRpc.ConnectionLostException)
            {
                context.Log($"the client refused a progress token: {ex.Message}");
            }
        }
        var progress = new WorkDoneProgress(context, token, requestCancelled);
        await progress.SendAsync(new WorkDoneProgressBegin(title, true, null, 0)).ConfigureAwait(false);
        return progress;
    }

    /// <summary>The client pressed cancel on a progress notification.</summary>
    public static void CancelFromClient(JsonElement token)
    {
        if (Running.TryGetValue(token.GetRawText(), out var source)) source.Cancel();
    }

    public void Report(string message, int done, int total)
    {
        if (Volatile.Read(ref ended) == 1) return; // a late report never follows "end"
        long now = Environment.TickCount64;
        if (done < total && now - Interlocked.Read(ref lastReport) < 50) return; // at most ~20 reports a second
        Interlocked.Exchange(ref lastReport, now);
        _ = SendAsync(new WorkDoneProgressReport(message, total == 0 ? 100 : (int)(100L * done / total)));
    }

    public Task EndAsync(string message)
    {
        Interlocked.Exchange(ref ended, 1);
        return SendAsync(new WorkDoneProgressEnd(message));
    }

    /// <summary>An IProgress that reports on the caller's thread, in order (System.Progress posts to a queue, so a report could come after the end).</summary>
    public IProgress<T> For<T>(Func<T, (string Message, int Done, int Total)> describe) => new Inline<T>(value =>
    {
        var (message, done, total) = describe(value);
        Report(message, done, total);
    });

    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    private Task SendAsync(object value) =>
        token is { } t ? context.Rpc.NotifyWithParameterObjectAsync(Methods.Progress, new ProgressParams(t, value)) : Task.CompletedTask;

    public void Dispose()
    {
        Running.TryRemove(key, out _);
        cancellation.Dispose();
    }
}
