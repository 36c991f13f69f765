using System.Collections.Concurrent;
using System.Threading.Channels;
using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Network;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Client;

/// <summary>
/// A BACnet client on any <see cref="IDatalink"/> (BACnet/IP, BACnet/SC): Who-Is discovery and confirmed services with
/// invoke ids, APDU timeout and retries, and segmentation both ways. Every call takes a CancellationToken (cancellation
/// throws OperationCanceledException); every protocol outcome - value, BACnet error, reject, abort, timeout, malformed
/// answer - is a <see cref="BacnetResult{T}"/>.
/// </summary>
public sealed class BacnetClient : IAsyncDisposable
{
    private readonly BacnetClientOptions options;
    private readonly IDatalink datalink;
    private readonly bool ownsDatalink;
    private readonly SemaphoreSlim slots;
    private readonly ConcurrentDictionary<TransactionKey, Channel<IncomingApdu>> transactions = new();
    private readonly ConcurrentDictionary<BacnetAddress, DeviceLimits> peerLimits = new();
    private readonly ConcurrentDictionary<int, Action<DiscoveredDevice>> iAmListeners = new();
    private readonly ConcurrentDictionary<BipEndpoint, TaskCompletionSource<BvlcResultCode>> bvlcResults = new();
    private readonly InvokeIds invokeIds;
    private int nextListener;
    private long malformed;
    private long unmatched;

    private readonly record struct TransactionKey(BacnetMac Peer, NetworkAddress? Remote, byte InvokeId);

    private BacnetClient(IDatalink datalink, BacnetClientOptions options, bool ownsDatalink)
    {
        this.options = options;
        this.datalink = datalink;
        this.ownsDatalink = ownsDatalink;
        slots = new SemaphoreSlim(Math.Clamp(options.MaxConcurrentRequests, 1, 255));
        invokeIds = new InvokeIds(options.LateAnswerHold, TimeProvider.System);
        datalink.NpduReceived += OnNpdu;
        if (datalink is BipDatalink bip) bip.ResultReceived += OnBvlcResult;
    }

    /// <summary>A client on BACnet/IP: binds <see cref="BacnetClientOptions.Bind"/> and broadcasts to
    /// <see cref="BacnetClientOptions.Broadcast"/>; the client owns the sockets.</summary>
    public static BacnetClient Start(BacnetClientOptions options) =>
        new(new BipDatalink(options.Bind, options.Broadcast, options.ListenForBroadcasts), options, ownsDatalink: true);

    /// <summary>
    /// A client on a datalink the caller made (BACnet/SC, or B/IP); <see cref="BacnetClientOptions.Bind"/>,
    /// <see cref="BacnetClientOptions.Broadcast"/> and <see cref="BacnetClientOptions.ListenForBroadcasts"/> are not used. The
    /// caller keeps the datalink and disposes it after the client, unless <paramref name="ownsDatalink"/> hands it to the client
    /// (disposed with it).
    /// </summary>
    public static BacnetClient Start(IDatalink datalink, BacnetClientOptions options, bool ownsDatalink = false) =>
        new(datalink, options, ownsDatalink);

    /// <summary>The datalink the client runs on.</summary>
    public IDatalink Datalink => datalink;

    /// <summary>The client's B/IP endpoint; throws on another datalink (see <see cref="LocalMac"/>).</summary>
    public BipEndpoint Local => datalink.Local.Bip;

    /// <summary>The client's MAC on its datalink.</summary>
    public BacnetMac LocalMac => datalink.Local;

    /// <summary>Frames received that could not be decoded (dropped), by the datalink or here.</summary>
    public long MalformedReceived => Interlocked.Read(ref malformed) + datalink.MalformedReceived;

    /// <summary>
    /// Answers ignored because they belong to no request waiting for them: duplicates, late answers to requests already finished,
    /// answers naming another service or segments of another exchange.
    /// </summary>
    public long UnmatchedAnswers => Interlocked.Read(ref unmatched);

    /// <summary>Datagrams whose handling threw in a receive loop (a bug: bad datagrams are decode results, never exceptions).</summary>
    public long ReceiveFailures => datalink.HandlerFailures;

    /// <summary>Devices whose largest APDU is remembered; more I-Ams (a flood from made-up network addresses) are not.</summary>
    private const int MaxRememberedPeers = 65_536;

