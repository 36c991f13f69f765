using System.Threading.Channels;
using CertLsp.Bacnet.Application;

namespace CertLsp.Bacnet.Transport;

/// <summary>What the receiver of a segment must do next.</summary>
public enum SegmentAction
{
    /// <summary>Taken in order; nothing to send yet.</summary>
    None,
    /// <summary>Taken in order; acknowledge it (the first segment, the end of a window).</summary>
    Ack,
    /// <summary>Out of order (a gap): dropped; send a negative SegmentACK naming <see cref="SegmentReassembly.LastInOrder"/>.</summary>
    Nak,
    /// <summary>The last segment: acknowledge it; the message is complete.</summary>
    Complete,
    /// <summary>The message would exceed the bound: abort.</summary>
    TooLarge,
    /// <summary>
    /// A segment received before (the sender resent a window whose ACK was lost, or the network doubled it): dropped; send a
    /// positive SegmentACK naming <see cref="SegmentReassembly.LastInOrder"/>, which tells the sender where it stands without
    /// asking for a resend.
    /// </summary>
    Duplicate,
    /// <summary>
    /// A segment received before that is not the last one acknowledged (the network doubled it, or it belongs to a window
    /// whose ACK arrived): dropped without an answer — acknowledging every copy would make the sender slide and resend its
    /// window once per copy (135 5.4.4, DuplicateSegmentReceived).
    /// </summary>
    Dropped,
}

/// <summary>
/// Receiving side of segmentation (5.2.2, 5.4): collects segments in order, says when to send a SegmentACK
/// (first segment, end of each window, last segment) or a negative one (a gap), recognises duplicates of segments already
/// taken, and bounds the total size.
/// </summary>
public sealed class SegmentReassembly(int maxTotalBytes, byte windowSize)
{
    private readonly byte proposed = windowSize;
    private readonly MemoryStream data = new();
    private int received;  // segments taken in order; the next expected sequence number is its low byte
    private int sinceAck;
    private int lastAcked = -1;  // the sequence number of the last SegmentACK this side was told to send, or -1

    /// <summary>The window this side accepts: at most the sender's proposal.</summary>
    public byte ActualWindow { get; private set; } = 1;

    /// <summary>The sequence number to acknowledge: the last segment received in order.</summary>
    public byte LastInOrder => unchecked((byte)(received - 1));

    public byte[] Data => data.ToArray();

    public SegmentAction Accept(in ApduHeader header, ReadOnlySpan<byte> segment)
    {
        byte expected = unchecked((byte)received);
        if (header.SequenceNumber != expected)
        {
            var behind = (byte)(expected - header.SequenceNumber);
            if (behind > Math.Min(received, 127)) { lastAcked = LastInOrder; return SegmentAction.Nak; }
            return header.SequenceNumber == lastAcked ? SegmentAction.Duplicate : SegmentAction.Dropped;
        }
        if (data.Length + segment.Length > maxTotalBytes) return SegmentAction.TooLarge;
        var first = received == 0;
        if (first) ActualWindow = Math.Clamp(Math.Min(proposed, header.WindowSize), (byte)1, (byte)127);
        data.Write(segment);
        received++;
        sinceAck++;
        if (!header.MoreFollows) { lastAcked = header.SequenceNumber; return SegmentAction.Complete; }
        if (first || sinceAck >= ActualWindow) { sinceAck = 0; lastAcked = header.SequenceNumber; return SegmentAction.Ack; }
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

    /// <param name="sendSegment">Sends segment <c>index</c> (sequence number index mod 256), with more-follows set unless it is the
    /// last.</param>
    /// <param name="ends">Which other APDUs end the transfer (the peer's final answer); others are ignored. Default: any.</param>
    /// <remarks>
    /// A SegmentACK inside the window (positive, or negative after a gap) slides the window to the segment after it and sends
    /// from there; SegmentACKs outside the window (duplicates, strays) are ignored and do not extend the wait for the ACK.
    /// </remarks>
    public static async Task<Outcome> SendAsync(int segmentCount, Action<int> sendSegment, ChannelReader<IncomingApdu> incoming,
        TimeSpan segmentTimeout, int retries, CancellationToken cancellationToken, Func<ApduHeader, bool>? ends = null)
    {
        var next = 0;
        var window = 1;
        var attempts = 0;
        while (next < segmentCount)
        {
            var end = Math.Min(segmentCount, next + window);
            for (var i = next; i < end; i++) sendSegment(i);
            var deadline = Deadline.After(segmentTimeout);
            while (true)
            {
                var left = deadline.Left;
                var apdu = left > TimeSpan.Zero ? await Transaction.ReceiveAsync(incoming, left, cancellationToken).ConfigureAwait(false)
                    : null;
                if (apdu is null)
                {
                    if (++attempts > retries) return new Outcome(false, null, true);
                    break;
                }
                if (apdu.Header.Type != ApduType.SegmentAck)
                {
                    if (ends is null || ends(apdu.Header)) return new Outcome(false, apdu, false);
                    continue;
                }
                // The ACK names a sequence number inside the window just sent; everything up to it arrived.
                var offset = (byte)(apdu.Header.SequenceNumber - (byte)next);
                if (offset < end - next)
                {
                    next += offset + 1;
                    window = Math.Clamp((int)apdu.Header.WindowSize, 1, 127);
                    attempts = 0;
                    break;
                }
            }
        }
        return new Outcome(true, null, false);
    }
}

internal static class Transaction
{
    /// <summary>The next APDU for a transaction, or null when none arrives within the timeout.</summary>
    public static async Task<IncomingApdu?> ReceiveAsync(ChannelReader<IncomingApdu> reader, TimeSpan timeout,
        CancellationToken cancellationToken)
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
        Channel.CreateBounded<IncomingApdu>(new BoundedChannelOptions(256)
        {
            FullMode = BoundedChannelFullMode.DropWrite, SingleReader =
            true
        });
}
