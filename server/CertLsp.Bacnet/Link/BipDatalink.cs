using CertLsp.Bacnet.Encoding;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Link;

/// <summary>
/// BACnet/IP as an <see cref="IDatalink"/> (Annex J): a unicast UDP socket, optionally a socket on the directed broadcast address,
/// and the BVLC around each NPDU. Forwarded-NPDUs are delivered from their original source. The B/IP-only functions
/// (foreign-device registration, Distribute-Broadcast-To-Network, directed broadcasts) are here and nowhere else.
/// </summary>
public sealed class BipDatalink : IDatalink
{
    private readonly UdpEndpoint socket;
    private readonly UdpEndpoint? broadcastListener;
    private long malformed;

    /// <summary>Binds on <paramref name="bind"/>; broadcasts go to <paramref name="broadcast"/> (none when null), and with
    /// <paramref name="listenForBroadcasts"/> a second socket on it hears the broadcasts of others.</summary>
    public BipDatalink(BipEndpoint bind, BipEndpoint? broadcast, bool listenForBroadcasts = false)
    {
        if (broadcast is { } b) UdpEndpoint.RefuseUnsafe(b.IPAddress, "broadcast");
        BroadcastAddress = broadcast;
        socket = UdpEndpoint.BindUnicast(bind, OnDatagram);
        try
        {
            if (listenForBroadcasts && broadcast is { } address) broadcastListener = UdpEndpoint.BindBroadcastListener(address, OnDatagram);
        }
        catch
        {
            _ = socket.DisposeAsync();
            throw;
        }
    }

    public event NpduHandler? NpduReceived;

    /// <summary>BVLC-Results received (the answers to Register-Foreign-Device and the other BBMD requests), with their sender.</summary>
    public event Action<BvlcResultCode, BipEndpoint>? ResultReceived;

    public BipEndpoint LocalEndpoint => socket.Local;
    public BacnetMac Local => socket.Local;
    public BipEndpoint? BroadcastAddress { get; }
    public int MaxNpduLength => Bvlc.MaxLength - Bvlc.HeaderLength;
    public long MalformedReceived => Interlocked.Read(ref malformed);
    public long HandlerFailures => socket.HandlerFailures + (broadcastListener?.HandlerFailures ?? 0);
    public long FramesSent => socket.DatagramsSent;
    public long FramesReceived => socket.DatagramsReceived + (broadcastListener?.DatagramsReceived ?? 0);

    public bool Send(ReadOnlySpan<byte> npdu, BacnetMac destination) =>
        destination.IsBip && SendFrame(BvlcFunction.OriginalUnicastNpdu, npdu, destination.Bip);

    public bool Broadcast(ReadOnlySpan<byte> npdu) => SendFrame(BvlcFunction.OriginalBroadcastNpdu, npdu,
        BroadcastAddress ?? throw new InvalidOperationException("no broadcast address was given"));

    /// <summary>An Original-Broadcast-NPDU sent to a broadcast address the caller names (B/IP only).</summary>
    public bool BroadcastTo(ReadOnlySpan<byte> npdu, BipEndpoint broadcast) => SendFrame(BvlcFunction.OriginalBroadcastNpdu, npdu,
        broadcast);

    /// <summary>A Distribute-Broadcast-To-Network to a BBMD, for a node registered as a foreign device (J.4.5).</summary>
    public bool DistributeBroadcast(ReadOnlySpan<byte> npdu, BipEndpoint bbmd) => SendFrame(BvlcFunction.DistributeBroadcastToNetwork,
        npdu, bbmd);

    /// <summary>Sends a whole BVLC message as it is (Register-Foreign-Device and the other BVLC-only requests).</summary>
    public bool SendRaw(ReadOnlySpan<byte> datagram, BipEndpoint destination) => socket.Send(datagram, destination);

    private bool SendFrame(BvlcFunction function, ReadOnlySpan<byte> npdu, BipEndpoint destination)
    {
        if (npdu.Length > MaxNpduLength) return false;
        Span<byte> buffer = stackalloc byte[Bvlc.MaxLength];
        var w = new BacnetWriter(buffer);
        var start = Bvlc.Begin(ref w, function);
        w.WriteBytes(npdu);
        Bvlc.Complete(ref w, start);
        return !w.Overflowed && socket.Send(w.Written, destination);
    }

    /// <summary>
    /// Takes the NPDU out of a BVLC datagram: its offset and length, the MAC it is from (a Forwarded-NPDU's original source) and
    /// whether it came as a broadcast (by the broadcast socket or any function but Original-Unicast-NPDU). False for a
    /// datagram that does not decode or carries no NPDU; <paramref name="result"/> is set for a BVLC-Result.
    /// </summary>
    public static bool TryUnwrap(ReadOnlySpan<byte> datagram, BipEndpoint source, bool viaBroadcastSocket, out Range npdu,
        out BacnetMac from, out bool broadcast, out BvlcResultCode? result, out bool decoded)
    {
        npdu = default;
        from = source;
        broadcast = viaBroadcastSocket;
        result = null;
        var bvlc = Bvlc.Decode(datagram);
        decoded = bvlc.Ok;
        if (!bvlc.Ok) return false;
        var frame = bvlc.Value;
        if (frame.Function == BvlcFunction.Result) result = frame.ResultCode;
        if (!frame.CarriesNpdu) return false;
        npdu = new Range(frame.NpduOffset, frame.NpduOffset + frame.NpduLength);
        from = frame.OriginalSource ?? source;
        broadcast |= frame.Function != BvlcFunction.OriginalUnicastNpdu;
        return true;
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, BipEndpoint source, bool viaBroadcastSocket)
    {
        if (!TryUnwrap(datagram, source, viaBroadcastSocket, out var npdu, out var from, out var broadcast, out var result, out var ok))
        {
            if (!ok) Interlocked.Increment(ref malformed);
            else if (result is { } code) ResultReceived?.Invoke(code, source);
            return;
        }
        NpduReceived?.Invoke(datagram[npdu], from, broadcast);
    }

    public async ValueTask DisposeAsync()
    {
        await socket.DisposeAsync().ConfigureAwait(false);
        if (broadcastListener is not null) await broadcastListener.DisposeAsync().ConfigureAwait(false);
    }
}
