using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Transport;
using Xunit;

namespace CertLsp.Bacnet.Tests;

/// <summary>The segmentation state machines without sockets: windows, a lost segment, NAKs, retries, size bounds.</summary>
public class SegmentationTests
{
    private static ApduHeader Segment(int index, int count, byte window) =>
        new(ApduType.ComplexAck, 1, 12, Segmented: true, MoreFollows: index < count - 1, SequenceNumber: (byte)index, WindowSize: window);

    /// <summary>Runs a sender against a reassembly over an in-memory link that drops the datagrams <paramref name="lose"/> names (by send
    /// count).</summary>
    private static async Task<(SegmentSender.Outcome Outcome, byte[] Received, int Sent)> TransferAsync(byte[] data, int chunk,
        HashSet<int> lose, byte receiverWindow = 4)
    {
        var count = (data.Length + chunk - 1) / chunk;
        var acks = Transaction.NewChannel();
        var reassembly = new SegmentReassembly(1 << 20, receiverWindow);
        byte[]? received = null;
        var sent = 0;
        void Send(int index)
        {
            if (lose.Contains(sent++)) return;
            var header = Segment(index, count, SegmentSender.ProposedWindow);
            var action = reassembly.Accept(header, data.AsSpan(index * chunk, Math.Min(chunk, data.Length - index * chunk)));
            switch (action)
            {
                case SegmentAction.Ack or SegmentAction.Complete:
                    if (action == SegmentAction.Complete) received = reassembly.Data;
                    acks.Writer.TryWrite(new IncomingApdu(ApduHeader.SegmentAck(1, header.SequenceNumber, reassembly.ActualWindow, false,
                        false), []));
                    break;
                case SegmentAction.Nak:
                    acks.Writer.TryWrite(new IncomingApdu(ApduHeader.SegmentAck(1, reassembly.LastInOrder, reassembly.ActualWindow, true,
                        false), []));
                    break;
            }
        }
        var outcome = await SegmentSender.SendAsync(count, Send, acks.Reader, TimeSpan.FromMilliseconds(100), 3, CancellationToken.None);
        return (outcome, received ?? [], sent);
    }

    [Fact]
    public async Task DeliversEverySegmentInWindows()
    {
        var data = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        var (outcome, received, sent) = await TransferAsync(data, 100, []);
        Assert.True(outcome.Completed);
        Assert.Equal(data, received);
        Assert.Equal(100, sent);  // no resends on a perfect link
    }

    [Fact]
    public async Task RecoversFromALostSegment()
    {
        var data = Enumerable.Range(0, 3_000).Select(i => (byte)(i * 3)).ToArray();
        var (outcome, received, sent) = await TransferAsync(data, 100, [5, 6, 17]);
        Assert.True(outcome.Completed);
        Assert.Equal(data, received);
        Assert.True(sent > 30, "lost segments were sent again");
    }

    [Fact]
    public async Task GivesUpAfterTheRetries()
    {
        var data = new byte[1000];
        var (outcome, _, sent) = await TransferAsync(data, 100, [.. Enumerable.Range(1, 1000)]);
        Assert.True(outcome.TimedOut);
        Assert.Equal(1 + 4 * 4, sent);  // segment 0, then the window of 4 the receiver chose, sent 1 + 3 retries times
    }

    [Fact]
    public void ReassemblyRefusesMoreThanItsBound()
    {
        var reassembly = new SegmentReassembly(150, 4);
        Assert.Equal(SegmentAction.Ack, reassembly.Accept(Segment(0, 3, 4), new byte[100]));
        Assert.Equal(SegmentAction.TooLarge, reassembly.Accept(Segment(1, 3, 4), new byte[100]));
    }

    [Fact]
    public void ReassemblyNaksAGapAndTakesTheSmallerWindow()
    {
        var reassembly = new SegmentReassembly(1000, 8);
        Assert.Equal(SegmentAction.Ack, reassembly.Accept(Segment(0, 5, 2), new byte[10]));
        Assert.Equal(2, reassembly.ActualWindow);
        Assert.Equal(SegmentAction.Nak, reassembly.Accept(Segment(2, 5, 2), new byte[10]));
        Assert.Equal(0, reassembly.LastInOrder);
    }

    [Fact]
    public void ReassemblyTellsADuplicateFromAGap()
    {
        var reassembly = new SegmentReassembly(1000, 4);
        Assert.Equal(SegmentAction.Nak, reassembly.Accept(Segment(255, 300, 4), new byte[10]));  // nothing received: not a duplicate
        Assert.Equal(SegmentAction.Ack, reassembly.Accept(Segment(0, 5, 4), new byte[10]));
        Assert.Equal(SegmentAction.None, reassembly.Accept(Segment(1, 5, 4), new byte[10]));
        // A copy of a segment not acknowledged yet is dropped unanswered (an ACK per copy would make the sender resend its
        // window per copy); a copy of the last acknowledged one means the sender may have lost that ACK: answer it again.
        Assert.Equal(SegmentAction.Dropped, reassembly.Accept(Segment(1, 5, 4), new byte[10]));
        Assert.Equal(SegmentAction.Duplicate, reassembly.Accept(Segment(0, 5, 4), new byte[10]));
        Assert.Equal(SegmentAction.Nak, reassembly.Accept(Segment(3, 5, 4), new byte[10]));
        Assert.Equal(1, reassembly.LastInOrder);
        Assert.Equal(20, reassembly.Data.Length);  // duplicates and out-of-order segments add nothing
    }
}
