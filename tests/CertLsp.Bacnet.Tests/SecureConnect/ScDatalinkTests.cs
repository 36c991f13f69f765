using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Transport;
using Xunit;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>
/// The node side of BACnet/SC against <see cref="TestHub"/> on loopback: connect and accept, the application layer end to end
/// over two connectors (Who-Is/I-Am and ReadProperty), duplicate VMAC, heartbeats, failover, reconnection, disconnects both ways,
/// a hub certificate the verifier refuses, a node certificate the hub refuses, garbage frames. Every wait ends by an event.
/// </summary>
public class ScDatalinkTests
{
    private static X509Certificate2 Ca => TestPki.SiteCa;
    private static X509Certificate2 OtherCa => TestPki.OtherCa;
    private static readonly X509Certificate2 NodeCertificate = TestPki.CreateLeaf(Ca, "node");
    private static readonly X509Certificate2 DeviceCertificate = TestPki.CreateLeaf(Ca, "device");

    private static TestHub StartHub(string address, X509Certificate2? issuer = null)
    {
        LoopbackNamespace.Require();
        var ip = IPAddress.Parse(address);
        return new TestHub(ip, TestPki.CreateLeaf(issuer ?? Ca, "hub", ip), Ca);
    }

    private static ScConnectorOptions Options(Uri primary, X509Certificate2? certificate = null) => new()
    {
        PrimaryHub = primary,
        Certificate = certificate ?? NodeCertificate,
        VerifyHub = TestPki.VerifierFor(Ca),
        MinimumReconnectTime = TimeSpan.FromMilliseconds(100),
        MaximumReconnectTime = TimeSpan.FromSeconds(1),
    };

    private static async Task Until(ScHubConnector connector, Func<ScHubConnector, bool> condition, string what)
    {
        if (!await connector.WaitUntilAsync(condition, Waits.HangGuard))
            Assert.Fail($"{what} did not happen: state {connector.State}, primary {connector.PrimaryStatus}, failover " +
                $"{connector.FailoverStatus}");
    }

    private static Task Connected(ScHubConnector connector, ScHubConnectionStatus state = ScHubConnectionStatus.ConnectedToPrimaryHub) =>
        Until(connector, c => c.State == state, $"{state}");

    [NeedsFact(Needs.Namespace)]
    public async Task ConnectRequestCarriesVmacUuidAndLengthsAndIsAccepted()
    {
        await using var hub = StartHub("127.0.0.21");
        var uuid = Guid.NewGuid();
        var vmac = Vmac.NewRandom();
        await using var connector = new ScHubConnector(Options(hub.Uri) with { DeviceUuid = uuid, Vmac = vmac });
        var (_, request) = await hub.NextAsync(m => m.Function == ScFunction.ConnectRequest);
        Assert.Equal(new ScPayload.ConnectRequest(vmac, uuid, ScLengths.OwnMaxBvlcLength, ScLengths.OwnMaxNpduLength), request.Payload);
        Assert.Null(request.Originating);
        Assert.Null(request.Destination);
        await Connected(connector);
        Assert.Equal(ScConnectionState.Connected, connector.PrimaryStatus.State);
        Assert.NotNull(connector.PrimaryStatus.ConnectTime);
        Assert.Null(connector.PrimaryStatus.Error);
        Assert.Equal(vmac, connector.Vmac);
        Assert.Equal([vmac], hub.Nodes);
    }

