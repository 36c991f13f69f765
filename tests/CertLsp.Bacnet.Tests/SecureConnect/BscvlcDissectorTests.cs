using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using CertLsp.Bacnet.SecureConnect;
using Xunit;
using Xunit.Abstractions;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>
/// Wireshark's BACnet/SC dissector (tshark 4.0's <c>bscvlc</c>) as referee of the codec: every message type the codec encodes,
/// with and without VMACs and header options, crosses a plain WebSocket (test only: no TLS, so the capture is readable) with
/// the subprotocol <c>hub.bsc.bacnet.org</c> on 127.0.14.x inside the test run's network namespace; tshark decodes each frame
/// as bscvlc with the function sent, with no malformed packet and no expert warning, and the far end decodes each message
/// back to the one sent.
/// </summary>
[Collection(UdpCollection.Name)]
public class BscvlcDissectorTests(ITestOutputHelper output)
{
    private const string SubProtocol = "hub.bsc.bacnet.org";
    private const int Port = 47843;
    private static readonly IPAddress HubAddress = IPAddress.Parse("127.0.14.2");
    private static readonly IPAddress NodeAddress = IPAddress.Parse("127.0.14.3");
    private static readonly byte[] Hostile = Convert.FromHexString("06000001521f3c4d5e6f0f1e");

    /// <summary>Who sends each message: the node (WebSocket client) or the hub (server).</summary>
    private static List<(bool FromNode, ScMessage Message)> Session()
    {
        var node = Vmac.NewRandom();
        var peer = Vmac.NewRandom();
        var hub = Vmac.NewRandom();
        var uuid = Guid.NewGuid();
        var ids = new ScMessageIds();
        byte[] whoIs = Convert.FromHexString("0120ffff00ff1008");
        byte[] iAm = Convert.FromHexString("01001000c4020004d22205c49103220104");
        var connect = ScMessages.ConnectRequest(ids.Next(), node, uuid);
        var refused = ScMessages.ConnectRequest(ids.Next(), peer, uuid);
        var heartbeat = ScMessages.HeartbeatRequest(ids.Next());
        var resolve = new ScMessage(ids.Next(), new ScPayload.AddressResolution(), Destination: peer);
        var toPeer = ScMessages.NpduToHub(ids.Next(), peer, whoIs);
        var disconnect = ScMessages.DisconnectRequest(ids.Next());
        return
        [
            (true, refused),
            (false, ScMessages.Nak(refused, ScErrorCode.NodeDuplicateVmac, "VMAC already connected")),
            (true, connect),
            (false, ScMessages.ConnectAccept(connect, hub, Guid.NewGuid(), 6000, 1497)),
            (true, ScMessages.NpduToHub(ids.Next(), Vmac.Broadcast, whoIs)),
            (false, ScMessages.Npdu(ids.Next(), peer, Vmac.Broadcast, whoIs)),
            (false, ScMessages.Npdu(ids.Next(), peer, null, iAm)),
            (true, toPeer with
            {
                DestinationOptions = new[] { ScHeaderOption.Proprietary(260, 1, [0xCA, 0xFE]) },
                DataOptions = new[] { ScHeaderOption.SecurePath },
            }),
            (false, ScMessages.Nak(toPeer with { Originating = peer }, ScErrorCode.HeaderNotUnderstood, "option 31")),
            (false, ScMessages.Ack(toPeer with { Originating = peer })),
            (true, resolve),
            (false, new ScMessage(resolve.MessageId, new ScPayload.AddressResolutionAck(new[] { "wss://127.0.14.4:4443",
                "wss://127.0.14.5:4443" }), peer, node)),
            (true, new ScMessage(ids.Next(), new ScPayload.AdvertisementSolicitation(), Destination: peer)),
            (false, new ScMessage(ids.Next(), new ScPayload.Advertisement(ScHubConnectionStatus.ConnectedToPrimaryHub, true, 1600,
                1497), peer, node)),
            (true, new ScMessage(ids.Next(), new ScPayload.Proprietary(260, 7, new byte[] { 1, 2, 3 }), Destination: hub)),
            (true, heartbeat),
            (false, ScMessages.HeartbeatAck(heartbeat)),
            (true, disconnect),
            (false, ScMessages.DisconnectAck(disconnect)),
        ];
    }

