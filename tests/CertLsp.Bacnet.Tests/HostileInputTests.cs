using System.Diagnostics;
using System.Net;
using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Encoding;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Network;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Simulator;
using CertLsp.Bacnet.Transport;
using Xunit;
using Xunit.Abstractions;

namespace CertLsp.Bacnet.Tests;

/// <summary>
/// The decoders are hostile-input code: a million random and mutated packets go through every decoder and the
/// simulated device's request handler; none may throw, and none may allocate more than its input warrants.
/// </summary>
public class HostileInputTests(ITestOutputHelper output)
{
    private static readonly ServiceDecoder<object>[] ServiceDecoders =
    [
        d => Box(WhoIs.Decode(d)), d => Box(IAm.Decode(d)), d => Box(ReadPropertyRequest.Decode(d)), d => Box(ReadPropertyAck.Decode(d)),
        d => Box(ReadPropertyMultipleRequest.Decode(d)), d => Box(ReadPropertyMultipleAck.Decode(d)), d =>
            Box(WritePropertyRequest.Decode(d)),
        d => Box(AtomicReadFileRequest.Decode(d)), d => Box(AtomicReadFileAck.Decode(d)), d => Box(AtomicWriteFileRequest.Decode(d)),
        d => Box(AtomicWriteFileAck.Decode(d)), d => Box(ReinitializeDeviceRequest.Decode(d)), d => Box(Apdu.DecodeErrorContent(d)),
    ];

    private static Decoded<object> Box<T>(Decoded<T> d) => d.Ok ? d.Value! : d.Error!;

    /// <summary>The captured vectors of shared/research/bacnet.md (decoded cleanly by Wireshark); RPM and SimpleACK are APDUs
    /// there.</summary>
    private static readonly string[] Captured =
    [
        "810b000c 0120ffff00ff 1008",
        "810b0012 0120ffff00ff 1008 0a04d2 1a04d2",
        "810a0015 0100 1000 c4020004d2 2205c4 9103 220104",
        "810a0011 0104 0005010c 0c020004d2 194d",
        "810a0022 0100 30010c 0c020004d2 194d 3e 750e00 53696d44657669636531323334 3f",
        "810a000d 0100 50010c 9102 9120",
        "810a0016 0104 0005 01 06 c402800001 0e 3100 220584 0f",
        "810a000b 0100 300107 0900",
        "0104 0005020e 0c020004d2 1e 094d 0979 0946 0a0174 1f 0c0e000001 1e 0a01ab 0a01a7 1f",
        "0100 20010f",
    ];