    /// <summary>A BacnetClient on one SC datalink finds and reads a DeviceEndpoint on another through the hub: the application
    /// layer is the one BACnet/IP uses.</summary>
    [NeedsFact(Needs.Namespace)]
    public async Task ClientDiscoversAndReadsADeviceThroughTheHub()
    {
        await using var hub = StartHub("127.0.0.22");
        await using var deviceLink = new ScDatalink(Options(hub.Uri, DeviceCertificate));
        await using var device = new DeviceEndpoint(deviceLink, new NamedDevice(4321, "sc-device"));
        await using var clientLink = new ScDatalink(Options(hub.Uri));
        await using var client = BacnetClient.Start(clientLink, new BacnetClientOptions { ApduTimeout = TimeSpan.FromSeconds(10) });
        await Connected(deviceLink.Connector);
        await Connected(clientLink.Connector);

        var found = await client.WhoIsAsync(new WhoIs(), Waits.HangGuard, expected: 1);
        var answer = Assert.Single(found);
        Assert.Equal(4321u, answer.Instance);
        Assert.Equal(deviceLink.Local, answer.Address.Mac);
        var read = await client.ReadPropertyAsync(answer.Address, ObjectId.Device(4321), PropertyIdentifier.ObjectName);
        Assert.True(read.Ok, read.ToString());
        Assert.Equal(new BacnetValue.CharacterString("sc-device"), Assert.Single(read.Value.Values));

        // node to hub: a destination VMAC (broadcast for Who-Is, the device for ReadProperty), never an originating one
        var (from, whoIs) = await hub.NextAsync(m => m.Function == ScFunction.EncapsulatedNpdu && m.Destination == Vmac.Broadcast);
        Assert.Equal(clientLink.Connector.Vmac, from);
        Assert.Null(whoIs.Originating);
        var (_, request) = await hub.NextAsync(m =>
            m.Function == ScFunction.EncapsulatedNpdu && m.Destination == deviceLink.Connector.Vmac);
        Assert.Null(request.Originating);
        Assert.Equal(0, client.MalformedReceived);
        Assert.Equal(0, device.MalformedReceived);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task DuplicateVmacNakDrawsANewVmacAndConnects()
    {
        await using var hub = StartHub("127.0.0.23");
        hub.NakNextConnectsAsDuplicate(1);
        var first = Vmac.NewRandom();
        await using var connector = new ScHubConnector(Options(hub.Uri) with { Vmac = first });
        await Connected(connector);
        Assert.Equal(1, connector.DuplicateVmacs);
        Assert.NotEqual(first, connector.Vmac);
        Assert.True(connector.Vmac.IsRandom48);
        Assert.Equal([connector.Vmac], hub.Nodes);
        var requests = new List<ScPayload.ConnectRequest>();
        while (requests.Count < 2)
            requests.Add((ScPayload.ConnectRequest)(await hub.NextAsync(m => m.Function == ScFunction.ConnectRequest)).Message.Payload);
        Assert.Equal([first, connector.Vmac], requests.Select(r => r.Vmac));
    }

    /// <summary>AB.3.3 and AB.3.2 on the node: it accepts no direct connections, so another node's Address-Resolution gets the NAK
    /// bacnet-stack's node gives (communication, OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED) and its Advertisement-Solicitation an
    /// Advertisement, each addressed to the node that asked.</summary>
    [NeedsFact(Needs.Namespace)]
    public async Task AddressResolutionIsNakedAndAdvertisementSolicitationIsAnswered()
    {
        await using var hub = StartHub("127.0.0.38");
        await using var connector = new ScHubConnector(Options(hub.Uri));
        await Connected(connector);
        var asker = Vmac.NewRandom();

        await hub.SendAsync(connector.Vmac, new ScMessage(0x0A0C, new ScPayload.AddressResolution(), Originating: asker));
        var (_, nak) = await hub.NextAsync(m => m.Function == ScFunction.Result);
        Assert.Equal(0x0A0C, nak.MessageId);
        var result = Assert.IsType<ScPayload.Result>(nak.Payload);
        Assert.Equal(ScFunction.AddressResolution, result.ForFunction);
        Assert.True(result.Nak!.Is(ScErrorClass.Communication, ScErrorCode.OptionalFunctionalityNotSupported), result.Nak.ToString());
        Assert.Equal(asker, nak.Destination);
        Assert.Null(nak.Originating);

        await hub.SendAsync(connector.Vmac, new ScMessage(0x0A0D, new ScPayload.AdvertisementSolicitation(), Originating: asker));
        var (_, advertisement) = await hub.NextAsync(m => m.Function == ScFunction.Advertisement);
        Assert.Equal(new ScPayload.Advertisement(ScHubConnectionStatus.ConnectedToPrimaryHub, AcceptsDirectConnections: false,
            ScLengths.OwnMaxBvlcLength, ScLengths.OwnMaxNpduLength), advertisement.Payload);
        Assert.Equal(asker, advertisement.Destination);
        Assert.Null(advertisement.Originating);
        Assert.Equal(ScHubConnectionStatus.ConnectedToPrimaryHub, connector.State);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task HeartbeatsGoOutWhenIdleAndHubHeartbeatsAreAnswered()
    {
        await using var hub = StartHub("127.0.0.24");
        await using var connector = new ScHubConnector(Options(hub.Uri) with { HeartbeatTimeout = TimeSpan.FromMilliseconds(300) });
        await Connected(connector);
        var (_, request) = await hub.NextAsync(m => m.Function == ScFunction.HeartbeatRequest);
        Assert.Null(request.Originating);
        await hub.SendAsync(connector.Vmac, ScMessages.HeartbeatRequest(0x4711));
        var (_, ack) = await hub.NextAsync(m => m.Function == ScFunction.HeartbeatAck);
        Assert.Equal(0x4711, ack.MessageId);
        Assert.Equal(ScHubConnectionStatus.ConnectedToPrimaryHub, connector.State);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task AHubThatStopsAnsweringIsDroppedAsDisconnectedWithErrors()
    {
        await using var hub = StartHub("127.0.0.25");
        hub.AnswerHeartbeats = false;
        await using var connector = new ScHubConnector(Options(hub.Uri) with
        {
            HeartbeatTimeout = TimeSpan.FromMilliseconds(200),
            MinimumReconnectTime = TimeSpan.FromSeconds(30),
        });
        await Connected(connector);
        await Until(connector, c => c.PrimaryStatus.State == ScConnectionState.DisconnectedWithErrors, "heartbeat timeout");
        Assert.Contains("nothing received from the hub", connector.PrimaryStatus.ErrorDetails);
        Assert.Equal(ScHubConnectionStatus.NoHubConnection, connector.State);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task FailsOverToTheSecondHubWhenThePrimaryRefuses()
    {
        await using var failover = StartHub("127.0.0.26");
        var closed = new TcpListener(IPAddress.Parse("127.0.0.27"), 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var connector = new ScHubConnector(Options(new Uri($"wss://127.0.0.27:{port}/")) with { FailoverHub = failover.Uri });
        await Connected(connector, ScHubConnectionStatus.ConnectedToFailoverHub);
        Assert.Equal(ScConnectionState.FailedToConnect, connector.PrimaryStatus.State);
        Assert.Equal(ScErrorCode.TcpConnectionRefused, connector.PrimaryStatus.Error);
        Assert.Equal(ScConnectionState.Connected, connector.FailoverStatus.State);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ReturnsFromTheFailoverHubToThePrimaryWhenThePrimaryIsBack()
    {
        await using var failover = StartHub("127.0.0.36");
        var primaryAddress = IPAddress.Parse("127.0.0.37");
        var closed = new TcpListener(primaryAddress, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var connector = new ScHubConnector(Options(new Uri($"wss://127.0.0.37:{port}/")) with
        {
            FailoverHub = failover.Uri,
            MinimumReconnectTime = TimeSpan.FromMilliseconds(100),
            MaximumReconnectTime = TimeSpan.FromMilliseconds(200),
            DisconnectWaitTimeout = Waits.HangGuard,
        });
        await Connected(connector, ScHubConnectionStatus.ConnectedToFailoverHub);
        // on the failover hub, the connector keeps trying the primary: each try updates the primary's status
        var firstFailure = connector.PrimaryStatus.DisconnectTime;
        await Until(connector, c => c.PrimaryStatus.DisconnectTime > firstFailure, "another try of the primary");
        Assert.Equal(ScConnectionState.FailedToConnect, connector.PrimaryStatus.State);
        Assert.Equal(ScHubConnectionStatus.ConnectedToFailoverHub, connector.State);

        await using var primary = new TestHub(primaryAddress, TestPki.CreateLeaf(Ca, "hub", primaryAddress), Ca, port);
        await Connected(connector);
        Assert.Equal(ScConnectionState.Connected, connector.PrimaryStatus.State);
        Assert.Null(connector.PrimaryStatus.Error);
        // the failover connection ended in order: Disconnect-Request answered, no error
        await failover.NextAsync(m => m.Function == ScFunction.DisconnectRequest);
        await Until(connector, c => c.FailoverStatus.State == ScConnectionState.NotConnected, "the failover disconnect");
        Assert.Null(connector.FailoverStatus.Error);
        Assert.NotNull(connector.FailoverStatus.DisconnectTime);
        // and traffic goes through the primary now
        var heartbeat = ScMessages.HeartbeatRequest(0x7777);
        Assert.True(connector.Send(heartbeat));
        var (from, sent) = await primary.NextAsync(m => m.Function == ScFunction.HeartbeatRequest);
        Assert.Equal(connector.Vmac, from);
        Assert.Equal(0x7777, sent.MessageId);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ReconnectsAfterTheHubDropsTheConnection()
    {
        await using var hub = StartHub("127.0.0.28");
        await using var connector = new ScHubConnector(Options(hub.Uri) with { MinimumReconnectTime = TimeSpan.FromSeconds(1) });
        await Connected(connector);
        var firstConnect = connector.PrimaryStatus.ConnectTime;
        hub.DropAll();
        await Until(connector, c => c.PrimaryStatus.State == ScConnectionState.DisconnectedWithErrors, "the drop");
        Assert.NotNull(connector.PrimaryStatus.Error);
        await Until(connector, c => c.PrimaryStatus is { State: ScConnectionState.Connected } s && s.ConnectTime > firstConnect,
            "reconnect");
        Assert.Equal(2, hub.ConnectionsAccepted);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task DisposeDisconnectsInOrder()
    {
        await using var hub = StartHub("127.0.0.29");
        var connector = new ScHubConnector(Options(hub.Uri) with { DisconnectWaitTimeout = Waits.HangGuard });
        await Connected(connector);
        await connector.DisposeAsync();
        await hub.NextAsync(m => m.Function == ScFunction.DisconnectRequest);
        Assert.Equal(ScConnectionState.NotConnected, connector.PrimaryStatus.State);
        Assert.Null(connector.PrimaryStatus.Error);
        Assert.NotNull(connector.PrimaryStatus.DisconnectTime);
        Assert.Equal(ScHubConnectionStatus.NoHubConnection, connector.State);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task AHubsDisconnectRequestIsAcknowledged()
    {
        await using var hub = StartHub("127.0.0.30");
        await using var connector = new ScHubConnector(Options(hub.Uri) with { MinimumReconnectTime = TimeSpan.FromSeconds(30) });
        await Connected(connector);
        await hub.SendAsync(connector.Vmac, ScMessages.DisconnectRequest(0x0BAD));
        var (_, ack) = await hub.NextAsync(m => m.Function == ScFunction.DisconnectAck);
        Assert.Equal(0x0BAD, ack.MessageId);
        await Until(connector, c => c.State == ScHubConnectionStatus.NoHubConnection, "the disconnect");
        Assert.Equal(ScConnectionState.NotConnected, connector.PrimaryStatus.State);
        Assert.Null(connector.PrimaryStatus.Error);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task AHubCertificateTheVerifierRefusesFailsToConnectWithTheReason()
    {
        await using var hub = StartHub("127.0.0.31", issuer: OtherCa);
        await using var connector = new ScHubConnector(Options(hub.Uri));
        await Until(connector, c => c.PrimaryStatus.State == ScConnectionState.FailedToConnect, "the refusal");
        Assert.Equal(ScErrorCode.TlsServerCertificateError, connector.PrimaryStatus.Error);
        Assert.Contains("certificate from another CA (issued by CN=Another site CA", connector.PrimaryStatus.ErrorDetails);
        Assert.Equal(0, hub.ConnectionsAccepted);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task WithoutAVerifierNoHubIsTrusted()
    {
        await using var hub = StartHub("127.0.0.31");
        await using var connector = new ScHubConnector(Options(hub.Uri) with { VerifyHub = ScVerifiers.NoneConfigured });
        await Until(connector, c => c.PrimaryStatus.State == ScConnectionState.FailedToConnect, "the refusal");
        Assert.Contains("no verifier for the hub's certificate", connector.PrimaryStatus.ErrorDetails);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ANodeCertificateFromAnotherCaIsRefusedByTheHub()
    {
        await using var hub = StartHub("127.0.0.32");
        await using var connector = new ScHubConnector(Options(hub.Uri, TestPki.CreateLeaf(OtherCa, "stranger")));
        await Until(connector, c => c.PrimaryStatus.State == ScConnectionState.FailedToConnect, "the refusal");
        // TLS 1.3: the hub's verdict comes after the client's handshake, as a close before the upgrade's answer
        Assert.Equal(ScErrorCode.WebsocketClosedByPeer, connector.PrimaryStatus.Error);
        Assert.Contains("most likely it refused this node's certificate", connector.PrimaryStatus.ErrorDetails);
        using var limit = new CancellationTokenSource(Waits.HangGuard);
        await hub.HandshakeFailures.Reader.ReadAsync(limit.Token);
        Assert.Equal(0, hub.ConnectionsAccepted);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task GarbageFramesAreCountedAndDropped()
    {
        await using var hub = StartHub("127.0.0.33");
        await using var link = new ScDatalink(Options(hub.Uri));
        var delivered = 0;
        link.NpduReceived += (_, _, _) => Interlocked.Increment(ref delivered);
        await Connected(link.Connector);
        var vmac = link.Connector.Vmac;
        await hub.SendRawAsync(vmac, [0xFF, 0x00, 0x00, 0x01]);              // unknown function
        await hub.SendRawAsync(vmac, [0x01, 0x08, 0x00]);                    // truncated header
        await hub.SendRawAsync(vmac, [0x01, 0x08, 0x00, 0x01, 0x02]);        // originating VMAC cut off
        await hub.SendRawAsync(vmac, new byte[ScLengths.OwnMaxBvlcLength + 100]);  // longer than this node accepts
        await hub.SendAsync(vmac, ScMessages.Npdu(7, null, null, [0x01, 0x00]));  // an NPDU without its sender
        await hub.SendAsync(vmac, ScMessages.HeartbeatRequest(0x0042));
        await hub.NextAsync(m => m is { Function: ScFunction.HeartbeatAck, MessageId: 0x0042 });
        Assert.Equal(5, link.MalformedReceived);
        Assert.Equal(0, delivered);
        Assert.Equal(0, link.HandlerFailures);
        Assert.Equal(ScHubConnectionStatus.ConnectedToPrimaryHub, link.Connector.State);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task AMustUnderstandOptionThisNodeDoesNotKnowIsNakedAndDropped()
    {
        await using var hub = StartHub("127.0.0.34");
        await using var connector = new ScHubConnector(Options(hub.Uri));
        await Connected(connector);
        ScHeaderOption[] proprietary = [new(ScHeaderOptionType.Proprietary, true, new byte[] { 0x01, 0x02, 0x03 })];
        await hub.SendAsync(connector.Vmac, ScMessages.HeartbeatRequest(0x0101) with { DestinationOptions = proprietary });
        var (_, nak) = await hub.NextAsync(m => m.Function == ScFunction.Result);
        Assert.Equal(0x0101, nak.MessageId);
        var result = Assert.IsType<ScPayload.Result>(nak.Payload);
        Assert.Equal(ScFunction.HeartbeatRequest, result.ForFunction);
        Assert.Equal((ushort)ScErrorCode.HeaderNotUnderstood, result.Nak!.ErrorCode);
        // Secure-Path is understood; an option that need not be understood is ignored
        ScHeaderOption[] known =
            [new(ScHeaderOptionType.SecurePath, true), new(ScHeaderOptionType.Proprietary, false, new byte[] { 1, 2, 3 })];
        await hub.SendAsync(connector.Vmac, ScMessages.HeartbeatRequest(0x0102) with { DataOptions = known });
        var (_, ack) = await hub.NextAsync(m => m.Function is ScFunction.HeartbeatAck or ScFunction.Result);
        Assert.Equal((ScFunction.HeartbeatAck, (ushort)0x0102), (ack.Function, ack.MessageId));
        Assert.Equal(1, connector.HeaderOptionsNotUnderstood);
    }

    /// <summary>A device with one property: its name.</summary>
    private sealed class NamedDevice(uint instance, string name) : IDeviceHandler
    {
        public IAm Identity { get; } = new(ObjectId.Device(instance), 1476, Segmentation.Both, 999);

        public ServiceResponse Handle(ConfirmedService service, ReadOnlySpan<byte> serviceData)
        {
            if (service != ConfirmedService.ReadProperty) return new ServiceResponse.Rejected(RejectReason.UnrecognizedService);
            var request = ReadPropertyRequest.Decode(serviceData);
            if (!request.Ok) return ServiceResponse.From(request.Error!);
            if (request.Value is not { Property: PropertyIdentifier.ObjectName } r || r.Object != Identity.Device)
                return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.UnknownProperty);
            BacnetValue[] values = [new BacnetValue.CharacterString(name)];
            return ServiceResponse.Ack(new ReadPropertyAck(r.Object, r.Property, null, values));
        }
    }
}
