using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Certificates;
using Xunit;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>
/// The simulated hub (<see cref="ScHubHost"/> over <see cref="ScHubFunction"/>) with nodes that are plain .NET ClientWebSockets
/// sending messages built with the codec, over TLS 1.3 with certificates from <see cref="TestAuthority"/>, on 127.0.15.x inside
/// the test run's network namespace: connect, relay (exact bytes), duplicate VMAC, heartbeat, disconnect, bad input, and every
/// client certificate fault refused in the handshake with the hub saying why.
/// </summary>
public sealed class ScHubTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly IPAddress HubAddress = IPAddress.Parse("127.0.15.2");
    private static readonly byte[] WhoIs = Convert.FromHexString("0120ffff00ff1008");
    private static readonly byte[] IAm = Convert.FromHexString("01001000c4020004d22205c49103220104");
    private readonly TestAuthority ca = new("Hub Test Root CA");
    private readonly List<Node> nodes = [];
    private ScHubHost? host;
    private int nextNode = 3;

    private ScHubHost Host => host!;

    public async Task InitializeAsync()
    {
        if (LoopbackNamespace.Missing() is not null) return; // the [NeedsFact] tests fail on Require(); nothing else here binds
        host = await ScHubHost.StartAsync(Options());
    }

    private ScHubHostOptions Options() =>
        new(HubAddress, 0, ca.Issue(CertificateRole.Hub, "hub", HubAddress.ToString()), new ScPeerVerifier([ca.PublicCertificate]))
        {
            Log = Log, Debug = true,
        };

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { } // after the test ended
    }

    public async Task DisposeAsync()
    {
        foreach (var node in nodes) node.Dispose();
        if (host is not null) await host.DisposeAsync();
        ca.Dispose();
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Two_nodes_connect_and_exchange_unicast_and_broadcast_npdus_through_the_hub()
    {
        LoopbackNamespace.Require();
        var (a, aVmac, aUuid) = await JoinAsync();
        var (b, bVmac, _) = await JoinAsync();

        // Unicast: the hub adds the originating VMAC and removes the destination (AB.5.3.3).
        await a.SendAsync(ScMessages.NpduToHub(0x1234, bVmac, IAm));
        Assert.Equal(Hex($"01 08 1234 {aVmac.Value:x12} {Convert.ToHexString(IAm)}"), Convert.ToHexString(await b.ReceiveAsync()));
        // Broadcast: originating added, destination FF..FF kept, to every other node, not back to the sender.
        await b.SendAsync(ScMessages.NpduToHub(0xF3B0, Vmac.Broadcast, WhoIs));
        Assert.Equal(Hex($"01 0c f3b0 {bVmac.Value:x12} ffffffffffff {Convert.ToHexString(WhoIs)}"),
            Convert.ToHexString(await a.ReceiveAsync()));
        await b.SendAsync(ScMessages.HeartbeatRequest(7));
        Assert.Equal("0B000007", Convert.ToHexString(await b.ReceiveAsync())); // the ACK, not an echo of the broadcast
        // A unicast to a VMAC nobody holds is dropped; the sender's next answer is its own.
        await a.SendAsync(ScMessages.NpduToHub(1, Vmac.NewRandom(), WhoIs));
        await a.SendAsync(ScMessages.HeartbeatRequest(8));
        Assert.Equal("0B000008", Convert.ToHexString(await a.ReceiveAsync()));

        var connected = Host.Hub.Connections.Where(c => c.State == ScConnectionState.Connected).ToList();
        Assert.Equal(2, connected.Count);
        var first = connected.Single(c => c.PeerVmac == aVmac);
        Assert.Equal(aUuid, first.PeerUuid);
        Assert.StartsWith("127.0.15.", first.PeerAddress, StringComparison.Ordinal);
        Assert.NotNull(first.ConnectTime);
        Assert.Null(first.Error);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task The_connect_accept_echoes_the_message_id_with_the_hubs_vmac_uuid_and_lengths()
    {
        LoopbackNamespace.Require();
        var node = await OpenAsync(ca.Issue(CertificateRole.Device, "dev"));
        var vmac = Vmac.NewRandom();
        // A bacnet-stack node writes Message-ID and lengths in host byte order: the hub echoes the ID's octets as they came.
        await node.SendAsync(Convert.FromHexString($"0600b0f2{vmac.Value:x12}{Guid.NewGuid():N}dc05dc05"));
        Assert.Equal($"0700B0F2{Host.Hub.Vmac.Value:X12}{Host.Hub.DeviceUuid:N}064005D9".ToUpperInvariant(),
            Convert.ToHexString(await node.ReceiveAsync()));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_vmac_in_use_by_another_device_is_naked_node_duplicate_vmac_and_the_same_device_replaces_its_connection()
    {
        LoopbackNamespace.Require();
        var (a, vmac, uuid) = await JoinAsync();
        var twin = await OpenAsync(ca.Issue(CertificateRole.Device, "twin"));
        await twin.SendAsync(ScMessages.ConnectRequest(0x0102, vmac, Guid.NewGuid()));
        var nak = Decode(await twin.ReceiveAsync());
        var result = Assert.IsType<ScPayload.Result>(nak.Payload);
        Assert.Equal(0x0102, nak.MessageId);
        Assert.Equal(ScFunction.ConnectRequest, result.ForFunction);
        Assert.True(result.Nak!.Is(ScErrorClass.Communication, ScErrorCode.NodeDuplicateVmac), result.Nak.ToString());
        Assert.True(await twin.ClosedAsync());
        Assert.Contains(Host.Hub.Connections, c => c is { State: ScConnectionState.FailedToConnect, Error: ScErrorCode.NodeDuplicateVmac }
            && c.PeerVmac == vmac);
        // The same VMAC with the same Device UUID is the device reconnecting: accepted, the old connection closed.
        var again = await OpenAsync(ca.Issue(CertificateRole.Device, "again"));
        await again.SendAsync(ScMessages.ConnectRequest(3, vmac, uuid));
        Assert.IsType<ScPayload.ConnectAccept>(Decode(await again.ReceiveAsync()).Payload);
        Assert.True(await a.ClosedAsync());
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Heartbeat_and_disconnect_are_acknowledged_and_the_hub_reports_the_disconnect()
    {
        LoopbackNamespace.Require();
        var (a, vmac, _) = await JoinAsync();
        await a.SendAsync(ScMessages.HeartbeatRequest(0xBEEF));
        Assert.Equal("0B00BEEF", Convert.ToHexString(await a.ReceiveAsync()));
        await a.SendAsync(ScMessages.DisconnectRequest(0xCAFE));
        Assert.Equal("0900CAFE", Convert.ToHexString(await a.ReceiveAsync()));
        Assert.True(await a.ClosedAsync());
        var ended = await UntilAsync(() => Host.Hub.Connections.FirstOrDefault(c => c.PeerVmac == vmac && c.DisconnectTime is not null));
        Assert.Equal(ScConnectionState.NotConnected, ended.State);
        Assert.Null(ended.Error);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Address_resolution_to_the_hub_is_naked_and_advertisement_solicitation_answered_with_an_advertisement()
    {
        LoopbackNamespace.Require();
        var (a, _, _) = await JoinAsync();
        // AB.3.3: a hub without direct connections NAKs Address-Resolution (communication, OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED),
        // addressed to the hub either without a destination or with the hub's own VMAC.
        foreach (var destination in new Vmac?[] { null, Host.Hub.Vmac })
        {
            await a.SendAsync(new ScMessage(0x0A0C, new ScPayload.AddressResolution(), Destination: destination));
            var nak = Decode(await a.ReceiveAsync());
            Assert.Equal(0x0A0C, nak.MessageId);
            var result = Assert.IsType<ScPayload.Result>(nak.Payload);
            Assert.Equal(ScFunction.AddressResolution, result.ForFunction);
            Assert.True(result.Nak!.Is(ScErrorClass.Communication, ScErrorCode.OptionalFunctionalityNotSupported), result.Nak.ToString());
            Assert.Null(nak.Originating);
            Assert.Null(nak.Destination);
        }
        await a.SendAsync(new ScMessage(0x0A0D, new ScPayload.AdvertisementSolicitation()));
        var advertisement = Decode(await a.ReceiveAsync());
        Assert.Equal(new ScPayload.Advertisement(ScHubConnectionStatus.NoHubConnection, AcceptsDirectConnections: false,
            ScLengths.OwnMaxBvlcLength, ScLengths.OwnMaxNpduLength), advertisement.Payload);
        // the connection stays open and served
        await a.SendAsync(ScMessages.HeartbeatRequest(0x0A0E));
        Assert.Equal("0B000A0E", Convert.ToHexString(await a.ReceiveAsync()));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_node_message_with_an_originating_vmac_is_naked_as_bacnet_stack_does()
    {
        LoopbackNamespace.Require();
        var (a, aVmac, _) = await JoinAsync();
        var (b, bVmac, _) = await JoinAsync();
        await a.SendAsync(ScMessages.Npdu(0x0A0B, aVmac, bVmac, WhoIs));
        var nak = Decode(await a.ReceiveAsync());
        Assert.Equal(0x0A0B, nak.MessageId);
        Assert.True(Assert.IsType<ScPayload.Result>(nak.Payload).Nak!.Is(ScErrorClass.Communication, ScErrorCode.HeaderEncodingError));
        // Nothing reached b: its next message is the answer to its own heartbeat.
        await b.SendAsync(ScMessages.HeartbeatRequest(9));
        Assert.Equal("0B000009", Convert.ToHexString(await b.ReceiveAsync()));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_node_that_sends_garbage_is_naked_and_dropped()
    {
        LoopbackNamespace.Require();
        var (a, vmac, _) = await JoinAsync();
        await a.SendAsync(Convert.FromHexString("01040102ffff")); // an Encapsulated-NPDU whose destination VMAC is cut off
        var nak = Decode(await a.ReceiveAsync());
        Assert.Equal(0x0102, nak.MessageId);
        Assert.True(Assert.IsType<ScPayload.Result>(nak.Payload).Nak!.Is(ScErrorClass.Communication, ScErrorCode.InvalidDataEncoding));
        Assert.True(await a.ClosedAsync());
        var dropped = await UntilAsync(() => Host.Hub.Connections.FirstOrDefault(c => c.PeerVmac == vmac && c.DisconnectTime is not null));
        Assert.Equal(ScConnectionState.DisconnectedWithErrors, dropped.State);
        Assert.Equal(ScErrorCode.InvalidDataEncoding, dropped.Error);

        var (text, _, _) = await JoinAsync();
        await text.Socket.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, default);
        Assert.True(await text.ClosedAsync());
        var (big, _, _) = await JoinAsync();
        await big.SendAsync(BvlcSc.ToArray(ScMessages.NpduToHub(1, Vmac.Broadcast, new byte[ScLengths.OwnMaxBvlcLength])));
        Assert.True(await big.ClosedAsync());
        Assert.Contains(Host.Hub.Connections, c => c.Error == ScErrorCode.WebsocketDataNotAccepted);
        Assert.Contains(Host.Hub.Connections, c => c.Error == ScErrorCode.WebsocketFrameTooLong);
    }

    /// <summary>
    /// AB.5.3: no connection may hold up the hub's relaying between the others. A node that stops reading has its socket filled
    /// by broadcasts until the hub drops what no longer fits its queue; the flooding node's next unicast is still relayed, and when
    /// the flooding node then leaves abruptly, the slow node's connection does not go with it: it reads again and gets a unicast.
    /// (Before each connection had a writer of its own, the hub's relay waited on the slow socket forever, and leaving cancelled
    /// that wait with the leaving connection's token, which aborted the slow node's WebSocket.)
    /// </summary>
    [NeedsFact(Needs.Namespace)]
    public async Task A_node_that_stops_reading_stalls_no_relay_and_keeps_its_connection_when_the_sender_leaves()
    {
        LoopbackNamespace.Require();
        await using var patient = await ScHubHost.StartAsync(Options() with { Debug = false, SendTimeout = Waits.HangGuard });
        var (slow, slowVmac, _) = await JoinAsync(patient, receiveBuffer: 16_384);
        var (flooder, flooderVmac, _) = await JoinAsync(patient);
        var (c, cVmac, _) = await JoinAsync(patient);
        var fromFlooder = UntilReceivedAsync(c, m => m.Originating == flooderVmac && m.Destination is null);
        var sent = await FloodAsync(flooder, () => patient.Hub.RelaysDropped >= 2 * ScHubFunction.SendQueue);
        output.WriteLine($"{sent} broadcasts until the hub dropped {patient.Hub.RelaysDropped} relays");
        await UntilDeliveredAsync(fromFlooder, () => flooder.SendAsync(ScMessages.NpduToHub(0x7001, cVmac, IAm)));

        flooder.Socket.Abort();
        var fromC = UntilReceivedAsync(slow, m => m.Originating == cVmac && m.Destination is null);
        var atSlow = await UntilDeliveredAsync(fromC, () => c.SendAsync(ScMessages.NpduToHub(0x7002, slowVmac, IAm)));
        Assert.Equal(IAm, Assert.IsType<ScPayload.EncapsulatedNpdu>(atSlow.Payload).Npdu.Items.ToArray());
        Assert.Contains(patient.Hub.Connections, x => x.PeerVmac == slowVmac && x.State == ScConnectionState.Connected);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_node_that_accepts_nothing_for_the_send_timeout_is_dropped_and_the_hub_says_why()
    {
        LoopbackNamespace.Require();
        await using var strict = await ScHubHost.StartAsync(Options() with { Debug = false, SendTimeout = TimeSpan.FromSeconds(1) });
        var (_, slowVmac, _) = await JoinAsync(strict, receiveBuffer: 16_384);
        var (flooder, _, _) = await JoinAsync(strict);
        ScHubFunctionConnection? Dropped() =>
            strict.Hub.Connections.FirstOrDefault(x => x.PeerVmac == slowVmac && x.DisconnectTime is not null);
        var sent = await FloodAsync(flooder, () => Dropped() is not null);
        output.WriteLine($"{sent} broadcasts until the hub dropped the node");
        var dropped = Dropped()!;
        Assert.Equal(ScConnectionState.DisconnectedWithErrors, dropped.State);
        Assert.Equal(ScErrorCode.TcpError, dropped.Error);
        Assert.Contains("not sent within 1 s", dropped.ErrorDetails, StringComparison.Ordinal);
    }

    /// <summary>Sends broadcast Encapsulated-NPDUs of 1,400 octets, 100 at a time, until <paramref name="done"/> (what the
    /// socket buffers and the hub's queue toward a node that reads nothing hold is tens of megabytes on loopback), at most
    /// <see cref="Waits.HangGuard"/>; returns how many.</summary>
    private static async Task<int> FloodAsync(Node flooder, Func<bool> done)
    {
        var npdu = new byte[1400];
        npdu[0] = 0x01;
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        var sent = 0;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"still not done after {sent} broadcasts");
            for (var i = 0; i < 100; i++, sent++) await flooder.SendAsync(ScMessages.NpduToHub((ushort)sent, Vmac.Broadcast, npdu));
        }
        return sent;
    }

    /// <summary>Reads <paramref name="node"/>'s messages until an Encapsulated-NPDU that <paramref name="wanted"/> accepts.</summary>
    private static async Task<ScMessage> UntilReceivedAsync(Node node, Func<ScMessage, bool> wanted)
    {
        while (true)
        {
            var message = Decode(await node.ReceiveAsync());
            if (message.Payload is ScPayload.EncapsulatedNpdu && wanted(message)) return message;
        }
    }

    /// <summary>Sends until <paramref name="received"/> completes (the receiver's queue at the hub may be full and drop a
    /// send), at most <see cref="Waits.HangGuard"/>.</summary>
    private static async Task<ScMessage> UntilDeliveredAsync(Task<ScMessage> received, Func<Task> send)
    {
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        while (true)
        {
            await send();
            if (await Task.WhenAny(received, Task.Delay(500)) == received) return await received;
            Assert.True(DateTime.UtcNow < deadline, "never delivered");
        }
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_node_that_never_sends_connect_request_or_sends_something_else_first_is_dropped()
    {
        LoopbackNamespace.Require();
        var node = await OpenAsync(ca.Issue(CertificateRole.Device, "dev"));
        await node.SendAsync(ScMessages.HeartbeatRequest(1));
        Assert.True(await node.ClosedAsync());
        Assert.Contains(Host.Hub.Connections, c => c is { State: ScConnectionState.FailedToConnect, Error: ScErrorCode.UnexpectedData });
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Every_bad_client_certificate_fails_the_handshake_and_the_hub_says_why()
    {
        LoopbackNamespace.Require();
        using var other = new TestAuthority("Another Root CA");
        var cases = new (string Name, X509Certificate2? Certificate, string Reason, ScErrorCode Code)[]
        {
            ("another CA", other.Issue(CertificateRole.Device, "other"), "certificate from another CA",
                ScErrorCode.TlsClientCertificateError),
            ("expired", ca.Expired(CertificateRole.Device, "old"), "expired on", ScErrorCode.TlsClientCertificateExpired),
            ("serverAuth only", ca.ServerAuthOnly("srv"), "no clientAuth in extended key usage", ScErrorCode.TlsClientCertificateError),
            ("self-signed", TestAuthority.SelfSigned("self"), "self-signed", ScErrorCode.TlsClientCertificateError),
            ("no certificate", null, "no certificate", ScErrorCode.TlsClientCertificateError),
        };
        foreach (var (name, certificate, reason, code) in cases)
        {
            int before = Host.Hub.Connections.Count;
            await Assert.ThrowsAnyAsync<Exception>(async () => await OpenAsync(certificate));
            var refused = await UntilAsync(() => Host.Hub.Connections.Skip(before).FirstOrDefault());
            Assert.True(refused.ErrorDetails?.Contains(reason, StringComparison.Ordinal) == true, $"{name}: {refused.ErrorDetails}");
            Assert.Equal(code, refused.Error);
            Assert.Equal(ScConnectionState.FailedToConnect, refused.State);
        }
        // A tool's certificate (clientAuth only) is a good node certificate.
        var tool = await OpenAsync(ca.Issue(CertificateRole.Tool, "tool"));
        await tool.SendAsync(ScMessages.ConnectRequest(1, Vmac.NewRandom(), Guid.NewGuid()));
        Assert.IsType<ScPayload.ConnectAccept>(Decode(await tool.ReceiveAsync()).Payload);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_tls_1_2_client_is_refused()
    {
        LoopbackNamespace.Require();
        await Assert.ThrowsAnyAsync<Exception>(async () => await OpenAsync(ca.Issue(CertificateRole.Device, "dev"), SslProtocols.Tls12));
    }

    /// <summary>OpenSSL's client as an independent TLS peer: with a good node certificate over TLS 1.3 it completes the handshake
    /// and the WebSocket upgrade; with another CA's, an expired, a serverAuth-only or no certificate, or over TLS 1.2 only, it is
    /// refused.</summary>
    [NeedsFact(Needs.Namespace, Needs.OpenSsl)]
    public async Task OpenSsl_s_client_upgrades_with_a_good_certificate_and_is_refused_with_every_bad_one()
    {
        LoopbackNamespace.Require();
        using var other = new TestAuthority("Another Root CA");
        var folder = Directory.CreateTempSubdirectory("certlsp-schub-openssl-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "ca.pem"), ca.Pem);
            var good = ca.Issue(CertificateRole.Device, "dev-good");
            Assert.True(await SClientUpgradesAsync(folder, good, "-tls1_3"), "a good certificate over TLS 1.3");
            // bacnet-stack's nodes (libwebsockets 4.1) offer the single ALPN name "h2;http/1.1": refusing it (a fatal
            // no_application_protocol alert) kept every bacnet-stack node off the hub in the conformance run
            Assert.True(await SClientUpgradesAsync(folder, good, "-tls1_3", "-alpn", "h2;http/1.1"), "libwebsockets' ALPN name");
            Assert.True(await SClientUpgradesAsync(folder, good, "-tls1_3", "-alpn", "h2,http/1.1"), "ALPN h2 and http/1.1");
            foreach (var (name, certificate, protocol) in new (string, X509Certificate2?, string)[]
            {
                ("another CA", other.Issue(CertificateRole.Device, "dev-other"), "-tls1_3"),
                ("expired", ca.Expired(CertificateRole.Device, "dev-old"), "-tls1_3"),
                ("serverAuth only", ca.ServerAuthOnly("dev-srv"), "-tls1_3"),
                ("no certificate", null, "-tls1_3"),
                ("TLS 1.2 only", good, "-tls1_2"),
            })
            {
                Assert.False(await SClientUpgradesAsync(folder, certificate, protocol), name);
            }
            Assert.Contains(Host.Hub.Connections, c =>
                c.ErrorDetails?.Contains("certificate from another CA", StringComparison.Ordinal) == true);
            Assert.Contains(Host.Hub.Connections, c => c.Error == ScErrorCode.TlsClientCertificateExpired);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs <c>openssl s_client</c> against the hub (verifying the hub strictly: the site's CA, its IP in the SAN), sends a
    /// WebSocket upgrade and says whether the hub answered 101. The process is ended by its id once decided.</summary>
    private async Task<bool> SClientUpgradesAsync(string folder, X509Certificate2? certificate, params string[] protocol)
    {
        var info = new System.Diagnostics.ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        string[] args = ["s_client", "-connect", $"{HubAddress}:{Host.Uri.Port}", .. protocol, "-CAfile", Path.Combine(folder, "ca.pem"),
            "-verify_return_error", "-verify_ip", HubAddress.ToString(), "-x509_strict", "-servername", "hub", "-quiet"];
        foreach (var a in args) info.ArgumentList.Add(a);
        if (certificate is not null)
        {
            string cert = Path.Combine(folder, $"node-{nextNode}.pem"), key = Path.Combine(folder, $"node-{nextNode++}.key");
            TestAuthority.WritePem(certificate, cert, key);
            foreach (var a in new[] { "-cert", cert, "-key", key }) info.ArgumentList.Add(a);
        }
        using var process = System.Diagnostics.Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.WriteAsync("GET / HTTP/1.1\r\nHost: hub\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                $"Sec-WebSocket-Protocol: {ScHubHost.SubProtocol}\r\n\r\n");
            await process.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(Waits.HangGuard);
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                Log($"s_client: {line}");
                if (line.StartsWith("HTTP/1.1 101", StringComparison.Ordinal)) return true;
            }
            return false;
        }
        catch (IOException)
        {
            return false; // s_client ended before it read the request
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync();
            Log($"s_client stderr: {await errors}");
        }
    }

    /// <summary>A session through a plain ws:// hub (test only: the capture is readable), captured and read by tshark's
    /// <c>bscvlc</c> dissector: every frame decodes as BVLC-SC with no malformed packet and no expert warning.</summary>
    [NeedsFact(Needs.Namespace, Needs.Tshark)]
    public async Task Tshark_reads_a_plain_hub_session_as_bscvlc_with_nothing_malformed()
    {
        LoopbackNamespace.Require();
        const int Port = 47845;
        var pcap = Path.Combine(Path.GetTempPath(), $"certlsp-schub-{Environment.ProcessId}.pcapng");
        var plain = await ScHubHost.StartAsync(new ScHubHostOptions(IPAddress.Parse("127.0.15.40"), Port, null, null)
        {
            PlainTextForCapture = true, Log = Log,
        });
        try
        {
            using (var capture = await Tshark.StartCaptureAsync(pcap, $"tcp port {Port}"))
            {
                var (a, aVmac, _) = await JoinAsync(plain);
                var (b, bVmac, _) = await JoinAsync(plain);
                await a.SendAsync(ScMessages.NpduToHub(0x0101, bVmac, IAm));
                await b.ReceiveAsync();
                await b.SendAsync(ScMessages.NpduToHub(0x0102, Vmac.Broadcast, WhoIs));
                await a.ReceiveAsync();
                await a.SendAsync(ScMessages.HeartbeatRequest(0x0103));
                await a.ReceiveAsync();
                foreach (var (node, id) in new[] { (a, (ushort)0x0104), (b, (ushort)0x0105) })
                {
                    await node.SendAsync(ScMessages.DisconnectRequest(id));
                    await node.ReceiveAsync();
                    Assert.True(await node.ClosedAsync());
                }
                Assert.NotEqual(aVmac, bVmac);
                await Task.Delay(300); // let the last segments reach the capture file before it stops; the assertions do not time
                capture.Stop();
            }
            var decodeAs = Tshark.EveryTcpPortAsHttp;
            var functions = Tshark.ReadAs(pcap, decodeAs, "websocket.opcode == 2", "bscvlc.function");
            // Connect-Request/Accept twice, the unicast and its relay, the broadcast and its relay, heartbeat and ACK, two
            // disconnects and their ACKs.
            Assert.Equal(["0x06", "0x07", "0x06", "0x07", "0x01", "0x01", "0x01", "0x01", "0x0a", "0x0b", "0x08", "0x09", "0x08",
                "0x09"], functions);
            var problems = Tshark.ReadAs(pcap, decodeAs, "_ws.malformed || _ws.expert.severity >= \"Warning\"", "frame.number",
                "_ws.expert.message");
            Assert.Empty(problems);
        }
        finally
        {
            await plain.DisposeAsync();
            File.Delete(pcap);
        }
    }

    [Fact]
    public async Task The_hub_refuses_to_bind_outside_loopback_unless_asked()
    {
        var options = new ScHubHostOptions(IPAddress.Parse("192.0.2.1"), 4443, null, null);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => ScHubHost.StartAsync(options));
        Assert.Contains("127.0.0.0/8", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => ScHubHost.StartAsync(new ScHubHostOptions(IPAddress.Any, 4443, null, null)));
        Assert.True(ScHubHost.IsLoopback(IPAddress.Parse("127.200.0.9")));
        Assert.False(ScHubHost.IsLoopback(IPAddress.Parse("128.0.0.1")));
    }

    /// <summary>Hex octets written with spaces, as <see cref="Convert.ToHexString(byte[])"/> writes them.</summary>
    private static string Hex(string spaced) => spaced.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    /// <summary>Polls the hub's report until <paramref name="find"/> finds an entry (the hub records an end after the socket
    /// closes).</summary>
    private static async Task<ScHubFunctionConnection> UntilAsync(Func<ScHubFunctionConnection?> find)
    {
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        while (true)
        {
            if (find() is { } found) return found;
            Assert.True(DateTime.UtcNow < deadline, "the hub did not report the connection");
            await Task.Delay(20);
        }
    }

    private static ScMessage Decode(byte[] bytes)
    {
        var decoded = BvlcSc.Decode(bytes);
        Assert.True(decoded.Ok, decoded.ToString());
        return decoded.Value;
    }

    /// <summary>A node with a fresh device certificate that connected and was accepted: the node, its VMAC and Device UUID.</summary>
    private async Task<(Node Node, Vmac Vmac, Guid Uuid)> JoinAsync(ScHubHost? hub = null, int? receiveBuffer = null)
    {
        var node = await OpenAsync(ca.Issue(CertificateRole.Device, $"dev-{nextNode}"), hub: hub, receiveBuffer: receiveBuffer);
        var vmac = Vmac.NewRandom();
        var uuid = Guid.NewGuid();
        await node.SendAsync(ScMessages.ConnectRequest(0x4242, vmac, uuid));
        var accept = Decode(await node.ReceiveAsync());
        Assert.Equal(0x4242, accept.MessageId);
        hub ??= Host;
        Assert.Equal(new ScPayload.ConnectAccept(hub.Hub.Vmac, hub.Hub.DeviceUuid, ScLengths.OwnMaxBvlcLength,
            ScLengths.OwnMaxNpduLength), accept.Payload);
        return (node, vmac, uuid);
    }

    /// <summary>Opens the TLS WebSocket to the hub from the next 127.0.15.x, verifying the hub as a node does (serverAuth, the
    /// host in the SAN), with the socket's receive buffer fixed at <paramref name="receiveBuffer"/> octets if given.</summary>
    private async Task<Node> OpenAsync(X509Certificate2? certificate, SslProtocols protocols = SslProtocols.Tls13, ScHubHost? hub = null,
        int? receiveBuffer = null)
    {
        hub ??= Host;
        var local = IPAddress.Parse($"127.0.15.{nextNode++}");
        var hubCheck = new ScPeerVerifier([ca.PublicCertificate]);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                if (receiveBuffer is { } size) socket.ReceiveBufferSize = size;
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = protocols,
                ClientCertificates = certificate is null ? null : [certificate],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!,
                RemoteCertificateValidationCallback = hubCheck.Callback(ScPeerRole.Hub, hub.Uri.Host),
            },
        };
        var node = new Node(new ClientWebSocket(), new HttpMessageInvoker(handler));
        nodes.Add(node);
        node.Socket.Options.AddSubProtocol(ScHubHost.SubProtocol);
        using var timeout = new CancellationTokenSource(Waits.HangGuard);
        await node.Socket.ConnectAsync(hub.Uri, node.Invoker, timeout.Token);
        Assert.Equal(ScHubHost.SubProtocol, node.Socket.SubProtocol);
        return node;
    }

    private sealed record Node(ClientWebSocket Socket, HttpMessageInvoker Invoker) : IDisposable
    {
        public Task SendAsync(ScMessage message) => SendAsync(BvlcSc.ToArray(message));

        public async Task SendAsync(byte[] bytes)
        {
            using var timeout = new CancellationTokenSource(Waits.HangGuard);
            await Socket.SendAsync(bytes, WebSocketMessageType.Binary, true, timeout.Token);
        }

        public async Task<byte[]> ReceiveAsync()
        {
            using var timeout = new CancellationTokenSource(Waits.HangGuard);
            var buffer = new byte[ScLengths.OwnMaxBvlcLength];
            var length = 0;
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
                length += result.Count;
                if (result.EndOfMessage) return buffer[..length];
            }
        }

        /// <summary>Whether the hub closed the WebSocket (a close frame or the connection ending) before any other message.</summary>
        public async Task<bool> ClosedAsync()
        {
            using var timeout = new CancellationTokenSource(Waits.HangGuard);
            try
            {
                var result = await Socket.ReceiveAsync(new byte[ScLengths.OwnMaxBvlcLength], timeout.Token);
                return result.MessageType == WebSocketMessageType.Close;
            }
            catch (WebSocketException)
            {
                return true;
            }
        }

        public void Dispose()
        {
            Socket.Dispose();
            Invoker.Dispose();
        }
    }
}
