using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Encoding;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Network;
using CertLsp.Bacnet.Services;

namespace CertLsp.Bacnet.Transport;

/// <summary>The answer a device gives to a confirmed request.</summary>
public abstract record ServiceResponse
{
    private ServiceResponse() { }
    public sealed record Simple : ServiceResponse { public static readonly Simple Instance = new(); }
    public sealed record Complex(byte[] Data) : ServiceResponse;
    public sealed record Failed(BacnetError Error) : ServiceResponse;
    public sealed record Rejected(RejectReason Reason) : ServiceResponse;

    public static ServiceResponse Ack(IComplexAck ack) => BacnetPacket.ToBytes(ack.Encode) is { } data ? new Complex(data)
        : new Rejected(RejectReason.BufferOverflow);
    public static ServiceResponse Fail(ErrorClass errorClass, ErrorCode code) => new Failed(new BacnetError(errorClass, code));

    /// <summary>The reject that answers service data that could not be decoded.</summary>
    public static ServiceResponse From(DecodeError error) => new Rejected(error.Failure switch
    {
        DecodeFailure.Truncated => RejectReason.MissingRequiredParameter,
        DecodeFailure.WrongTag => RejectReason.InvalidTag,
        DecodeFailure.WrongLength => RejectReason.InvalidParameterDataType,
        DecodeFailure.InvalidValue => RejectReason.ParameterOutOfRange,
        DecodeFailure.TrailingData => RejectReason.TooManyArguments,
        DecodeFailure.Oversized => RejectReason.BufferOverflow,
        _ => RejectReason.Other,
    });
}

/// <summary>What a device does with requests; called on the receive loop, so it must not block.</summary>
public interface IDeviceHandler
{
    /// <summary>
    /// The device's I-Am (also tells which Who-Is ranges match). Its Max APDU and segmentation are enforced by
    /// <see cref="DeviceEndpoint"/>: a larger APDU is dropped, a segmented request refused unless the device receives segments,
    /// an answer segmented only if the device transmits segments.
    /// </summary>
    IAm Identity { get; }

    /// <summary>The most segments of a segmented request the device takes (Max_Segments_Accepted); null: no limit below 255.</summary>
    int? MaxSegmentsAccepted => null;
    ServiceResponse Handle(ConfirmedService service, ReadOnlySpan<byte> serviceData);
}

/// <summary>
/// The device side of BACnet for one device, on BACnet/IP or any other <see cref="IDatalink"/>: answers Who-Is with I-Am,
/// runs confirmed requests through an <see cref="IDeviceHandler"/>, reassembles segmented requests, segments large
/// responses, and answers bad requests with reject or abort. Nothing a peer sends can throw out of the receive loop.
/// </summary>
public sealed class DeviceEndpoint : IAsyncDisposable
{
    private const int MaxRequestBytes = 256 * 1024;
    /// <summary>Defaults of <see cref="SegmentTimeout"/> and <see cref="Retries"/> (a device's APDU_Segment_Timeout,
    /// Number_Of_APDU_Retries).</summary>
    public static readonly TimeSpan DefaultSegmentTimeout = TimeSpan.FromSeconds(2);
    public const int DefaultRetries = 3;
    private const int MaxConcurrentExchanges = 256;

    private readonly IDatalink datalink;
    private readonly bool ownsDatalink;
    private readonly IDeviceHandler handler;
    private readonly Func<BacnetMac, bool> answerTo;
    private static readonly TimeSpan StaleExchange = TimeSpan.FromSeconds(60);

    // Started: a Stopwatch timestamp
    private readonly ConcurrentDictionary<(BacnetMac, NetworkAddress?, byte), (SegmentReassembly Reassembly, long Started)> incoming =
        new();
    private readonly ConcurrentDictionary<(BacnetMac, NetworkAddress?, byte), Channel<IncomingApdu>> outgoing = new();
    private long malformed;

    /// <param name="answerTo">
    /// Which peers this device answers (default: any sendable address). A Forwarded-NPDU names the address to
    /// answer, so without a filter any sender could make the device send anywhere; the simulator answers loopback only.
    /// </param>
    public DeviceEndpoint(BipEndpoint bind, IDeviceHandler handler, Func<BipEndpoint, bool>? answerTo = null)
        : this(new BipDatalink(bind, null), handler, Filter(answerTo ?? UdpEndpoint.IsSendable), ownsDatalink: true)
    {
    }