    /// <summary>A captured vector as a datagram: an NPDU+APDU gets its BVLC header.</summary>
    private static byte[] FromCapture(string hex)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", ""));
        if (bytes[0] == 0x81) return bytes;
        return [0x81, 0x0A, (byte)((bytes.Length + 4) >> 8), (byte)(bytes.Length + 4), .. bytes];
    }

    /// <summary>Valid packets of every kind, the seeds for mutation: every service and APDU type, BVLC functions, the captured
    /// vectors.</summary>
    internal static List<byte[]> Seeds()
    {
        var seeds = new List<byte[]>();
        void Add(BvlcFunction f, NpduHeader n, ApduHeader a, ContentEncoder c)
        {
            var buffer = new byte[BacnetPacket.MaxDatagram];
            var r = BacnetPacket.Encode(buffer, f, n, a, c, BipEndpoint.Parse("127.0.0.9"));
            seeds.Add(buffer[..r.Length]);
        }
        var dev = ObjectId.Device(1234);
        var routed = new NpduHeader(true, Destination: new NetworkAddress(5, [1, 2, 3, 4, 5, 6]), Source: new NetworkAddress(7, [9]),
            HopCount: 254);
        var req = (ConfirmedService s) => ApduHeader.ConfirmedRequest(1, s);
        Add(BvlcFunction.OriginalBroadcastNpdu, NpduHeader.GlobalBroadcast, ApduHeader.Unconfirmed(UnconfirmedService.WhoIs),
            WhoIs.Range(1, 4000).Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false), ApduHeader.Unconfirmed(UnconfirmedService.IAm),
            new IAm(dev, 1476, Segmentation.Both, 260).Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, routed, req(ConfirmedService.ReadProperty),
            new ReadPropertyRequest(dev, PropertyIdentifier.ObjectName).Encode);
        Add(BvlcFunction.ForwardedNpdu, NpduHeader.Local(true), req(ConfirmedService.ReadPropertyMultiple),
            ReadPropertyMultipleRequest.Of(ObjectId.NetworkPort(2), PropertyIdentifier.NetworkType,
                PropertyIdentifier.OperationalCertificateFile, PropertyIdentifier.IssuerCertificateFiles).Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(true), req(ConfirmedService.WriteProperty),
            WritePropertyRequest.Of(ObjectId.File(2), PropertyIdentifier.FileSize, BacnetValue.FromUnsigned(0)).Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(true), req(ConfirmedService.AtomicReadFile),
            new AtomicReadFileRequest(ObjectId.File(1), 0, 1400).Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(true), req(ConfirmedService.AtomicWriteFile),
            new AtomicWriteFileRequest(ObjectId.File(2), 0, [1, 2, 3, 4, 5]).Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(true), req(ConfirmedService.ReinitializeDevice),
            new ReinitializeDeviceRequest(ReinitializedState.ActivateChanges, "pw").Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false), ApduHeader.ComplexAck(1, ConfirmedService.ReadProperty),
            new ReadPropertyAck(dev, PropertyIdentifier.ObjectList, null,
                new[] { BacnetValue.From(dev), BacnetValue.From(ObjectId.File(1)) }).Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false), ApduHeader.ComplexAck(1, ConfirmedService.ReadPropertyMultiple),
            new ReadPropertyMultipleAck(new[] { new ReadAccessResult(dev,
                new[] { new PropertyResult(PropertyIdentifier.ObjectName, null, new[] { BacnetValue.From("x") }),
                PropertyResult.Failed(PropertyIdentifier.SerialNumber, null,
                    new BacnetError(ErrorClass.Property, ErrorCode.UnknownProperty)) }) }).Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false), ApduHeader.ComplexAck(1, ConfirmedService.AtomicReadFile),
            new AtomicReadFileAck(true, 0, [65, 66]).Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false),
            ApduHeader.ComplexAck(1, ConfirmedService.AtomicWriteFile) with { Segmented = true, MoreFollows = true, WindowSize = 4 },
            new AtomicWriteFileAck(7).Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false), ApduHeader.SegmentAck(1, 3, 4, true, true),
            static (ref BacnetWriter _) => { });
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false), ApduHeader.Abort(1, AbortReason.TsmTimeout, true),
            static (ref BacnetWriter _) => { });
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false), ApduHeader.Error(1, ConfirmedService.ReadProperty),
            (ref BacnetWriter w) => Apdu.EncodeErrorContent(ref w, new BacnetError(ErrorClass.Property, ErrorCode.UnknownProperty)));
        var net = new byte[BacnetPacket.MaxDatagram];
        var nw = new BacnetWriter(net);
        var start = Bvlc.Begin(ref nw, BvlcFunction.OriginalBroadcastNpdu);
        Npdu.Encode(ref nw, new NpduHeader(MessageType: NetworkMessageType.WhoIsRouterToNetwork,
            Destination: NetworkAddress.GlobalBroadcast));
        Bvlc.Complete(ref nw, start);
        seeds.Add(net[..nw.Position]);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(true),
            req(ConfirmedService.AtomicWriteFile) with { Segmented = true, MoreFollows = true, SequenceNumber = 0, WindowSize = 16 },
            new AtomicWriteFileRequest(ObjectId.File(4), 0, [.. new byte[300]]).Encode);
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false), ApduHeader.SimpleAck(1, ConfirmedService.WriteProperty),
            static (ref BacnetWriter _) => { });
        Add(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false), ApduHeader.Reject(1, RejectReason.UnrecognizedService),
            static (ref BacnetWriter _) => { });
        Add(BvlcFunction.DistributeBroadcastToNetwork, NpduHeader.GlobalBroadcast, ApduHeader.Unconfirmed(UnconfirmedService.WhoIs),
            new WhoIs().Encode);
        var bvlc = new byte[6];
        Bvlc.EncodeResult(bvlc, BvlcResultCode.Successful);
        seeds.Add([.. bvlc]);
        Bvlc.EncodeRegisterForeignDevice(bvlc, 300);
        seeds.Add([.. bvlc]);
        seeds.AddRange(Captured.Select(FromCapture));
        return seeds;
    }

    internal static byte[] Mutate(byte[] seed, Random random)
    {
        var data = seed.ToList();
        var edits = random.Next(2) == 0 ? 1 : random.Next(2, 5);
        for (var e = 0; e < edits; e++)
        {
            switch (random.Next(6))
            {
                case 0 when data.Count > 0: data[random.Next(data.Count)] = (byte)random.Next(256); break;
                case 1 when data.Count > 0: data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8)); break;
                case 2 when data.Count > 0: data.RemoveRange(random.Next(data.Count), 1); break;
                case 3: data.Insert(random.Next(data.Count + 1), (byte)random.Next(256)); break;
                case 4 when data.Count > 0: { var cut = random.Next(data.Count); data.RemoveRange(cut, data.Count - cut); break; }
                default: data.Insert(random.Next(data.Count + 1), (byte)(random.Next(2) == 0 ? 0xFF : 0xFE)); break;
            }
        }
        // keep BVLC length right, to reach the inner decoders
        if (data.Count >= 4 && random.Next(4) > 0) { data[2] = (byte)(data.Count >> 8); data[3] = (byte)data.Count; }
        return [.. data];
    }

    [Fact]
    public void AMillionRandomAndMutatedPacketsNeverThrowNorOverAllocate()
    {
        const int packets = 1_000_000;
        var random = new Random(20261123);
        var seeds = Seeds();
        Assert.All(seeds, seed => Assert.True(BacnetPacket.Decode(seed).Ok, Convert.ToHexString(seed)));  // valid encodings, mutated below
        using var device = new SimulatedDevice(new SimulatedDeviceSpec(1234, IPAddress.Parse("127.0.0.2")), BipEndpoint.DefaultPort);
        long decodedOk = 0, serviceOk = 0, worstAllocation = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < packets; i++)
        {
            var packet = i % 10 == 0 ? RandomBytes(random) : Mutate(seeds[random.Next(seeds.Count)], random);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var view = BacnetPacket.Decode(packet);
            if (view.Ok && view.Value.Apdu is { } apdu)
            {
                decodedOk++;
                var data = view.Value.ServiceData(packet);
                foreach (var decode in ServiceDecoders) if (decode(data).Ok) serviceOk++;
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                worstAllocation = Math.Max(worstAllocation, allocated);
                Assert.True(allocated < 64 * packet.Length + 16_384,
                    $"decoding {packet.Length} bytes allocated {allocated}: {Convert.ToHexString(packet)}");
                if (apdu.Type == ApduType.ConfirmedRequest) device.Handle((ConfirmedService)apdu.Service, data);
            }
        }
        watch.Stop();
        output.WriteLine(
            $"{packets} packets in {watch.Elapsed.TotalSeconds:F1} s: {decodedOk} decoded to an APDU, {serviceOk} service decodes " +
            $"succeeded, worst allocation {worstAllocation} bytes");
        Assert.True(decodedOk > packets / 5, "the mutations should mostly keep the outer layers decodable");
        Assert.True(serviceOk > packets / 20, "and often the service data too");
    }

    internal static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 64)];
        random.NextBytes(bytes);
        if (bytes.Length >= 4 && random.Next(2) == 0) { bytes[0] = 0x81; bytes[1] = 0x0A; bytes[2] = 0; bytes[3] = (byte)bytes.Length; }
        if (bytes.Length >= 6 && random.Next(2) == 0) { bytes[4] = 1; bytes[5] = 0; }
        return bytes;
    }

    [Theory]
    [InlineData("", DecodeFailure.Truncated)]
    [InlineData("810a", DecodeFailure.Truncated)]
    [InlineData("820a0006 0100", DecodeFailure.InvalidValue)]
    [InlineData("810a0007 0100", DecodeFailure.WrongLength)]
    [InlineData("810a0006 0100", DecodeFailure.Truncated)]
    [InlineData("810a0007 020010", DecodeFailure.InvalidValue)]
    [InlineData("810a0008 0120ffff", DecodeFailure.Truncated)]
    [InlineData("810a000e 0120ffff09010203040506070809", DecodeFailure.WrongLength)]
    [InlineData("810a0009 0100 800000", DecodeFailure.InvalidValue)]
    [InlineData("810a0008 0100 4001", DecodeFailure.WrongLength)]
    [InlineData("810a0008 01000001", DecodeFailure.Truncated)]
    [InlineData("810a05dd 0100", DecodeFailure.Oversized)]
    [InlineData("8101 0004", DecodeFailure.Unsupported)]
    public void BadPacketsGiveTypedFailures(string hex, DecodeFailure expected)
    {
        var result = BacnetPacket.Decode(Convert.FromHexString(hex.Replace(" ", "")));
        Assert.False(result.Ok);
        Assert.Equal(expected, result.Error!.Failure);
    }

    [Theory]
    [InlineData("0c020004d2", DecodeFailure.Truncated)]                  // RP without a property
    [InlineData("0c020004d2 19", DecodeFailure.Truncated)]               // property tag without content
    [InlineData("0b020004 194d", DecodeFailure.WrongLength)]             // 3-byte object id
    [InlineData("1c020004d2 194d", DecodeFailure.WrongTag)]              // object id with tag 1
    [InlineData("0c020004d2 1d05 0102030405", DecodeFailure.WrongLength)] // 5-byte property id
    [InlineData("0c020004d2 194d 00", DecodeFailure.TrailingData)]
    [InlineData("0c020004d2 1dff ffffffff", DecodeFailure.Truncated)]    // 4 GiB length announced
    public void BadReadPropertyRequests(string hex, DecodeFailure expected)
    {
        var result = ReadPropertyRequest.Decode(Convert.FromHexString(hex.Replace(" ", "")));
        Assert.False(result.Ok);
        Assert.Equal(expected, result.Error!.Failure);
    }

    [Fact]
    public void DeviceAnswersUndecodableRequestsWithReject()
    {
        using var device = new SimulatedDevice(new SimulatedDeviceSpec(1234, IPAddress.Parse("127.0.0.2")), BipEndpoint.DefaultPort);
        Assert.Equal(new ServiceResponse.Rejected(RejectReason.MissingRequiredParameter),
            device.Handle(ConfirmedService.ReadProperty, Convert.FromHexString("0c020004d2")));
        Assert.Equal(new ServiceResponse.Rejected(RejectReason.InvalidTag),
            device.Handle(ConfirmedService.ReadProperty, Convert.FromHexString("1c020004d2194d")));
        Assert.Equal(new ServiceResponse.Rejected(RejectReason.UnrecognizedService), device.Handle((ConfirmedService)99, []));
    }
}
