using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.SecureConnect;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>
/// A minimal BACnet/SC hub for the tests (not the simulator's hub function): TLS 1.3 on 127.0.0.x with a client certificate that
/// must chain to the site's CA, the WebSocket upgrade by hand, then the hub function of AB.5.3 reduced to what the node tests
/// need: Connect-Request answered by Connect-Accept (or a duplicate-VMAC NAK), Encapsulated-NPDUs relayed with the sender's VMAC
/// as originating address (unicast without destination, broadcast to every other node), heartbeats and disconnects answered.
/// Every message a node sends is recorded for the tests to await.
/// </summary>
internal sealed class TestHub : IAsyncDisposable
{
    public static readonly Vmac HubVmac = new(0x02_0000_00_00_01);
    private readonly System.Net.Sockets.TcpListener listener;
    private readonly X509Certificate2 certificate;
    private readonly ScPeerVerifier nodeCheck;
    private readonly CancellationTokenSource stop = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Vmac, Peer> peers = new();
    private readonly System.Collections.Concurrent.ConcurrentBag<Task> tasks = [];
    private readonly Task accepting;
    private int duplicateNaksLeft;

    private sealed class Peer(WebSocket socket)
    {
        public WebSocket Socket { get; } = socket;
        public SemaphoreSlim SendLock { get; } = new(1, 1);
    }

    public TestHub(IPAddress address, X509Certificate2 certificate, X509Certificate2 clientCa, int port = 0)
    {
        this.certificate = certificate;
        nodeCheck = new ScPeerVerifier([clientCa]);
        listener = new System.Net.Sockets.TcpListener(address, port);
        listener.Start();
        Uri = new Uri($"wss://{address}:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        accepting = Task.Run(AcceptAsync);
    }

    public Uri Uri { get; }

    /// <summary>Every message a node sent, with the VMAC it connected with (null before its Connect-Request was accepted).</summary>
    public System.Threading.Channels.Channel<(Vmac? From, ScMessage Message)> Received { get; } =
        System.Threading.Channels.Channel.CreateUnbounded<(Vmac?, ScMessage)>();

    /// <summary>TLS handshakes that failed (a node certificate the hub refused, a TLS version it does not speak), with the reason.
    /// </summary>
    public System.Threading.Channels.Channel<string> HandshakeFailures { get; } =
        System.Threading.Channels.Channel.CreateUnbounded<string>();

    public int ConnectionsAccepted => Volatile.Read(ref accepted);
    private int accepted;

    /// <summary>Whether Heartbeat-Requests are answered.</summary>
    public bool AnswerHeartbeats { get; set; } = true;

    /// <summary>The next <paramref name="count"/> Connect-Requests are refused with NODE_DUPLICATE_VMAC.</summary>
    public void NakNextConnectsAsDuplicate(int count) => Volatile.Write(ref duplicateNaksLeft, count);

    public IReadOnlyCollection<Vmac> Nodes => [.. peers.Keys];

    /// <summary>Waits for the next recorded message that <paramref name="match"/> accepts (others are skipped).</summary>
    public async Task<(Vmac? From, ScMessage Message)> NextAsync(Func<ScMessage, bool> match)
    {
        using var limit = new CancellationTokenSource(Waits.HangGuard);
        while (true)
        {
            var item = await Received.Reader.ReadAsync(limit.Token);
            if (match(item.Message)) return item;
        }
    }

    /// <summary>As <see cref="NextAsync"/>, but null when no such message came within <paramref name="within"/>.</summary>
    public async Task<(Vmac? From, ScMessage Message)?> NextWithinAsync(Func<ScMessage, bool> match, TimeSpan within)
    {
        using var limit = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                var item = await Received.Reader.ReadAsync(limit.Token);
                if (match(item.Message)) return item;
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return null;
        }
    }

    public async Task SendRawAsync(Vmac node, byte[] frame)
    {
        var peer = peers[node];
        await peer.SendLock.WaitAsync();
        try { await peer.Socket.SendAsync(frame, WebSocketMessageType.Binary, true, stop.Token); }
        finally { peer.SendLock.Release(); }
    }

    public Task SendAsync(Vmac node, ScMessage message) => SendRawAsync(node, BvlcSc.ToArray(message));