    /// <summary>A device on a datalink the caller made (BACnet/SC, or B/IP); the caller keeps the datalink and disposes it after
    /// the device. <paramref name="answerTo"/> as for B/IP (default: any unicast MAC).</summary>
    public DeviceEndpoint(IDatalink datalink, IDeviceHandler handler, Func<BacnetMac, bool>? answerTo = null)
        : this(datalink, handler, answerTo ?? (mac => mac.IsUnicastSendable), ownsDatalink: false)
    {
    }

    private DeviceEndpoint(IDatalink datalink, IDeviceHandler handler, Func<BacnetMac, bool> answerTo, bool ownsDatalink)
    {
        this.handler = handler;
        this.answerTo = answerTo;
        this.datalink = datalink;
        this.ownsDatalink = ownsDatalink;
        datalink.NpduReceived += ReceiveNpdu;
    }

    private static Func<BacnetMac, bool> Filter(Func<BipEndpoint, bool> answerTo) => mac => mac.IsBip && answerTo(mac.Bip);

    /// <summary>The device's B/IP endpoint; throws on another datalink (see <see cref="LocalMac"/>).</summary>
    public BipEndpoint Local => datalink.Local.Bip;

    /// <summary>The device's MAC on its datalink.</summary>
    public BacnetMac LocalMac => datalink.Local;

    public long MalformedReceived => Interlocked.Read(ref malformed) + datalink.MalformedReceived;

    /// <summary>Frames this device's datalink sent and received.</summary>
    public long Datagrams => datalink.FramesSent + datalink.FramesReceived;

    /// <summary>APDUs dropped because they were larger than the device's Max APDU (as a device with a smaller buffer cannot take
    /// them).</summary>
    public long OversizedDropped => Interlocked.Read(ref oversized);
    private long oversized;

    private int OwnMaxApdu => (int)Math.Clamp(handler.Identity.MaxApduLength, 50, Apdu.MaxApduLength);
    private bool ReceivesSegments => handler.Identity.Segmentation is Segmentation.Both or Segmentation.Receive;
    private bool TransmitsSegments => handler.Identity.Segmentation is Segmentation.Both or Segmentation.Transmit;

    /// <summary>Datagrams whose handling threw in the receive loop (a bug: bad datagrams are decode results, never exceptions).</summary>
    public long ReceiveFailures => datalink.HandlerFailures;
    public TimeSpan SegmentTimeout { get; init; } = DefaultSegmentTimeout;

    public int Retries { get; init; } = DefaultRetries;

    /// <summary>NPDUs this device did not process: addressed to another network, or a confirmed request sent by broadcast.</summary>
    public long Discarded => Interlocked.Read(ref discarded);
    private long discarded;

    /// <summary>I-Ams this device has sent in answer to a Who-Is that matched it.</summary>
    public long IAmsSent => Interlocked.Read(ref iAmsSent);
    private long iAmsSent;

    /// <summary>
    /// Handles one datagram addressed to this device (also called by a site's shared broadcast socket, with
    /// <paramref name="broadcast"/> true). This side is not a router: an NPDU whose DNET names a network (anything but the
    /// global broadcast 0xFFFF) is for a device elsewhere and is dropped (6.5.2.1). A confirmed request that came by broadcast
    /// (the broadcast socket, Original-Broadcast-NPDU, Forwarded-NPDU, Distribute-Broadcast-To-Network, or DNET 0xFFFF) is
    /// discarded unanswered (5.4.5.1); Who-Is and the rest of the unconfirmed services are what broadcasts are for.
    /// </summary>
    public void Receive(ReadOnlySpan<byte> datagram, BipEndpoint source, bool broadcast = false)
    {
        if (BipDatalink.TryUnwrap(datagram, source, broadcast, out var npdu, out var from, out var viaBroadcast, out _, out var decoded))
            ReceiveNpdu(datagram[npdu], from, viaBroadcast);
        else if (!decoded)
            Interlocked.Increment(ref malformed);
    }

