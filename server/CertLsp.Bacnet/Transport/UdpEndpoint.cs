using System.Net;
using System.Net.Sockets;
using CertLsp.Bacnet.Link;

namespace CertLsp.Bacnet.Transport;

/// <summary>Called for every datagram received; must not block. Exceptions it throws are counted, never propagated.</summary>
public delegate void DatagramHandler(ReadOnlySpan<byte> datagram, BipEndpoint source, bool viaBroadcastSocket);

/// <summary>
/// A UDP socket for BACnet/IP bound to an address the caller names, with a receive loop. Broadcasts go only to an
/// address the caller names too; the limited broadcast 255.255.255.255 and the unspecified 0.0.0.0 are refused,
/// so nothing is ever sent on an interface the caller did not choose.
/// </summary>
public sealed class UdpEndpoint : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly DatagramHandler handler;
    private readonly bool isBroadcastSocket;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private long handlerFailures;

    private UdpEndpoint(Socket socket, DatagramHandler handler, bool isBroadcastSocket)
    {
        this.socket = socket;
        this.handler = handler;
        this.isBroadcastSocket = isBroadcastSocket;
        Local = BipEndpoint.From((IPEndPoint)socket.LocalEndPoint!);
        loop = Task.Run(ReceiveLoopAsync);
    }

    public BipEndpoint Local { get; }

    /// <summary>Datagrams whose handler threw (a bug, not a bad packet: bad packets are decode results).</summary>
    public long HandlerFailures => Interlocked.Read(ref handlerFailures);

    /// <summary>Datagrams sent and received on this socket (for the benchmark's packets per device).</summary>
    public long DatagramsSent => Interlocked.Read(ref sent);
    public long DatagramsReceived => Interlocked.Read(ref received);
    private long sent, received;

    /// <summary>Binds a unicast socket on <paramref name="bind"/> (port 0 = any free port).</summary>
    public static UdpEndpoint BindUnicast(BipEndpoint bind, DatagramHandler handler)
    {
        RefuseUnsafe(bind.IPAddress, "bind");
        return new UdpEndpoint(Bind(bind, allowBroadcast: true), handler, false);
    }

    /// <summary>
    /// Binds a socket on a broadcast address so broadcasts reach this process (on Linux a socket bound to a
    /// unicast address receives none). Shared with other processes through SO_REUSEADDR.
    /// </summary>
    public static UdpEndpoint BindBroadcastListener(BipEndpoint broadcast, DatagramHandler handler)
    {
        RefuseUnsafe(broadcast.IPAddress, "broadcast");
        return new UdpEndpoint(Bind(broadcast, allowBroadcast: false), handler, true);
    }

    public static void RefuseUnsafe(IPAddress address, string role)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork) throw new ArgumentException($"the {role} address {address} is not IPv4");
        if (address.Equals(IPAddress.Broadcast)) throw new ArgumentException(
            $"the {role} address 255.255.255.255 is refused: name a directed broadcast address");
        if (address.Equals(IPAddress.Any)) throw new ArgumentException($"the {role} address 0.0.0.0 is refused: name the address to use");
    }

    private static Socket Bind(BipEndpoint endpoint, bool allowBroadcast)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (allowBroadcast) socket.EnableBroadcast = true;
            socket.ReceiveBufferSize = 1 << 20;
            socket.Bind(endpoint.ToIPEndPoint());
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether a destination may be sent to at all: not 0.0.0.0, not 255.255.255.255, not port 0.</summary>
    public static bool IsSendable(BipEndpoint destination) => destination.Address is not (0 or uint.MaxValue) && destination.Port != 0;

    /// <summary>
    /// Sends one datagram; false when the destination is refused (<see cref="IsSendable"/>). Never throws for a
    /// destination, since the address a reply goes to comes from the network.
    /// </summary>
    public bool Send(ReadOnlySpan<byte> datagram, BipEndpoint destination)
    {
        if (!IsSendable(destination)) return false;
        try
        {
            socket.SendTo(datagram, SocketFlags.None, destination.ToIPEndPoint());
            Interlocked.Increment(ref sent);
            return true;
        }
        catch (SocketException)
        {
            // UDP: a send that fails (no route, buffer full) is a lost datagram; retries cover it.
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; }
            if (received.RemoteEndPoint is not IPEndPoint from || from.AddressFamily != AddressFamily.InterNetwork) continue;
            Interlocked.Increment(ref this.received);
            try
            {
                handler(buffer.AsSpan(0, received.ReceivedBytes), BipEndpoint.From(from), isBroadcastSocket);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref handlerFailures);
            }
        }
    }

    private int disposed;

    /// <summary>Closes the socket and ends the receive loop; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        stop.Cancel();
        socket.Dispose();
        try { await loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        stop.Dispose();
    }
}