    // ---------------- discovery ----------------

    /// <summary>
    /// Broadcasts Who-Is and collects I-Am answers for <paramref name="listen"/>, or until <paramref name="expected"/>
    /// devices answered. Duplicates (same instance) are reported once.
    /// </summary>
    public async Task<IReadOnlyList<DiscoveredDevice>> WhoIsAsync(WhoIs request, TimeSpan listen, int? expected = null,
        CancellationToken cancellationToken = default)
    {
        if (datalink is BipDatalink { BroadcastAddress: null }) throw new InvalidOperationException("no broadcast address was given");
        return await CollectIAmsAsync(request, () => SendUnconfirmedBroadcast(request), listen, expected, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Who-Is sent to one address (unicast discovery, or the broadcast address: the B/IP broadcast address or the
    /// broadcast VMAC).</summary>
    public Task<IReadOnlyList<DiscoveredDevice>> WhoIsAsync(WhoIs request, BacnetMac destination, TimeSpan listen, int? expected = null,
        CancellationToken cancellationToken = default) =>
        CollectIAmsAsync(request, () => SendUnconfirmed(request, destination, IsBroadcast(destination)), listen, expected,
            cancellationToken);

    private bool IsBroadcast(BacnetMac destination) =>
        destination.IsBip ? destination.Bip == (datalink as BipDatalink)?.BroadcastAddress : destination.Vmac.IsBroadcast;

    /// <summary>The datalink as BACnet/IP, for the services only BACnet/IP has; on another datalink they say so.</summary>
    private BipDatalink RequireBip(string service) => datalink as BipDatalink ?? throw new NotSupportedException(
        $"{service} is a BACnet/IP service (Annex J); this client runs on {datalink.GetType().Name}");

    /// <summary>Sends a Who-Is and collects the I-Am answers in its range until <paramref name="expected"/> answered or <paramref
    /// name="listen"/> passed.</summary>
    private async Task<IReadOnlyList<DiscoveredDevice>> CollectIAmsAsync(WhoIs request, Action send, TimeSpan listen, int? expected,
        CancellationToken cancellationToken)
    {
        var found = new ConcurrentDictionary<uint, DiscoveredDevice>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = Interlocked.Increment(ref nextListener);
        iAmListeners[id] = device =>
        {
            if (!request.Matches(device.Instance)) return;
            found.TryAdd(device.Instance, device);
            if (expected is { } n && found.Count >= n) enough.TrySetResult();
        };
        try
        {
            send();
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(listen);
            try { await enough.Task.WaitAsync(timer.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
        }
        finally
        {
            iAmListeners.TryRemove(id, out _);
        }
        return [.. found.Values.OrderBy(d => d.Instance)];
    }

    // ---------------- sites behind a BBMD (Annex J.5, J.4.5) ----------------

    /// <summary>
    /// Registers this client as a foreign device with a BBMD for <paramref name="timeToLive"/> and returns the
    /// BVLC-Result code (Successful, or RegisterForeignDeviceNak), or a timeout.
    /// </summary>
    public async Task<BacnetResult<BvlcResultCode>> RegisterForeignDeviceAsync(BipEndpoint bbmd, TimeSpan timeToLive,
        CancellationToken cancellationToken = default)
    {
        var bip = RequireBip("foreign-device registration");
        UdpEndpoint.RefuseUnsafe(bbmd.IPAddress, "BBMD");
        var pending = new TaskCompletionSource<BvlcResultCode>(TaskCreationOptions.RunContinuationsAsynchronously);
        bvlcResults[bbmd] = pending;
        try
        {
            var buffer = new byte[6];
            Bvlc.EncodeRegisterForeignDevice(buffer, (ushort)Math.Clamp(timeToLive.TotalSeconds, 1, ushort.MaxValue));
            for (var attempt = 0; attempt <= options.Retries; attempt++)
            {
                bip.SendRaw(buffer, bbmd);
                try { return await pending.Task.WaitAsync(options.ApduTimeout, cancellationToken).ConfigureAwait(false); }
                catch (TimeoutException) { }
            }
            return BacnetFailure.Timeout(options.Retries + 1);
        }
        finally
        {
            bvlcResults.TryRemove(bbmd, out _);
        }
    }

    /// <summary>Who-Is through a BBMD (Distribute-Broadcast-To-Network), for a client registered as a foreign device.</summary>
    public async Task<IReadOnlyList<DiscoveredDevice>> WhoIsThroughBbmdAsync(WhoIs request, BipEndpoint bbmd, TimeSpan listen,
        int? expected = null, CancellationToken cancellationToken = default) =>
        await CollectIAmsAsync(request, () =>
        {
            var bip = RequireBip("Distribute-Broadcast-To-Network");
            UdpEndpoint.RefuseUnsafe(bbmd.IPAddress, "BBMD");
            Span<byte> buffer = stackalloc byte[64];
            var length = BacnetPacket.EncodeNpdu(buffer, NpduHeader.GlobalBroadcast, ApduHeader.Unconfirmed(request.Service),
                request.Encode);
            bip.DistributeBroadcast(buffer[..length.Length], bbmd);
        }, listen, expected, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Sends an unconfirmed request to <paramref name="destination"/>; with <paramref name="broadcast"/> as a broadcast (on B/IP an
    /// Original-Broadcast-NPDU to that address, on SC to the broadcast VMAC).
    /// </summary>
    public void SendUnconfirmed(IUnconfirmedRequest request, BacnetMac destination, bool broadcast)
    {
        if (destination.IsBip) UdpEndpoint.RefuseUnsafe(destination.Bip.IPAddress, "destination");
        Span<byte> buffer = stackalloc byte[BacnetPacket.MaxDatagram];
        var length = EncodeUnconfirmed(buffer, request, broadcast);
        if (!broadcast) datalink.Send(buffer[..length], destination);
        else if (destination.IsBip && datalink is BipDatalink bip) bip.BroadcastTo(buffer[..length], destination.Bip);
        else datalink.Broadcast(buffer[..length]);
    }

    /// <summary>Sends an unconfirmed request as a local broadcast on the datalink.</summary>
    public void SendUnconfirmedBroadcast(IUnconfirmedRequest request)
    {
        Span<byte> buffer = stackalloc byte[BacnetPacket.MaxDatagram];
        datalink.Broadcast(buffer[..EncodeUnconfirmed(buffer, request, broadcast: true)]);
    }

    private int EncodeUnconfirmed(Span<byte> buffer, IUnconfirmedRequest request, bool broadcast)
    {
        var npdu = broadcast ? NpduHeader.GlobalBroadcast : NpduHeader.Local(false);
        var length = BacnetPacket.EncodeNpdu(buffer, npdu, ApduHeader.Unconfirmed(request.Service), request.Encode,
            datalink.MaxNpduLength);
        if (!length.Ok) throw new ArgumentException("unconfirmed request does not fit one datagram", nameof(request));
        return length.Length;
    }

    // ---------------- services ----------------

    public Task<BacnetResult<ReadPropertyAck>> ReadPropertyAsync(BacnetAddress device, ObjectId obj, PropertyIdentifier property,
        uint? arrayIndex = null, CancellationToken cancellationToken = default) =>
        ConfirmedAsync(device, new ReadPropertyRequest(obj, property, arrayIndex), ReadPropertyAck.Decode, cancellationToken);

    public Task<BacnetResult<ReadPropertyMultipleAck>> ReadPropertyMultipleAsync(BacnetAddress device, ReadPropertyMultipleRequest request,
        CancellationToken cancellationToken = default) =>
        ConfirmedAsync(device, request, ReadPropertyMultipleAck.Decode, cancellationToken);

    public Task<BacnetResult<Acknowledged>> WritePropertyAsync(BacnetAddress device, WritePropertyRequest request,
        CancellationToken cancellationToken = default) =>
        ConfirmedAsync<Acknowledged>(device, request, null, cancellationToken);

    public Task<BacnetResult<AtomicReadFileAck>> AtomicReadFileAsync(BacnetAddress device, AtomicReadFileRequest request,
        CancellationToken cancellationToken = default) =>
        ConfirmedAsync(device, request, AtomicReadFileAck.Decode, cancellationToken);

    public Task<BacnetResult<AtomicWriteFileAck>> AtomicWriteFileAsync(BacnetAddress device, AtomicWriteFileRequest request,
        CancellationToken cancellationToken = default) =>
        ConfirmedAsync(device, request, AtomicWriteFileAck.Decode, cancellationToken);

    public Task<BacnetResult<Acknowledged>> ReinitializeDeviceAsync(BacnetAddress device, ReinitializeDeviceRequest request,
        CancellationToken cancellationToken = default) =>
        ConfirmedAsync<Acknowledged>(device, request, null, cancellationToken);

    /// <summary>Tells the client the largest APDU a device accepts, keeping what it knows of its segmentation (else: both).</summary>
    public void RememberMaxApdu(BacnetAddress device, int maxApdu) =>
        RememberLimits(device, (Limits(device) ?? DeviceLimits.Assumed) with { MaxApdu = DeviceLimits.ClampApdu(maxApdu) });

    /// <summary>
    /// Tells the client what a device accepts (its I-Am does, <see cref="DeviceInventory.LearnLimitsAsync"/> reads it from the
    /// Device object), so every request is sized and, only where the device takes them, segmented to fit.
    /// </summary>
    /// <remarks>At most <see cref="MaxRememberedPeers"/> devices are remembered (a flood of I-Ams from made-up addresses grows
    /// nothing).</remarks>
    public void RememberLimits(BacnetAddress device, DeviceLimits limits)
    {
        if (peerLimits.ContainsKey(device) || peerLimits.Count < MaxRememberedPeers) peerLimits[device] =
            limits with { MaxApdu = DeviceLimits.ClampApdu(limits.MaxApdu) };
    }

    /// <summary>What the client knows a device accepts; null when it has learned nothing (requests then assume <see
    /// cref="DeviceLimits.Assumed"/>).</summary>
    public DeviceLimits? Limits(BacnetAddress device) => peerLimits.TryGetValue(device, out var limits) ? limits : null;

    /// <summary>The largest APDU this client accepts in an answer (its requests say so).</summary>
    public int MaxApduAccepted => Math.Clamp(options.MaxApduAccepted, 50, Apdu.MaxApduLength);

    /// <summary>Whether this client's requests accept segmented answers.</summary>
    public bool AcceptsSegmentedResponses => options.AcceptSegmentedResponses;

    /// <summary>
    /// Sends a confirmed request and waits for its answer. <paramref name="decodeAck"/> decodes a ComplexACK's data;
    /// null means the service is answered by a SimpleACK.
    /// </summary>
    public async Task<BacnetResult<T>> ConfirmedAsync<T>(BacnetAddress device, IConfirmedRequest request, ServiceDecoder<T>? decodeAck,
        CancellationToken cancellationToken = default)
    {
        if (!device.Mac.IsUnicastSendable) throw new ArgumentException($"{device} is not a device address", nameof(device));
        var data = BacnetPacket.ToBytes(request.Encode, options.MaxResponseBytes);
        if (data is null) return new BacnetFailure(FailureKind.TooLarge, "the request is larger than this client sends");
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        byte invokeId;
        try { invokeId = await TakeInvokeIdAsync(device, cancellationToken).ConfigureAwait(false); }
        catch { slots.Release(); throw; }
        var key = new TransactionKey(device.Mac, device.Remote, invokeId);
        var channel = Transaction.NewChannel();
        transactions[key] = channel;
        var exchange = new Exchange();
        try
        {
            var answer = await ExchangeAsync(device, invokeId, request.Service, data, channel.Reader, exchange,
                cancellationToken).ConfigureAwait(false);
            if (!answer.Ok) return answer.Failure!;
            var (header, body) = answer.Value;
            switch (header.Type)
            {
                case ApduType.SimpleAck when decodeAck is null:
                    return (T)(object)default(Acknowledged);
                case ApduType.ComplexAck when decodeAck is not null:
                    var decoded = decodeAck(body);
                    return decoded.Ok ? decoded.Value : BacnetFailure.Malformed(decoded.Error!);
                default:
                    return new BacnetFailure(FailureKind.Malformed, $"unexpected {header.Type} for {request.Service}");
            }
        }
        finally
        {
            transactions.TryRemove(key, out _);
            invokeIds.Release(device.Mac, device.Remote, invokeId, exchange.Clean);
            slots.Release();
        }
    }

    /// <summary>What a transaction did, to decide whether its invoke id may be reused at once.</summary>
    private sealed class Exchange
    {
        public int Sends;
        public bool Answered;
        /// <summary>Sent once and answered: no other answer to this id can still be on its way.</summary>
        public bool Clean => Answered && Sends == 1;
    }

    private async Task<byte> TakeInvokeIdAsync(BacnetAddress device, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (invokeIds.TryTake(device.Mac, device.Remote) is { } id) return id;
            // all 256 in use or held for this device
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The final answer to a confirmed request within <paramref name="timeout"/>: an ACK or Error for its service, a Reject or an
    /// Abort. Anything else on the transaction (a stray SegmentACK, an answer naming another service) is counted and ignored; it
    /// does not extend the wait.
    /// </summary>
    private Task<IncomingApdu?> ReceiveAnswerAsync(ChannelReader<IncomingApdu> incoming, TimeSpan timeout, ConfirmedService service,
        CancellationToken cancellationToken) =>
        ReceiveAsync(incoming, Deadline.After(timeout), h => IsFinalAnswer(h, service), cancellationToken);

    /// <summary>
    /// The next APDU of the transaction that <paramref name="wanted"/> accepts before <paramref name="deadline"/>; any other is
    /// counted and skipped without extending the wait. Null when the time is up.
    /// </summary>
    private async Task<IncomingApdu?> ReceiveAsync(ChannelReader<IncomingApdu> incoming, Deadline deadline, Func<ApduHeader, bool> wanted,
        CancellationToken cancellationToken)
    {
        while (deadline.Left is var left && left > TimeSpan.Zero)
        {
            var apdu = await Transaction.ReceiveAsync(incoming, left, cancellationToken).ConfigureAwait(false);
            if (apdu is null) return null;
            if (wanted(apdu.Header)) return apdu;
            Interlocked.Increment(ref unmatched);
        }
        return null;
    }

    private static bool IsFinalAnswer(in ApduHeader h, ConfirmedService service) => h.Type switch
    {
        ApduType.SimpleAck or ApduType.ComplexAck or ApduType.Error => h.Service == (byte)service,
        ApduType.Reject or ApduType.Abort => true,
        _ => false,
    };

    /// <summary>Sends the request (segmented when it exceeds the device's APDU) and returns the final answer's header and data.</summary>
    private async Task<BacnetResult<(ApduHeader Header, byte[] Data)>> ExchangeAsync(BacnetAddress device, byte invokeId,
        ConfirmedService service,
        byte[] data, ChannelReader<IncomingApdu> incoming, Exchange exchange, CancellationToken cancellationToken)
    {
        var limits = Limits(device) ?? DeviceLimits.Assumed;
        var peerMax = limits.MaxApdu;
        var npdu = NpduFor(device, expectingReply: true);
        var baseHeader = ApduHeader.ConfirmedRequest(invokeId, service, options.MaxApduAccepted, options.AcceptSegmentedResponses);
        var attempts = 0;
        IncomingApdu? first = null;
        if (Apdu.ConfirmedRequestHeader + data.Length <= peerMax)
        {
            var packet = new byte[BacnetPacket.MaxDatagram];
            var length = BacnetPacket.EncodeNpdu(packet, npdu, baseHeader, data, datalink.MaxNpduLength);
            if (!length.Ok) return new BacnetFailure(FailureKind.TooLarge, "request does not fit a datagram");
            while (first is null)
            {
                if (attempts++ > options.Retries) return BacnetFailure.Timeout(attempts - 1);
                datalink.Send(packet.AsSpan(0, length.Length), device.Mac);
                exchange.Sends++;
                first = await ReceiveAnswerAsync(incoming, options.ApduTimeout, service, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var chunk = peerMax - Apdu.SegmentedConfirmedRequestHeader;
            var count = (data.Length + chunk - 1) / chunk;
            var size = Apdu.ConfirmedRequestHeader + data.Length;
            if (!limits.ReceivesSegments)  // 135 5.4.4.1: a segmented request is never sent to a device that does not accept one
                return new BacnetFailure(FailureKind.TooLarge,
                    $"the device accepts {peerMax} octets and no segmented requests; this {service} request is {size} octets");
            if (count > Math.Min(255, limits.MaxSegments ?? 255))
                return new BacnetFailure(FailureKind.TooLarge,
                    $"the device accepts {peerMax} octets in at most {Math.Min(255, limits.MaxSegments ?? 255)} segments; this {service} " +
                    $"request is {size} octets, {count} segments");
            var packet = new byte[BacnetPacket.MaxDatagram];
            void SendSegment(int index)
            {
                var header = baseHeader with
                {
                    Segmented = true,
                    MoreFollows = index < count - 1,
                    SequenceNumber = (byte)index,
                    WindowSize = SegmentSender.ProposedWindow,
                };
                var slice = data.AsSpan(index * chunk, Math.Min(chunk, data.Length - index * chunk));
                var length = BacnetPacket.EncodeNpdu(packet, npdu, header, slice, datalink.MaxNpduLength);
                datalink.Send(packet.AsSpan(0, length.Length), device.Mac);
            }
            exchange.Sends++;
            var outcome = await SegmentSender.SendAsync(count, SendSegment, incoming, options.SegmentTimeout, options.Retries,
                cancellationToken,
                h => IsFinalAnswer(h, service)).ConfigureAwait(false);
            if (outcome.TimedOut)
            {
                SendAbort(device, invokeId, AbortReason.TsmTimeout);
                return BacnetFailure.Timeout(options.Retries + 1);
            }
            first = outcome.Other ?? await ReceiveAnswerAsync(incoming, options.ApduTimeout, service, cancellationToken).ConfigureAwait(
                false);
            if (first is null) return BacnetFailure.Timeout(1);
            // more than it takes: say so
            if (first.Header is { Type: ApduType.Abort, FromServer: true, Reason: (byte)AbortReason.BufferOverflow })
            {
                exchange.Answered = true;
                return new BacnetFailure(FailureKind.TooLarge,
                    $"the device accepts {peerMax} octets and refused this {service} request of {size} octets in {count} segments " +
                    $"(abort buffer-overflow){(limits.MaxSegments is null ? "; its Max_Segments_Accepted is not known" : "")}",
                        AbortReason: AbortReason.BufferOverflow);
            }
        }
        return await FinishAsync(device, invokeId, first, incoming, exchange, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Interprets the first answer; collects the rest of a segmented ComplexACK. Segments out of order, duplicated or missing are
    /// answered with a negative SegmentACK (the device resends from the last one received in order); the wait for the next
    /// segment is bounded by progress: segments that do not advance the reassembly do not extend it.
    /// </summary>
    private async Task<BacnetResult<(ApduHeader Header, byte[] Data)>> FinishAsync(BacnetAddress device, byte invokeId,
        IncomingApdu answer, ChannelReader<IncomingApdu> incoming, Exchange exchange, CancellationToken cancellationToken)
    {
        var h = answer.Header;
        exchange.Answered = h.Type != ApduType.ComplexAck || !h.Segmented;
        switch (h.Type)
        {
            case ApduType.Error:
                var error = Apdu.DecodeErrorContent(answer.Data);
                return error.Ok ? BacnetFailure.FromError(error.Value) : BacnetFailure.Malformed(error.Error!);
            case ApduType.Reject: return BacnetFailure.FromReject((RejectReason)h.Reason);
            case ApduType.Abort: return BacnetFailure.FromAbort((AbortReason)h.Reason, true);
            case ApduType.ComplexAck when h.Segmented:
                break;
            case ApduType.SimpleAck or ApduType.ComplexAck:
                return (h, answer.Data);
            default:
                return new BacnetFailure(FailureKind.Malformed, $"unexpected {h.Type}");
        }
        var reassembly = new SegmentReassembly(options.MaxResponseBytes, SegmentSender.ProposedWindow);
        var segment = answer;
        var deadline = Deadline.After(options.SegmentTimeout * 2);
        byte service = h.Service;
        while (true)
        {
            switch (reassembly.Accept(segment.Header, segment.Data))
            {
                case SegmentAction.TooLarge:
                    SendAbort(device, invokeId, AbortReason.BufferOverflow);
                    return BacnetFailure.FromAbort(AbortReason.BufferOverflow, false);
                case SegmentAction.Complete:
                    SendSegmentAck(device, invokeId, segment.Header.SequenceNumber, reassembly.ActualWindow, false);
                    exchange.Answered = true;
                    return (h with { Segmented = false, MoreFollows = false }, reassembly.Data);
                case SegmentAction.Ack:
                    SendSegmentAck(device, invokeId, segment.Header.SequenceNumber, reassembly.ActualWindow, false);
                    deadline = Deadline.After(options.SegmentTimeout * 2);
                    break;
                case SegmentAction.None:
                    deadline = Deadline.After(options.SegmentTimeout * 2);
                    break;
                case SegmentAction.Nak:
                    SendSegmentAck(device, invokeId, reassembly.LastInOrder, reassembly.ActualWindow, true);
                    break;
                case SegmentAction.Duplicate:
                    SendSegmentAck(device, invokeId, reassembly.LastInOrder, reassembly.ActualWindow, false);
                    break;
            }
            var next = await ReceiveAsync(incoming, deadline,
                a => a.Type == ApduType.Abort || (a is { Type: ApduType.ComplexAck, Segmented: true } && a.Service == service),
                    cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                SendAbort(device, invokeId, AbortReason.TsmTimeout);
                return BacnetFailure.Timeout(1);
            }
            if (next.Header.Type == ApduType.Abort) return BacnetFailure.FromAbort((AbortReason)next.Header.Reason, true);
            segment = next;
        }
    }

    private static NpduHeader NpduFor(BacnetAddress device, bool expectingReply) =>
        device.Remote is { } remote ? new NpduHeader(expectingReply, Destination: remote) : NpduHeader.Local(expectingReply);

    private void SendSegmentAck(BacnetAddress device, byte invokeId, byte sequence, byte window, bool negative) =>
        SendBare(device, ApduHeader.SegmentAck(invokeId, sequence, window, negative, fromServer: false));

    private void SendAbort(BacnetAddress device, byte invokeId, AbortReason reason) =>
        SendBare(device, ApduHeader.Abort(invokeId, reason, fromServer: false));

    private void SendBare(BacnetAddress device, ApduHeader header)
    {
        Span<byte> buffer = stackalloc byte[64];
        var length = BacnetPacket.EncodeNpdu(buffer, NpduFor(device, false), header, ReadOnlySpan<byte>.Empty);
        datalink.Send(buffer[..length.Length], device.Mac);
    }

    // ---------------- receive ----------------

    private void OnBvlcResult(BvlcResultCode code, BipEndpoint source)
    {
        if (bvlcResults.TryGetValue(source, out var pending)) pending.TrySetResult(code);
    }

    private void OnNpdu(ReadOnlySpan<byte> datagram, BacnetMac from, bool viaBroadcast)
    {
        var decoded = BacnetPacket.DecodeNpdu(datagram);
        if (!decoded.Ok) { Interlocked.Increment(ref malformed); return; }
        var packet = decoded.Value;
        if (packet.Apdu is not { } apdu) return;  // a network layer message: nothing for a client to do
        var remote = packet.Npdu.Source;
        switch (apdu.Type)
        {
            case ApduType.UnconfirmedRequest when apdu.Service == (byte)UnconfirmedService.IAm:
                var iAm = IAm.Decode(packet.ServiceData(datagram));
                if (!iAm.Ok) { Interlocked.Increment(ref malformed); return; }
                var device = new DiscoveredDevice(new BacnetAddress(from, remote), iAm.Value);
                RememberLimits(device.Address, new DeviceLimits(DeviceLimits.ClampApdu(iAm.Value.MaxApduLength), iAm.Value.Segmentation,
                    Limits(device.Address)?.MaxSegments));
                foreach (var listener in iAmListeners.Values) listener(device);
                return;
            case ApduType.SimpleAck or ApduType.ComplexAck or ApduType.Error or ApduType.Reject:
            case ApduType.SegmentAck or ApduType.Abort when apdu.FromServer:
                if (transactions.TryGetValue(new TransactionKey(from, remote, apdu.InvokeId), out var channel))
                    channel.Writer.TryWrite(new IncomingApdu(apdu, packet.ServiceData(datagram).ToArray()));
                else
                    Interlocked.Increment(ref unmatched);
                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        datalink.NpduReceived -= OnNpdu;
        if (datalink is BipDatalink bip) bip.ResultReceived -= OnBvlcResult;
        if (ownsDatalink) await datalink.DisposeAsync().ConfigureAwait(false);
        slots.Dispose();
    }

    private int disposed;
}