    /// <summary>
    /// Handles one NPDU from <paramref name="peer"/> as a datalink delivers it; <paramref name="broadcast"/> when it came as a
    /// broadcast. The rules of <see cref="Receive"/> apply.
    /// </summary>
    public void ReceiveNpdu(ReadOnlySpan<byte> datagram, BacnetMac peer, bool broadcast)
    {
        var decoded = BacnetPacket.DecodeNpdu(datagram);
        if (!decoded.Ok) { Interlocked.Increment(ref malformed); return; }
        var packet = decoded.Value;
        if (packet.Apdu is not { } apdu) return;
        if (packet.Npdu.Destination is { } destination && destination.Network != NetworkAddress.GlobalNetwork)
        {
            Interlocked.Increment(ref discarded);
            return;
        }
        if (!answerTo(peer)) { Interlocked.Increment(ref malformed); return; }
        var remote = packet.Npdu.Source;
        var data = packet.ServiceData(datagram);
        if (apdu.DataOffset + data.Length > OwnMaxApdu) { Interlocked.Increment(ref oversized); return; }  // beyond its buffer: never seen
        broadcast |= packet.Npdu.Destination is not null;
        switch (apdu.Type)
        {
            case ApduType.UnconfirmedRequest when apdu.Service == (byte)UnconfirmedService.WhoIs:
                var whoIs = WhoIs.Decode(data);
                if (!whoIs.Ok) { Interlocked.Increment(ref malformed); return; }
                if (whoIs.Value.Matches(handler.Identity.Device.Instance)) SendIAm(peer, remote);
                return;
            case ApduType.ConfirmedRequest when broadcast:
                Interlocked.Increment(ref discarded);
                return;
            case ApduType.ConfirmedRequest when !apdu.Segmented:
                Respond(peer, remote, apdu, handler.Handle((ConfirmedService)apdu.Service, data));
                return;
            // 135 5.4.5.1: a device that does not take segmented requests aborts them
            case ApduType.ConfirmedRequest when !ReceivesSegments:
                SendBare(peer, remote, ApduHeader.Abort(apdu.InvokeId, AbortReason.SegmentationNotSupported, true));
                return;
            case ApduType.ConfirmedRequest:
                ReceiveSegment(peer, remote, apdu, data);
                return;
            case ApduType.SegmentAck or ApduType.Abort when !apdu.FromServer:
                var key = (peer, remote, apdu.InvokeId);
                if (outgoing.TryGetValue(key, out var channel)) channel.Writer.TryWrite(new IncomingApdu(apdu, []));
                if (apdu.Type == ApduType.Abort) incoming.TryRemove(key, out _);
                return;
        }
    }

    private void ReceiveSegment(BacnetMac peer, NetworkAddress? remote, ApduHeader apdu, ReadOnlySpan<byte> data)
    {
        var key = (peer, remote, apdu.InvokeId);
        if (apdu.SequenceNumber == 0)
        {
            if (incoming.Count >= MaxConcurrentExchanges)
            {
                foreach (var (k, v) in incoming) if (Stopwatch.GetElapsedTime(v.Started) > StaleExchange) incoming.TryRemove(k, out _);
            }
            if (incoming.Count >= MaxConcurrentExchanges)
            {
                SendBare(peer, remote,
                ApduHeader.Abort(apdu.InvokeId, AbortReason.OutOfResources, true)); return;
            }
            incoming[key] = (new SegmentReassembly(MaxRequestBytes, SegmentSender.ProposedWindow), Stopwatch.GetTimestamp());
        }
        if (!incoming.TryGetValue(key, out var exchange)) return;
        if (apdu.SequenceNumber >= (handler.MaxSegmentsAccepted ?? 256))  // more segments than Max_Segments_Accepted
        {
            incoming.TryRemove(key, out _);
            SendBare(peer, remote, ApduHeader.Abort(apdu.InvokeId, AbortReason.BufferOverflow, true));
            return;
        }
        var reassembly = exchange.Reassembly;
        switch (reassembly.Accept(apdu, data))
        {
            case SegmentAction.Ack:
                SendBare(peer, remote, ApduHeader.SegmentAck(apdu.InvokeId, apdu.SequenceNumber, reassembly.ActualWindow, false, true));
                break;
            case SegmentAction.Nak:
                SendBare(peer, remote, ApduHeader.SegmentAck(apdu.InvokeId, reassembly.LastInOrder, reassembly.ActualWindow, true, true));
                break;
            case SegmentAction.Duplicate:
                SendBare(peer, remote, ApduHeader.SegmentAck(apdu.InvokeId, reassembly.LastInOrder, reassembly.ActualWindow, false, true));
                break;
            case SegmentAction.TooLarge:
                incoming.TryRemove(key, out _);
                SendBare(peer, remote, ApduHeader.Abort(apdu.InvokeId, AbortReason.BufferOverflow, true));
                break;
            case SegmentAction.Complete:
                incoming.TryRemove(key, out _);
                SendBare(peer, remote, ApduHeader.SegmentAck(apdu.InvokeId, apdu.SequenceNumber, reassembly.ActualWindow, false, true));
                Respond(peer, remote, apdu, handler.Handle((ConfirmedService)apdu.Service, reassembly.Data));
                break;
        }
    }

