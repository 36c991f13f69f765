using System.Threading.Channels;
using CertLsp.Bacnet.Application;

namespace CertLsp.Bacnet.Transport;

/// <summary>What the receiver of a segment must do next.</summary>
public enum SegmentAction { None, Ack, Nak, Complete, TooLarge }

/// <summary>
/// Receiving side of segmentation (5.2.2, 5.4): collects segments in order, says when to send a SegmentACK
/// (first segment, end of each window, last segment) or a negative one (a gap), and bounds the total size.
/// </summary>
public sealed class SegmentReassembly(int maxTotalBytes, byte windowSize)
{
    private readonly byte _proposed = windowSize;
    private readonly MemoryStream _data = new();
    private byte _expected;
    private int _sinceAck;

    /// <summary>The window this side accepts: at most the sender's proposal.</summary>
    public byte ActualWindow { get; private set; } = 1;

    /// <summary>The sequence number to acknowledge: the last segment received in order.</summary>
    public byte LastInOrder => unchecked((byte)(_expected - 1));

    public byte[] Data => _data.ToArray();

    public SegmentAction Accept(in ApduHeader header, ReadOnlySpan<byte> segment)
    {
        if (header.SequenceNumber != _expected) return SegmentAction.Nak;
        if (_data.Length + segment.Length > maxTotalBytes) return SegmentAction.TooLarge;
        if (_expected == 0) ActualWindow = Math.Clamp(Math.Min(_proposed, header.WindowSize), (byte)1, (byte)127);
        _data.Write(segment);
        var first = _expected == 0;
        _expected++;
        _sinceAck++;
        if (!header.MoreFollows) return SegmentAction.Complete;
        if (first || _sinceAck >= ActualWindow) { _sinceAck = 0; return SegmentAction.Ack; }
        return SegmentAction.None;
    }
}

/// <summary>
/// Sending side of segmentation: sends a window of segments, waits for the SegmentACK, slides the window; resends
/// the window when the ACK does not come within the segment timeout, up to the retry count.
/// </summary>
public static class SegmentSender
{
    public const byte ProposedWindow = 16;

    /// <summary>The outcome: all segments acknowledged, an APDU other than a SegmentACK that ended it, or a timeout.</summary>
    public readonly record struct Outcome(bool Completed, IncomingApdu? Other, bool TimedOut);

    /// <param name="sendSegment">Sends segment <c>index</c> (sequence number index mod 256), with more-follows set unless it is the last.</param>
    public static async Task<Outcome> SendAsync(int segmentCount, Action<int> sendSegment, ChannelReader<IncomingApdu> incoming,
        TimeSpan segmentTimeout, int retries, CancellationToken cancellationToken)
    {
        var next = 0;
        var window = 1;
        var attempts = 0;
        while (next < segmentCount)
        {
            var end = Math.Min(segmentCount, next + window);
            for (var i = next; i < end; i++) sendSegment(i);
            var acked = false;
            while (!acked)
            {
                var apdu = await Transaction.ReceiveAsync(incoming, segmentTimeout, cancellationToken).ConfigureAwait(false);
                if (apdu is null)
                {
                    if (++attempts > retries) return new Outcome(false, null, true);
                    break;
                }
                if (apdu.Header.Type != ApduType.SegmentAck) return new Outcome(false, apdu, false);
                // The ACK names a sequence number inside the window just sent; everything up to it arrived.
                var offset = (byte)(apdu.Header.SequenceNumber - (byte)next);
                if (offset >= end - next) continue;
                next += offset + 1;
                window = Math.Clamp((int)apdu.Header.WindowSize, 1, 127);
                attempts = 0;
                acked = true;
            }
        }
        return new Outcome(true, null, false);
    }
}

internal static class Transaction
{
    /// <summary>The next APDU for a transaction, or null when none arrives within the timeout.</summary>
    public static async Task<IncomingApdu?> ReceiveAsync(ChannelReader<IncomingApdu> reader, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (reader.TryRead(out var ready)) return ready;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            return await reader.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public static Channel<IncomingApdu> NewChannel() =>
        Channel.CreateBounded<IncomingApdu>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
}
