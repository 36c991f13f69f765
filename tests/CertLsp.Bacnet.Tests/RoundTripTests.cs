using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Encoding;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Network;
using CertLsp.Bacnet.Services;
using CsCheck;
using Xunit;
using static CertLsp.Bacnet.Tests.Generators;

namespace CertLsp.Bacnet.Tests;

/// <summary>Every encoder's output decodes to the value it encoded (property-based, CsCheck).</summary>
public class RoundTripTests
{
    private static void RoundTrip<T>(Gen<T> gen, Func<T, ContentEncoder> encode, ServiceDecoder<T> decode) =>
        gen.Sample(value =>
        {
            var bytes = BacnetPacket.ToBytes(encode(value));
            Assert.NotNull(bytes);
            var decoded = decode(bytes);
            Assert.True(decoded.Ok, decoded.ToString());
            Assert.Equal(value, decoded.Value);
        }, iter: 2000);

    [Fact]
    public void ApplicationValues() => RoundTrip(Values, v => (ref BacnetWriter w) =>
        { w.WriteOpening(3); foreach (var x in v) x.Encode(ref w); w.WriteClosing(3); },
        data =>
        {
            var r = new BacnetReader(data); var d = r.ReadEnclosedValues(3); return d.Ok
            ? (r.ExpectEnd() is { } e ? e : new Decoded<EquatableArray<BacnetValue>>(d.Value)) : d.Error!;
        });

    [Fact]
    public void WhoIs() => RoundTrip(Gen.OneOf(Gen.Const(new WhoIs()),
        Gen.Select(Gen.UInt[0, ObjectId.MaxInstance], Gen.UInt[0, ObjectId.MaxInstance], (a, b) => Services.WhoIs.Range(a, b))),
        v => v.Encode, Services.WhoIs.Decode);

    [Fact]
    public void IAm() => RoundTrip(Gen.Select(Gen.UInt[0, ObjectId.MaxInstance], Gen.UInt, Gen.UInt[0, 3], Gen.UShort,
        (i, m, s, v) => new IAm(ObjectId.Device(i), m, (Segmentation)s, v)), v => v.Encode, Services.IAm.Decode);

    [Fact]
    public void ReadPropertyRequest() => RoundTrip(Gen.Select(Generators.ObjectId, Property, OptionalIndex, (o, p, i) =>
        new ReadPropertyRequest(o, p, i)),
        v => v.Encode, Services.ReadPropertyRequest.Decode);

    [Fact]
    public void ReadPropertyAck() => RoundTrip(Gen.Select(Generators.ObjectId, Property, OptionalIndex, Values, (o, p, i, v) =>
        new ReadPropertyAck(o, p, i, v)),
        v => v.Encode, Services.ReadPropertyAck.Decode);

    [Fact]
    public void ReadPropertyMultipleRequest() => RoundTrip(Rpm, v => v.Encode, Services.ReadPropertyMultipleRequest.Decode);

    [Fact]
    public void ReadPropertyMultipleAck() => RoundTrip(RpmAck, v => v.Encode, Services.ReadPropertyMultipleAck.Decode);

    [Fact]
    public void WritePropertyRequest() => RoundTrip(Gen.Select(Generators.ObjectId, Property, Values, OptionalIndex, Gen.Byte[0, 16],
        (o, p, v, i, pr) => new WritePropertyRequest(o, p, v, i, pr == 0 ? null : pr)), v => v.Encode,
            Services.WritePropertyRequest.Decode);

    [Fact]
    public void AtomicReadFile()
    {
        RoundTrip(Gen.Select(Generators.ObjectId, Gen.Long, Gen.UInt, (f, s, c) => new AtomicReadFileRequest(f, s, c)), v => v.Encode,
            AtomicReadFileRequest.Decode);
        RoundTrip(Gen.Select(Gen.Bool, Gen.Long, Bytes, (e, s, d) => new AtomicReadFileAck(e, s, d)), v => v.Encode,
            AtomicReadFileAck.Decode);
    }

    [Fact]
    public void AtomicWriteFile()
    {
        RoundTrip(Gen.Select(Generators.ObjectId, Gen.Long, Bytes, (f, s, d) => new AtomicWriteFileRequest(f, s, d)), v => v.Encode,
            AtomicWriteFileRequest.Decode);
        RoundTrip(Gen.Long.Select(s => new AtomicWriteFileAck(s)), v => v.Encode, AtomicWriteFileAck.Decode);
    }

    [Fact]
    public void ReinitializeDevice() => RoundTrip(Gen.Select(Gen.UInt[0, 7], Gen.Bool, Gen.String[Gen.Char.AlphaNumeric, 0, 20],
        (s, has, p) => new ReinitializeDeviceRequest((ReinitializedState)s, has ? p : null)), v => v.Encode,
            ReinitializeDeviceRequest.Decode);

    private static readonly Gen<NetworkAddress> Address =
        Gen.Select(Gen.UShort[1, 0xFFFE], Gen.Byte.Array[1, 8], (n, m) => new NetworkAddress(n, m));