    private void Respond(BacnetMac peer, NetworkAddress? remote, ApduHeader request, ServiceResponse response)
    {
        var service = (ConfirmedService)request.Service;
        switch (response)
        {
            case ServiceResponse.Simple:
                SendBare(peer, remote, ApduHeader.SimpleAck(request.InvokeId, service));
                break;
            case ServiceResponse.Rejected r:
                SendBare(peer, remote, ApduHeader.Reject(request.InvokeId, r.Reason));
                break;
            case ServiceResponse.Failed f:
                Send(peer, remote, ApduHeader.Error(request.InvokeId, service), (ref BacnetWriter w) =>
                    Apdu.EncodeErrorContent(ref w, f.Error));
                break;
            case ServiceResponse.Complex c:
                // Never larger than the requester takes (its Max APDU in the request) nor than this device can build (its own).
                var limit = Math.Min(request.MaxApduLength, OwnMaxApdu);
                if (Apdu.ComplexAckHeader + c.Data.Length <= limit)
                {
                    Send(peer, remote, ApduHeader.ComplexAck(request.InvokeId, service), (ref BacnetWriter w) => w.WriteBytes(c.Data));
                    break;
                }
                var chunk = limit - Apdu.SegmentedComplexAckHeader;
                var count = (c.Data.Length + chunk - 1) / chunk;
                if (!request.SegmentedResponseAccepted || !TransmitsSegments)
                    SendBare(peer, remote, ApduHeader.Abort(request.InvokeId, AbortReason.SegmentationNotSupported, true));
                else if (count > 255 || (request.MaxSegments is { } max && count > max))
                    SendBare(peer, remote, ApduHeader.Abort(request.InvokeId, AbortReason.BufferOverflow, true));
                else if (outgoing.Count >= MaxConcurrentExchanges)  // each holds its answer for seconds: a flood must not pile them up
                    SendBare(peer, remote, ApduHeader.Abort(request.InvokeId, AbortReason.OutOfResources, true));
                else
                    _ = SendSegmentedAsync(peer, remote, request.InvokeId, service, c.Data, chunk, count);
                break;
        }
    }

    private async Task SendSegmentedAsync(BacnetMac peer, NetworkAddress? remote, byte invokeId, ConfirmedService service, byte[] data,
        int chunk, int count)
    {
        var key = (peer, remote, invokeId);
        var channel = Transaction.NewChannel();
        if (!outgoing.TryAdd(key, channel)) return;  // a retry of a request whose answer is being sent
        try
        {
            void SendSegment(int index)
            {
                var header = ApduHeader.ComplexAck(invokeId, service) with
                {
                    Segmented = true,
                    MoreFollows = index < count - 1,
                    SequenceNumber = (byte)index,
                    WindowSize = SegmentSender.ProposedWindow,
                };
                var start = index * chunk;
                var length = Math.Min(chunk, data.Length - start);
                Send(peer, remote, header, (ref BacnetWriter w) => w.WriteBytes(data.AsSpan(start, length)));
            }
            var outcome = await SegmentSender.SendAsync(count, SendSegment, channel.Reader, SegmentTimeout, Retries,
                CancellationToken.None).ConfigureAwait(false);
            if (outcome.TimedOut) SendBare(peer, remote, ApduHeader.Abort(invokeId, AbortReason.TsmTimeout, true));
        }
        catch (Exception)
        {
            Interlocked.Increment(ref malformed);
        }
        finally
        {
            outgoing.TryRemove(key, out _);
        }
    }

    private void SendIAm(BacnetMac peer, NetworkAddress? remote)
    {
        Interlocked.Increment(ref iAmsSent);
        Send(peer, remote, ApduHeader.Unconfirmed(UnconfirmedService.IAm), handler.Identity.Encode);
    }

    private void SendBare(BacnetMac peer, NetworkAddress? remote, ApduHeader header) =>
        Send(peer, remote, header, static (ref BacnetWriter _) => { });

    private void Send(BacnetMac peer, NetworkAddress? remote, ApduHeader header, ContentEncoder content)
    {
        Span<byte> buffer = stackalloc byte[BacnetPacket.MaxDatagram];
        var npdu = remote is { } r ? new NpduHeader(Destination: r) : NpduHeader.Local(false);
        var length = BacnetPacket.EncodeNpdu(buffer, npdu, header, content, datalink.MaxNpduLength);
        if (length.Ok) datalink.Send(buffer[..length.Length], peer);
    }

    public async ValueTask DisposeAsync()
    {
        datalink.NpduReceived -= ReceiveNpdu;
        if (ownsDatalink) await datalink.DisposeAsync().ConfigureAwait(false);
    }
}