    [NeedsFact(Needs.Namespace, Needs.Tshark)]
    public async Task TsharkDecodesEveryBvlcScMessageAsBscvlc()
    {
        LoopbackNamespace.Require();
        var session = Session();
        Assert.Equal(Enum.GetValues<ScFunction>().Order(), session.Select(s => s.Message.Function).Distinct().Order());
        var pcap = Path.Combine(Path.GetTempPath(), $"certlsp-bscvlc-{Environment.ProcessId}.pcapng");
        using (var capture = await Tshark.StartCaptureAsync(pcap, $"tcp port {Port}"))
        {
            await RunSessionAsync(session);
            await Task.Delay(300);  // let the last segments reach the capture file before it stops; the assertions do not time
            capture.Stop();
        }
        try
        {
            var decodeAs = Tshark.EveryTcpPortAsHttp;
            var frames = Tshark.ReadAs(pcap, decodeAs, "websocket.opcode == 2", "frame.number", "bscvlc.function", "bscvlc.msgid");
            // One frame per message; bscvlc.function lists the function, and for a BVLC-Result also the function it answers.
            Assert.Equal(session.Count + 1, frames.Count);
            var hostileFrame = frames[^1].Split('\t')[0];
            frames.RemoveAt(frames.Count - 1);
            var functions = frames.Select(f => f.Split('\t')[1]).ToList();
            const string Problem = "(_ws.malformed || _ws.expert.severity >= \"Warning\")";
            var problems = Tshark.ReadAs(pcap, decodeAs, $"{Problem} && frame.number != {hostileFrame}",
                "frame.number", "_ws.expert.message", "_ws.col.info");
            // The same filter flags the deliberately truncated message, so an empty result means something.
            Assert.NotEmpty(Tshark.ReadAs(pcap, decodeAs, $"{Problem} && frame.number == {hostileFrame}", "frame.number"));
            var protocol = Tshark.ReadAs(pcap, decodeAs, "http.sec_websocket_protocol", "http.sec_websocket_protocol");
            var ids = frames.Select(f => f.Split('\t')[2]).ToList();
            output.WriteLine($"{frames.Count} frames, bscvlc functions {string.Join(" ", functions)}");
            foreach (var p in problems) output.WriteLine(p);
            Assert.Empty(problems);
            Assert.Equal(session.Select(s => s.Message.Payload is ScPayload.Result r
                ? $"0x00,0x{(byte)r.ForFunction:x2}" : $"0x{(byte)s.Message.Function:x2}"), functions);
            Assert.Equal(session.Select(s => $"{s.Message.MessageId}"), ids);
            Assert.Contains(protocol, p => p.Contains(SubProtocol, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    /// <summary>Plays the session over a plain WebSocket: each message is sent, received and decoded before the next goes.
    /// </summary>
    private static async Task RunSessionAsync(List<(bool FromNode, ScMessage Message)> session)
    {
        using var timeout = new CancellationTokenSource(Waits.HangGuard);
        var token = timeout.Token;
        var listener = new TcpListener(HubAddress, Port);
        listener.Start();
        try
        {
            var accepting = AcceptAsync(listener, token);
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, ct) =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    socket.Bind(new IPEndPoint(NodeAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            using var invoker = new HttpMessageInvoker(handler);
            using var node = new ClientWebSocket();
            node.Options.AddSubProtocol(SubProtocol);
            await node.ConnectAsync(new Uri($"ws://{HubAddress}:{Port}/"), invoker, token);
            Assert.Equal(SubProtocol, node.SubProtocol);
            using var hub = await accepting;
            foreach (var (fromNode, message) in session)
            {
                WebSocket sender = fromNode ? node : hub, receiver = fromNode ? hub : node;
                await sender.SendAsync(BvlcSc.ToArray(message), WebSocketMessageType.Binary, true, token);
                var received = await ReceiveAsync(receiver, token);
                var decoded = BvlcSc.Decode(received);
                Assert.True(decoded.Ok, decoded.ToString());
                Assert.Equal(message, decoded.Value);
            }
            // Last, a Connect-Request cut off after its VMAC: the referee must flag it (the test's check that it can).
            await node.SendAsync(Hostile, WebSocketMessageType.Binary, true, token);
            Assert.False(BvlcSc.Decode(await ReceiveAsync(hub, token)).Ok);
            await node.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", token);
            await ReceiveAsync(hub, token);
            await hub.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", token);
            await ReceiveAsync(node, token);
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task<byte[]> ReceiveAsync(WebSocket socket, CancellationToken token)
    {
        var buffer = new byte[ScLengths.OwnMaxBvlcLength];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), token);
            length += result.Count;
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close) return buffer[..length];
        }
    }

    /// <summary>The hub side: answers one HTTP upgrade by hand (RFC 6455 section 4.2.2) and wraps the stream.</summary>
    private static async Task<WebSocket> AcceptAsync(TcpListener listener, CancellationToken token)
    {
        var client = await listener.AcceptTcpClientAsync(token);
        var stream = client.GetStream();
        var request = new StringBuilder();
        var one = new byte[1];
        while (!request.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, token) == 0) throw new IOException("the node closed during the upgrade");
            request.Append((char)one[0]);
        }
        var headers = request.ToString().Split("\r\n").Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal))
            .Select(l => (Line: l, Colon: l.IndexOf(':', StringComparison.Ordinal)))
            .ToDictionary(h => h.Line[..h.Colon].Trim(), h => h.Line[(h.Colon + 1)..].Trim(), StringComparer.OrdinalIgnoreCase);
        Assert.Contains(SubProtocol, headers["Sec-WebSocket-Protocol"], StringComparison.Ordinal);
        var accept = Convert.ToBase64String(SHA1.HashData(System.Text.Encoding.ASCII.GetBytes(headers["Sec-WebSocket-Key"]
            + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        var response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: {SubProtocol}\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(response), token);
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, SubProtocol = SubProtocol });
    }
}
