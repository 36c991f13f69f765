using CertLsp.Bacnet.SecureConnect;
using CsCheck;
using Xunit;
using static CertLsp.Bacnet.Tests.SecureConnect.ScGenerators;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>
/// The BVLC-SC codec: every message type and option combination round-trips, and the byte vectors of the research note's
/// captures (shared/research/bacnet-sc.md: bacnet-stack node, bac-py hub) decode and encode byte for byte.
/// </summary>
public class BvlcScCodecTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    private static ScMessage Decode(string hex)
    {
        var decoded = BvlcSc.Decode(Hex(hex));
        Assert.True(decoded.Ok, decoded.ToString());
        return decoded.Value;
    }

    [Fact]
    public void EveryMessageTypeAndOptionCombinationRoundTrips() => Message.Sample(message =>
    {
        var bytes = BvlcSc.ToArray(message);
        Assert.Equal(BvlcSc.EncodedLength(message), bytes.Length);
        var decoded = BvlcSc.Decode(bytes, int.MaxValue);
        Assert.True(decoded.Ok, $"{decoded} for {Convert.ToHexString(bytes)}");
        Assert.Equal(message, decoded.Value);
        Assert.Equal(bytes, BvlcSc.ToArray(decoded.Value));
    }, iter: 20_000);

    [Fact]
    public void EveryFunctionIsGenerated()
    {
        var seen = new HashSet<ScFunction>();
        Payload.Sample(p => { lock (seen) seen.Add(p.Function); }, iter: 2000);  // Sample runs on several threads
        Assert.Equal(Enum.GetValues<ScFunction>().Length, seen.Count);
    }

    [Fact]
    public void EncodingIntoATooSmallBufferOverflowsWithoutThrowing() => Message.Sample(message =>
    {
        var length = BvlcSc.EncodedLength(message);
        var result = BvlcSc.Encode(new byte[length - 1], message);
        Assert.True(result.Overflowed);
    }, iter: 2000);

    private const string NodeVmac = "52 1f 3c 4d 5e 6f";
    private const string NodeUuid = "0f 1e 2d 3c 4b 5a 69 78 87 96 a5 b4 c3 d2 e1 f0";
    private const string HubVmac = "a2 00 11 22 33 44";

    [Fact]
    public void BacnetStackConnectRequestWithHostOrderLengths()
    {
        // bacnet-stack node -> bac-py hub: `06 00 f2b0 <vmac> <uuid> dc05 dc05`, 1500/1500 written little-endian.
        var message = Decode($"06 00 f2b0 {NodeVmac} {NodeUuid} dc05 dc05");
        Assert.Equal(ScControl.None, message.Control);
        Assert.Null(message.Originating);
        var request = Assert.IsType<ScPayload.ConnectRequest>(message.Payload);
        Assert.Equal(Vmac.TryParse(NodeVmac.Replace(" ", ":")), request.Vmac);
        Assert.True(request.Vmac.IsRandom48);
        Assert.Equal(Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"), request.DeviceUuid);
        Assert.Equal(0xdc05, request.MaxBvlcLength);                      // decoded big-endian as the standard has it ...
        Assert.Equal(1500, ScLengths.UsableBvlc(request.MaxBvlcLength));  // ... and recognised as host order
        Assert.Equal(1497, ScLengths.UsableNpdu(request.MaxNpduLength));  // 1500, clamped to the largest NPDU
        // The accept echoes the Message-ID octets exactly, whatever order the node wrote them in.
        var accept = BvlcSc.ToArray(ScMessages.ConnectAccept(message, Vmac.TryParse(HubVmac.Replace(" ", ""))!.Value,
            request.DeviceUuid, 6000, 1497));
        Assert.Equal(Hex($"07 00 f2b0 {HubVmac} {NodeUuid} 1770 05d9"), accept);
        Assert.Equal(Hex($"06 00 f2b0 {NodeVmac} {NodeUuid} dc05 dc05"), BvlcSc.ToArray(message));
    }

    [Fact]
    public void BacPyConnectAccept()
    {
        // bac-py hub -> node: `07 00 f2b0 <vmac> <uuid> 1770 05d9` = 6000/1497, big-endian.
        var accept = Assert.IsType<ScPayload.ConnectAccept>(Decode($"07 00 f2b0 {HubVmac} {NodeUuid} 1770 05d9").Payload);
        Assert.Equal((6000, 1497), (accept.MaxBvlcLength, accept.MaxNpduLength));
        Assert.Equal(ScLengths.OwnMaxBvlcLength, ScLengths.UsableBvlc(accept.MaxBvlcLength));
        Assert.Equal(1497, ScLengths.UsableNpdu(accept.MaxNpduLength));
    }

    [Theory]
    [InlineData(0xdc05, 1500)]  // 1500 in host order
    [InlineData(0x4006, 1600)]  // 1600 in host order
    [InlineData(0x0006, 1536)]  // 1536 in host order reads 6: below the floor, its swap is plausible
    [InlineData(0x0640, 1600)]  // 1600 big-endian
    [InlineData(0x1770, 1600)]  // 6000 big-endian, more than this node sends
    [InlineData(0x0002, 512)]   // 2 cannot be right; 512 in host order can
    [InlineData(0x0050, ScLengths.MinimumBvlcLength)]  // 80 or 20480: neither reading is plausible; clamped up
    [InlineData(0xffff, 1600)]  // all ones: swapped it is still all ones; clamped down
    public void UsableLengthRule(int wire, int usable) => Assert.Equal(usable, ScLengths.UsableBvlc((ushort)wire));

    [Fact]
    public void NodeWhoIsToTheHubAndItsRelays()
    {
        // node -> hub: destination broadcast, no originating VMAC
        const string npdu = "0120ffff00ff1008";
        var whoIs = Decode($"01 04 f3b0 ffffffffffff {npdu}");
        Assert.Null(whoIs.Originating);
        Assert.Equal(Vmac.Broadcast, whoIs.Destination);
        var encapsulated = Assert.IsType<ScPayload.EncapsulatedNpdu>(whoIs.Payload);
        Assert.Equal(Hex(npdu), encapsulated.Npdu.Items.ToArray());
        Assert.Equal(Hex($"01 04 f3b0 ffffffffffff {npdu}"), BvlcSc.ToArray(ScMessages.NpduToHub(0xf3b0, Vmac.Broadcast, Hex(npdu))));
        var inner = Network.Npdu.Decode(encapsulated.Npdu.Items.AsSpan());
        Assert.True(inner.Ok, inner.ToString());

        // hub -> every other node: originating = the sender, destination broadcast kept
        var relayed = Decode($"01 0c f3b0 {NodeVmac} ffffffffffff {npdu}");
        Assert.Equal(Vmac.TryParse(NodeVmac.Replace(" ", "")), relayed.Originating);
        Assert.True(relayed.Destination!.Value.IsBroadcast);
        Assert.Equal(encapsulated, relayed.Payload);

        // hub -> node, unicast I-Am: originating = the sender, destination removed
        const string iAm = "0100 1000 c4020004d2 2205c4 9103 220104";
        var unicast = Decode($"01 08 f4b0 {NodeVmac} {iAm}");
        Assert.Equal(ScControl.OriginatingVmac, unicast.Control);
        Assert.Null(unicast.Destination);
        Assert.Equal(Hex(iAm), ((ScPayload.EncapsulatedNpdu)unicast.Payload).Npdu.Items.ToArray());
    }

    [Fact]
    public void NakOfADuplicateVmacInBothByteOrders()
    {
        var request = ScMessages.ConnectRequest(0x1234, Vmac.NewRandom(), Guid.NewGuid());
        var nak = ScMessages.Nak(request, ScErrorCode.NodeDuplicateVmac, "VMAC in use");
        var bytes = BvlcSc.ToArray(nak);
        Assert.Equal(Hex("00 00 1234 06 01 00 0007 0097" + Convert.ToHexString("VMAC in use"u8)), bytes);
        var result = Assert.IsType<ScPayload.Result>(BvlcSc.Decode(bytes).Value.Payload);
        Assert.True(result.Nak!.Is(ScErrorClass.Communication, ScErrorCode.NodeDuplicateVmac));
        // bacnet-stack writes class and code in host order
        var hostOrder = Assert.IsType<ScPayload.Result>(Decode("00 00 1234 06 01 00 0700 9700").Payload);
        Assert.True(hostOrder.Nak!.Is(ScErrorClass.Communication, ScErrorCode.NodeDuplicateVmac));
        Assert.False(hostOrder.Nak.Is(ScErrorClass.Communication, ScErrorCode.HeaderNotUnderstood));
    }

    [Fact]
    public void HelpersEchoTheRequestMessageId()
    {
        var ids = new ScMessageIds(0xfffe);
        var heartbeat = ScMessages.HeartbeatRequest(ids.Next());
        var disconnect = ScMessages.DisconnectRequest(ids.Next());
        Assert.Equal((0xfffe, 0xffff, 0), (heartbeat.MessageId, disconnect.MessageId, ids.Next()));
        Assert.Equal(Hex("0a00fffe"), BvlcSc.ToArray(heartbeat));
        Assert.Equal(Hex("0b00fffe"), BvlcSc.ToArray(ScMessages.HeartbeatAck(heartbeat)));
        Assert.Equal(Hex("0800ffff"), BvlcSc.ToArray(disconnect));
        Assert.Equal(Hex("0900ffff"), BvlcSc.ToArray(ScMessages.DisconnectAck(disconnect)));
        var from = Vmac.NewRandom();
        var ack = ScMessages.Ack(ScMessages.Npdu(7, from, null, [1, 0]));
        Assert.Equal(from, ack.Destination);
        Assert.Equal(new ScPayload.Result(ScFunction.EncapsulatedNpdu), ack.Payload);
    }

    [Fact]
    public void RandomVmacsCarryTheRandom48Mark()
    {
        for (var i = 0; i < 1000; i++)
        {
            var vmac = Vmac.NewRandom();
            Assert.True(vmac.IsRandom48, vmac.ToString());
            Assert.False(vmac.IsBroadcast);
            Assert.Equal(vmac, Vmac.FromOctets(vmac.ToOctets()));
            Assert.Equal(vmac, Vmac.TryParse(vmac.ToString()));
        }
        Assert.Equal("ff:ff:ff:ff:ff:ff", Vmac.Broadcast.ToString());
    }

    [Fact]
    public void OptionsKeepTheirMarkers()
    {
        var message = ScMessages.Npdu(9, null, Vmac.Broadcast, [1, 0]) with
        {
            DestinationOptions = new[] { ScHeaderOption.Proprietary(260, 7, [0xAB]) },
            DataOptions = new[] { ScHeaderOption.SecurePath, ScHeaderOption.Proprietary(555, 1, [], mustUnderstand: true) },
        };
        // destination option: 0x3f (has data, type 31) len 0004 vendor 0104 type 07 data ab;
        // data options: 0xc1 (more, must-understand, Secure-Path), 0x7f (must-understand, data, proprietary) len 0003 022b 01
        Assert.Equal(Hex("01 07 0009 ffffffffffff 3f 0004 0104 07 ab c1 7f 0003 022b 01 0100"), BvlcSc.ToArray(message));
        Assert.Equal((ushort)260, message.DestinationOptions[0].VendorId);
    }
}
