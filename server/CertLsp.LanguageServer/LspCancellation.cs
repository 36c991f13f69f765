using System.Collections.Concurrent;
using CertLsp.LanguageServer.Protocol;
using StreamJsonRpc;

namespace CertLsp.LanguageServer;

/// <summary>
/// LSP's <c>$/cancelRequest</c> as the connection's cancellation strategy: the message handler calls <see cref="Cancel"/> the moment
/// it reads one (not queued behind the request it cancels); a handler sees its CancellationToken cancelled and StreamJsonRpc answers
/// -32800 (RequestCancelled). A request the server cancels of its own (workspace/applyEdit when its command is cancelled) is
/// cancelled at the client the same way.
/// </summary>
public sealed class LspCancellation : ICancellationStrategy
{
    private readonly ConcurrentDictionary<RequestId, CancellationTokenSource> running = new();

    /// <summary>Sends <c>$/cancelRequest</c> for a request of the server's (set once the connection exists).</summary>
    public Func<string, object?, Task>? Notify { get; set; }

    public void Cancel(RequestId id)
    {
        if (!running.TryGetValue(id, out var source)) return; // finished already, or never started: nothing to cancel
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // it finished meanwhile
        }
    }

    public void IncomingRequestStarted(RequestId requestId, CancellationTokenSource cancellationTokenSource) => running[requestId] =
        cancellationTokenSource;

    public void IncomingRequestEnded(RequestId requestId) => running.TryRemove(requestId, out _);

    public void CancelOutboundRequest(RequestId requestId) => _ =
        Notify?.Invoke(Methods.CancelRequest, new CancelParams(requestId.Number is { } number ? number : requestId.String));

    public void OutboundRequestEnded(RequestId requestId)
    {
    }
}
