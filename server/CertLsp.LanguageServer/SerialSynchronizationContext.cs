using System.Threading.Channels;

namespace CertLsp.LanguageServer;

/// <summary>
/// Runs posted work one item at a time, in the order posted. StreamJsonRpc posts each incoming message here in the
/// order it was read, so document changes apply in order; handlers that do long work move it off with Task.Run.
/// </summary>
public sealed class SerialSynchronizationContext : SynchronizationContext
{
    private readonly Channel<(SendOrPostCallback Callback, object? State)> queue =
        Channel.CreateUnbounded<(SendOrPostCallback, object?)>(new UnboundedChannelOptions { SingleReader = true });

    public SerialSynchronizationContext(Action<Exception> onError)
    {
        _ = Task.Run(async () =>
        {
            await foreach (var (callback, state) in queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                var previous = Current;
                SetSynchronizationContext(this);
                try
                {
                    callback(state);
                }
                catch (Exception ex)
                {
                    onError(ex);
                }
                finally
                {
                    SetSynchronizationContext(previous);
                }
            }
        });
    }

    public override void Post(SendOrPostCallback d, object? state) => queue.Writer.TryWrite((d, state));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("synchronous Send would deadlock the message queue");

    public override SynchronizationContext CreateCopy() => this;

    public void Complete() => queue.Writer.TryComplete();
}