    /// <summary>Drops every connection without a WebSocket close (as a hub that crashed).</summary>
    public void DropAll()
    {
        foreach (var (vmac, peer) in peers)
        {
            peer.Socket.Abort();
            peers.TryRemove(vmac, out _);
        }
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            System.Net.Sockets.TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                return;
            }
            tasks.Add(Task.Run(() => ServeAsync(client)));
        }
    }

    private async Task ServeAsync(System.Net.Sockets.TcpClient client)
    {
        using var _ = client;
        var ssl = new SslStream(client.GetStream(), false);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = SslStreamCertificateContext.Create(certificate, null, offline: true),
                ClientCertificateRequired = true,
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = nodeCheck.Callback(ScPeerRole.Node),
            }, stop.Token);
            using var socket = await UpgradeAsync(ssl);
            if (socket is null) return;
            Interlocked.Increment(ref accepted);
            await RelayAsync(socket);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException)
        {
            HandshakeFailures.Writer.TryWrite(e.Message);
        }
        catch (Exception e) when (e is IOException or WebSocketException or OperationCanceledException or ObjectDisposedException) { }
        finally
        {
            await ssl.DisposeAsync();
        }
    }

    /// <summary>Reads the HTTP/1.1 upgrade request and answers 101 with the hub subprotocol (RFC 6455 4.2).</summary>
    private async Task<WebSocket?> UpgradeAsync(SslStream ssl)
    {
        var request = new System.Text.StringBuilder();
        var one = new byte[1];
        while (!request.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await ssl.ReadAsync(one, stop.Token) == 0 || request.Length > 8192) return null;
            request.Append((char)one[0]);
        }
        var headers = request.ToString().Split("\r\n").Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        if (!headers.TryGetValue("Sec-WebSocket-Key", out var key)) return null;
        if (!headers.TryGetValue("Sec-WebSocket-Protocol", out var protocols)
            || !protocols.Split(',').Select(p => p.Trim()).Contains(ScHubConnector.HubSubprotocol)) return null;
        var hash = System.Security.Cryptography.SHA1.HashData(
            System.Text.Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
        var acceptKey = Convert.ToBase64String(hash);
        var response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Accept: {acceptKey}\r\nSec-WebSocket-Protocol: {ScHubConnector.HubSubprotocol}\r\n\r\n";
        await ssl.WriteAsync(System.Text.Encoding.ASCII.GetBytes(response), stop.Token);
        return WebSocket.CreateFromStream(ssl, new WebSocketCreationOptions
        {
            IsServer = true, SubProtocol = ScHubConnector.HubSubprotocol, KeepAliveInterval = TimeSpan.Zero,
        });
    }

    private async Task RelayAsync(WebSocket socket)
    {
        var buffer = new byte[65536];
        Vmac? node = null;
        var self = new Peer(socket);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, stop.Token);
                if (result.MessageType == WebSocketMessageType.Close || !result.EndOfMessage) return;
                var decoded = BvlcSc.Decode(buffer.AsSpan(0, result.Count), buffer.Length);
                if (!decoded.Ok) continue;
                var message = decoded.Value;
                Received.Writer.TryWrite((node, message));
                switch (message.Payload)
                {
                    case ScPayload.ConnectRequest connect when node is null:
                        if (Interlocked.Decrement(ref duplicateNaksLeft) >= 0 || !peers.TryAdd(connect.Vmac, self))
                        {
                            await Send(self, ScMessages.Nak(message, ScErrorCode.NodeDuplicateVmac, "the VMAC is in use"));
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, stop.Token);
                            return;
                        }
                        node = connect.Vmac;
                        await Send(self, ScMessages.ConnectAccept(message, HubVmac, Guid.Empty));
                        break;
                    case ScPayload.EncapsulatedNpdu npdu when node is { } from:
                        if (message.Originating is not null)
                        {
                            await Send(self, ScMessages.Nak(message, ScErrorCode.HeaderEncodingError,
                                "'Originating Virtual Address' field must be absent"));
                            break;
                        }
                        await RelayNpduAsync(from, message.Destination ?? Vmac.Broadcast, npdu);
                        break;
                    case ScPayload.HeartbeatRequest when AnswerHeartbeats:
                        await Send(self, ScMessages.HeartbeatAck(message));
                        break;
                    case ScPayload.DisconnectRequest:
                        await Send(self, ScMessages.DisconnectAck(message));
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, stop.Token);
                        return;
                }
            }
        }
        finally
        {
            if (node is { } v) peers.TryRemove(new KeyValuePair<Vmac, Peer>(v, self));
        }
    }

    private async Task RelayNpduAsync(Vmac from, Vmac destination, ScPayload.EncapsulatedNpdu npdu)
    {
        var data = npdu.Npdu.Items.AsSpan().ToArray();
        if (!destination.IsBroadcast)
        {
            if (peers.TryGetValue(destination, out var peer))
                await Send(peer, ScMessages.Npdu(0, from, null, data));
            return;
        }
        foreach (var (vmac, peer) in peers)
            if (vmac != from) await Send(peer, ScMessages.Npdu(0, from, Vmac.Broadcast, data));
    }

    private async Task Send(Peer peer, ScMessage message)
    {
        await peer.SendLock.WaitAsync();
        try { await peer.Socket.SendAsync(BvlcSc.ToArray(message), WebSocketMessageType.Binary, true, stop.Token); }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException) { }
        finally { peer.SendLock.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        DropAll();
        try { await accepting; } catch (OperationCanceledException) { }
        try { await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException) { }
        stop.Dispose();
    }
}