    [Fact]
    public void NpduHeaders() => Gen.Select(Gen.Bool, Gen.Byte[0, 3],
        Gen.OneOf(Address.Select(a => (NetworkAddress?)a), Gen.Const<NetworkAddress?>(NetworkAddress.GlobalBroadcast),
        Gen.Const(default(NetworkAddress?))),
            Gen.OneOf(Address.Select(a => (NetworkAddress?)a), Gen.Const(default(NetworkAddress?))), Gen.Byte, Gen.Int[-1, 255], Gen.UShort,
            (reply, prio, dest, src, hops, type, vendor) => new NpduHeader(reply, (NetworkPriority)prio, dest, src, dest is null
                ? (byte)255 : hops,
                type < 0 ? null : (NetworkMessageType)type, type >= 0x80 ? vendor : (ushort)0))
        .Sample(header =>
        {
            var buffer = new byte[64];
            var w = new BacnetWriter(buffer);
            Npdu.Encode(ref w, header);
            var length = w.Position;
            w.WriteByte(0x10);  // an APDU byte, so a header without a network message is complete
            var decoded = Npdu.Decode(buffer.AsSpan(0, w.Position));
            Assert.True(decoded.Ok, decoded.ToString());
            Assert.Equal(header with { PayloadOffset = length }, decoded.Value);
        }, iter: 5000);

    [Fact]
    public void ApduHeaders() => Gen.Select(Gen.Int[0, 7], Gen.Byte, Gen.Byte, Gen.Bool, Gen.Bool, Gen.Bool, Gen.Byte[0, 7],
        Gen.Byte[0, 15],
            (type, invoke, service, seg, more, sa, maxSeg, maxApdu) => (type, invoke, service, seg, more, sa, maxSeg, maxApdu))
        .Select(Gen.Byte, Gen.Byte, Gen.Bool, (t, seq, win, flag) => (ApduType)t.type switch
        {
            ApduType.ConfirmedRequest => new ApduHeader(ApduType.ConfirmedRequest, t.invoke, t.service, t.seg, t.seg && t.more, t.sa,
                t.maxSeg, t.maxApdu,
                t.seg ? seq : (byte)0, t.seg ? win : (byte)0),
            ApduType.UnconfirmedRequest => ApduHeader.Unconfirmed((UnconfirmedService)t.service),
            ApduType.SimpleAck => ApduHeader.SimpleAck(t.invoke, (ConfirmedService)t.service),
            ApduType.ComplexAck => new ApduHeader(ApduType.ComplexAck, t.invoke, t.service, t.seg, t.seg && t.more,
                SequenceNumber: t.seg ? seq : (byte)0, WindowSize: t.seg ? win : (byte)0),
            ApduType.SegmentAck => ApduHeader.SegmentAck(t.invoke, seq, win, flag, t.sa),
            ApduType.Error => ApduHeader.Error(t.invoke, (ConfirmedService)t.service),
            ApduType.Reject => ApduHeader.Reject(t.invoke, (RejectReason)t.service),
            _ => ApduHeader.Abort(t.invoke, (AbortReason)t.service, flag),
        })
        .Sample(header =>
        {
            var buffer = new byte[16];
            var w = new BacnetWriter(buffer);
            Apdu.EncodeHeader(ref w, header);
            var decoded = Apdu.Decode(buffer.AsSpan(0, w.Position));
            Assert.True(decoded.Ok, decoded.ToString());
            Assert.Equal(header with { DataOffset = w.Position }, decoded.Value);
        }, iter: 5000);

    [Fact]
    public void BvlcFrames() => Gen.Select(Gen.UInt, Gen.UShort, Gen.Byte.Array[2, 100], Gen.Int[0, 3], (ip, port, npdu, kind) =>
        (ip, port, npdu, kind))
        .Sample(t =>
        {
            var function = t.kind switch
            {
                0 => BvlcFunction.OriginalUnicastNpdu,
                1 => BvlcFunction.OriginalBroadcastNpdu,
                2 =>
                BvlcFunction.DistributeBroadcastToNetwork,
                _ => BvlcFunction.ForwardedNpdu
            };
            var buffer = new byte[200];
            var w = new BacnetWriter(buffer);
            var source = new BipEndpoint(t.ip, t.port);
            var start = Bvlc.Begin(ref w, function, source);
            w.WriteBytes(t.npdu);
            Bvlc.Complete(ref w, start);
            var frame = Bvlc.Decode(buffer.AsSpan(0, w.Position));
            Assert.True(frame.Ok, frame.ToString());
            Assert.Equal(function, frame.Value.Function);
            Assert.Equal(t.npdu, buffer.AsSpan(frame.Value.NpduOffset, frame.Value.NpduLength).ToArray());
            Assert.Equal(function == BvlcFunction.ForwardedNpdu ? source : null, frame.Value.OriginalSource);
        });

    [Fact]
    public void BvlcResultAndRegistration() => Gen.UShort.Sample(v =>
    {
        var buffer = new byte[6];
        Assert.True(Bvlc.EncodeResult(buffer, (BvlcResultCode)v).Ok);
        Assert.Equal((BvlcResultCode)v, Bvlc.Decode(buffer).Value.ResultCode);
        Assert.True(Bvlc.EncodeRegisterForeignDevice(buffer, v).Ok);
        Assert.Equal(v, Bvlc.Decode(buffer).Value.TimeToLive);
    });

    [Fact]
    public void WriterReportsOverflowInsteadOfThrowing()
    {
        var buffer = new byte[10];
        var w = new BacnetWriter(buffer);
        w.WriteCharacterString(7, false, new string('x', 50));
        Assert.True(w.Result.Overflowed);
    }
}
