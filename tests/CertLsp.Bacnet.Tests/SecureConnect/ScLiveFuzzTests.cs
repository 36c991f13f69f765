using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Certificates;
using CsCheck;
using Xunit;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>
/// 20,000 fuzzed BVLC-SC messages over live TLS WebSockets (inside the test run's network namespace, 127.0.16.x), to the hub
/// (<see cref="ScHubHost"/>) and to a node (<see cref="ScHubConnector"/>): every message of the codec's generators, most encoded
/// as they are, some with an octet changed, cut short or replaced by random octets. The hub drops exactly the connections that
/// sent something that does not decode (counted in <see cref="ScHubFunction.DroppedForBadInput"/>) and keeps serving the others;
/// the node counts and drops exactly those messages and keeps its connection. Afterwards good traffic still flows.
/// </summary>
public sealed class ScLiveFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Messages = 20_000;

    /// <summary>Any message of the generators, mostly as encoded, else with one octet changed, cut short, or random octets; never
    /// one that decodes as what ends a connection by design (Disconnect-Request and -ACK).</summary>
    private static readonly Gen<byte[]> Frame = Gen.Frequency(
        (40, ScGenerators.Message.Where(Keeps).Select(BvlcSc.ToArray)),
        (1, Gen.Select(ScGenerators.Message.Where(Keeps), Gen.Int[0, int.MaxValue], Gen.Byte, (m, at, value) =>
        {
            var bytes = BvlcSc.ToArray(m);
            bytes[at % bytes.Length] = value;
            return bytes;
        })),
        (1, Gen.Select(ScGenerators.Message.Where(Keeps), Gen.Int[0, int.MaxValue], (m, cut) =>
        {
            var bytes = BvlcSc.ToArray(m);
            return bytes[..(cut % bytes.Length)];
        })),
        (1, Gen.Byte.Array[0, 64])).Where(f => BvlcSc.Decode(f, ScLengths.OwnMaxBvlcLength) is not { Ok: true } d || Keeps(d.Value));

    private static bool Keeps(ScMessage message) => message.Payload is not (ScPayload.DisconnectRequest or ScPayload.DisconnectAck);

    private static bool Decodes(byte[] frame) => BvlcSc.Decode(frame, ScLengths.OwnMaxBvlcLength).Ok;

    [NeedsFact(Needs.Namespace)]
    public async Task Fuzzed_messages_to_the_hub_drop_only_the_senders_of_garbage_and_good_nodes_keep_working()
    {
        LoopbackNamespace.Require();
        using var ca = new TestAuthority("Live Fuzz Root CA");
        var address = IPAddress.Parse("127.0.16.2");
        await using var host = await ScHubHost.StartAsync(new ScHubHostOptions(address, 0,
            ca.Issue(CertificateRole.Hub, "hub", address.ToString()), new ScPeerVerifier([ca.PublicCertificate])));
        await using var a = Node(ca, host.Uri, "good-a");
        await using var b = Node(ca, host.Uri, "good-b");
        foreach (var node in new[] { a, b })
            Assert.True(await node.WaitUntilAsync(c => c.State == ScHubConnectionStatus.ConnectedToPrimaryHub, Waits.HangGuard));
        var aConnected = a.PrimaryStatus.ConnectTime;
        var bConnected = b.PrimaryStatus.ConnectTime;

        var frames = Check.Single(Frame.Array[Messages]);
        var garbage = frames.Count(f => !Decodes(f));
        output.WriteLine($"{Messages} messages, {garbage} that do not decode");
        Assert.InRange(garbage, 1, Messages / 4);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var credential = ca.Issue(CertificateRole.Device, "fuzzer");
        const int workers = 4;
        var dropped = await Task.WhenAll(Enumerable.Range(0, workers).Select(w =>
            FuzzHubAsync(host, credential, ca.PublicCertificate, frames.Where((_, i) => i % workers == w))));
        output.WriteLine($"sent in {started.Elapsed.TotalSeconds:0.0} s; the fuzzers saw {dropped.Sum()} connections dropped");

        Assert.Equal(garbage, dropped.Sum());
        Assert.Equal(garbage, host.Hub.DroppedForBadInput);
        // the good nodes were never disconnected, and still talk through the hub
        Assert.Equal(aConnected, a.PrimaryStatus.ConnectTime);
        Assert.Equal(bConnected, b.PrimaryStatus.ConnectTime);
        Assert.Equal(ScHubConnectionStatus.ConnectedToPrimaryHub, a.State);
        Assert.Equal(ScHubConnectionStatus.ConnectedToPrimaryHub, b.State);
        Assert.Contains(host.Hub.Connections, c => c.PeerVmac == b.Vmac && c.State == ScConnectionState.Connected);
        var npdu = Convert.FromHexString("01001000c4020004d22205c49103220104");
        var delivered = new TaskCompletionSource<ScMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.MessageReceived += m =>
        {
            if (m is { Payload: ScPayload.EncapsulatedNpdu p } && m.Originating == a.Vmac && p.Npdu.Items.AsSpan().SequenceEqual(npdu))
                delivered.TrySetResult(m);
        };
        Assert.True(a.Send(ScMessages.NpduToHub(a.NextMessageId(), b.Vmac, npdu)));
        var relayed = await delivered.Task.WaitAsync(Waits.HangGuard);
        Assert.Null(relayed.Destination);
        // and a new node still joins
        await using var late = Node(ca, host.Uri, "late");
        Assert.True(await late.WaitUntilAsync(c => c.State == ScHubConnectionStatus.ConnectedToPrimaryHub, Waits.HangGuard));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Fuzzed_messages_to_a_node_are_counted_and_dropped_and_its_connection_stays()
    {
        LoopbackNamespace.Require();
        var address = IPAddress.Parse("127.0.16.3");
        await using var hub = new TestHub(address, TestPki.CreateLeaf(TestPki.SiteCa, "hub", address), TestPki.SiteCa);
        await using var node = new ScHubConnector(new ScConnectorOptions
        {
            PrimaryHub = hub.Uri,
            Certificate = TestPki.CreateLeaf(TestPki.SiteCa, "fuzzed-node"),
            VerifyHub = TestPki.VerifierFor(TestPki.SiteCa),
        });
        Assert.True(await node.WaitUntilAsync(c => c.State == ScHubConnectionStatus.ConnectedToPrimaryHub, Waits.HangGuard));
        var connected = node.PrimaryStatus.ConnectTime;
        var receivedBefore = node.MessagesReceived;

        var frames = Check.Single(Frame.Array[Messages]);
        var garbage = frames.Count(f => !Decodes(f));
        output.WriteLine($"{Messages} messages, {garbage} that do not decode");
        var started = System.Diagnostics.Stopwatch.StartNew();
        foreach (var frame in frames) await hub.SendRawAsync(node.Vmac, frame);
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        while (node.MessagesReceived - receivedBefore < Messages && DateTime.UtcNow < deadline) await Task.Delay(20);
        output.WriteLine($"sent and received in {started.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(Messages, node.MessagesReceived - receivedBefore);
        Assert.Equal(garbage, node.MalformedReceived);
        Assert.Equal(connected, node.PrimaryStatus.ConnectTime);
        Assert.Equal(ScHubConnectionStatus.ConnectedToPrimaryHub, node.State);
        Assert.Equal(1, hub.ConnectionsAccepted);
        // The connection still answers: a heartbeat from the hub is acknowledged with its Message-ID. The node answers a quarter
        // of the flood (Heartbeat-Requests, Address-Resolutions, Advertisement-Solicitations, NAKs) through a bounded send queue
        // that drops what does not fit; under load it can still be full when the flood ends, so the probe is sent again (each
        // with its own Message-ID, none that a Heartbeat-Request of the flood had) until one is acknowledged.
        var floodIds = frames.Select(f => BvlcSc.Decode(f, ScLengths.OwnMaxBvlcLength))
            .Where(d => d.Ok && d.Value.Payload is ScPayload.HeartbeatRequest).Select(d => d.Value.MessageId).ToHashSet();
        var probes = Enumerable.Range(0x5151, 1000).Select(i => (ushort)i).Where(i => !floodIds.Contains(i)).Take(20).ToHashSet();
        (Vmac? From, ScMessage Message)? ack = null;
        foreach (var id in probes)
        {
            await hub.SendAsync(node.Vmac, ScMessages.HeartbeatRequest(id));
            ack = await hub.NextWithinAsync(m => m.Payload is ScPayload.HeartbeatAck && probes.Contains(m.MessageId),
                TimeSpan.FromSeconds(3));
            if (ack is not null) break;
        }
        Assert.NotNull(ack);
        Assert.Equal(ScConnectionState.Connected, node.PrimaryStatus.State);
    }

    private static ScHubConnector Node(TestAuthority ca, Uri hub, string name) => new(new ScConnectorOptions
    {
        PrimaryHub = hub,
        Certificate = ca.Issue(CertificateRole.Device, name),
        VerifyHub = new ScPeerVerifier([ca.PublicCertificate]).CheckHub,
        MinimumReconnectTime = TimeSpan.FromSeconds(30),
    });

    /// <summary>Sends <paramref name="frames"/> to the hub over connections of its own: joins, sends, and after a message that
    /// does not decode waits until the hub closes the connection and joins again. Returns how many connections the hub dropped.
    /// Everything the hub sends back (NAKs, relayed broadcasts) is read and ignored.</summary>
    private static async Task<int> FuzzHubAsync(ScHubHost host, X509Certificate2 credential, X509Certificate2 ca,
        IEnumerable<byte[]> frames)
    {
        var dropped = 0;
        (ClientWebSocket Socket, HttpMessageInvoker Invoker, Task Drained)? open = null;
        using var limit = new CancellationTokenSource(Waits.HangGuard);
        try
        {
            foreach (var frame in frames)
            {
                open ??= await JoinAsync(host, credential, ca, limit.Token);
                await open.Value.Socket.SendAsync(frame, WebSocketMessageType.Binary, true, limit.Token);
                if (Decodes(frame)) continue;
                await open.Value.Drained.WaitAsync(limit.Token); // the hub closes it
                dropped++;
                open.Value.Socket.Dispose();
                open.Value.Invoker.Dispose();
                open = null;
            }
        }
        finally
        {
            if (open is { } last)
            {
                last.Socket.Abort();
                last.Socket.Dispose();
                last.Invoker.Dispose();
            }
        }
        return dropped;
    }

    private static async Task<(ClientWebSocket, HttpMessageInvoker, Task)> JoinAsync(ScHubHost host, X509Certificate2 credential,
        X509Certificate2 ca, CancellationToken cancellation)
    {
        var hubCheck = new ScPeerVerifier([ca]);
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
                ClientCertificates = [credential],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => credential,
                RemoteCertificateValidationCallback = hubCheck.Callback(ScPeerRole.Hub, host.Uri.Host),
            },
        });
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(ScHubHost.SubProtocol);
        await socket.ConnectAsync(host.Uri, invoker, cancellation);
        await socket.SendAsync(BvlcSc.ToArray(ScMessages.ConnectRequest(1, Vmac.NewRandom(), Guid.NewGuid())),
            WebSocketMessageType.Binary, true, cancellation);
        var buffer = new byte[ScLengths.OwnMaxBvlcLength];
        var (kind, length) = await ScFrameReader.ReceiveAsync(socket, buffer, cancellation);
        Assert.Equal(ScFrameKind.Message, kind);
        Assert.IsType<ScPayload.ConnectAccept>(BvlcSc.Decode(buffer.AsSpan(0, length)).Value.Payload);
        return (socket, invoker, DrainAsync(socket, cancellation));
    }

    /// <summary>Reads until the hub closes the connection (or it breaks).</summary>
    private static async Task DrainAsync(WebSocket socket, CancellationToken cancellation)
    {
        var buffer = new byte[ScLengths.OwnMaxBvlcLength];
        try
        {
            while ((await ScFrameReader.ReceiveAsync(socket, buffer, cancellation)).Kind != ScFrameKind.Closed) { }
        }
        catch (WebSocketException) { }
    }
}
