using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Encoding;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Network;
using CertLsp.Bacnet.Services;
using Xunit;

namespace CertLsp.Bacnet.Tests;

/// <summary>Byte-exact encode and decode of every captured vector in shared/research/bacnet.md (decoded cleanly by Wireshark).</summary>
public class CapturedVectorTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    private static byte[] Packet(BvlcFunction function, NpduHeader npdu, ApduHeader apdu, ContentEncoder content)
    {
        var buffer = new byte[BacnetPacket.MaxDatagram];
        var result = BacnetPacket.Encode(buffer, function, npdu, apdu, content);
        Assert.True(result.Ok);
        return buffer[..result.Length];
    }

    private static (PacketView View, byte[] Data) Decode(string hex)
    {
        var bytes = Hex(hex);
        var view = BacnetPacket.Decode(bytes);
        Assert.True(view.Ok, view.ToString());
        return (view.Value, bytes);
    }

    [Fact]
    public void WhoIsGlobal()
    {
        const string hex = "810b000c 0120ffff00ff 1008";
        Assert.Equal(Hex(hex), Packet(BvlcFunction.OriginalBroadcastNpdu, NpduHeader.GlobalBroadcast,
            ApduHeader.Unconfirmed(UnconfirmedService.WhoIs), new WhoIs().Encode));
        var (view, data) = Decode(hex);
        Assert.Equal(NetworkAddress.GlobalBroadcast, view.Npdu.Destination);
        Assert.Equal(255, view.Npdu.HopCount);
        Assert.Equal(new WhoIs(), WhoIs.Decode(view.ServiceData(data)).Value);
    }

    [Fact]
    public void WhoIsRange()
    {
        const string hex = "810b0012 0120ffff00ff 1008 0a04d2 1a04d2";
        Assert.Equal(Hex(hex), Packet(BvlcFunction.OriginalBroadcastNpdu, NpduHeader.GlobalBroadcast,
            ApduHeader.Unconfirmed(UnconfirmedService.WhoIs), WhoIs.Range(1234, 1234).Encode));
        var (view, data) = Decode(hex);
        Assert.Equal(WhoIs.Range(1234, 1234), WhoIs.Decode(view.ServiceData(data)).Value);
    }

    [Fact]
    public void IAm()
    {
        const string hex = "810a0015 0100 1000 c4020004d2 2205c4 9103 220104";
        var iAm = new IAm(ObjectId.Device(1234), 1476, Segmentation.None, 260);
        Assert.Equal(Hex(hex), Packet(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false),
            ApduHeader.Unconfirmed(UnconfirmedService.IAm), iAm.Encode));
        var (view, data) = Decode(hex);
        Assert.Equal(iAm, Services.IAm.Decode(view.ServiceData(data)).Value);
    }

    [Fact]
    public void ReadPropertyRequest()
    {
        const string hex = "810a0011 0104 0005010c 0c020004d2 194d";
        var request = new ReadPropertyRequest(ObjectId.Device(1234), PropertyIdentifier.ObjectName);
        var header = ApduHeader.ConfirmedRequest(1, ConfirmedService.ReadProperty, 1476, segmentedResponseAccepted: false, maxSegments: 0);
        Assert.Equal(Hex(hex), Packet(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(true), header, request.Encode));
        var (view, data) = Decode(hex);
        Assert.True(view.Npdu.ExpectingReply);
        Assert.Equal(header with { DataOffset = 4 }, view.Apdu);
        Assert.Equal(request, Services.ReadPropertyRequest.Decode(view.ServiceData(data)).Value);
    }

    [Fact]
    public void ReadPropertyAck()
    {
        const string hex = "810a0022 0100 30010c 0c020004d2 194d 3e 750e00 53696d44657669636531323334 3f";
        var ack = new ReadPropertyAck(ObjectId.Device(1234), PropertyIdentifier.ObjectName, null,
            new[] { BacnetValue.From("SimDevice1234") });
        Assert.Equal(Hex(hex), Packet(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false),
            ApduHeader.ComplexAck(1, ConfirmedService.ReadProperty), ack.Encode));
        var (view, data) = Decode(hex);
        Assert.Equal(ack, Services.ReadPropertyAck.Decode(view.ServiceData(data)).Value);
    }

    [Fact]
    public void ErrorUnknownProperty()
    {
        const string hex = "810a000d 0100 50010c 9102 9120";
        var error = new BacnetError(ErrorClass.Property, ErrorCode.UnknownProperty);
        Assert.Equal(Hex(hex), Packet(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false),
            ApduHeader.Error(1, ConfirmedService.ReadProperty),
            (ref BacnetWriter w) => Apdu.EncodeErrorContent(ref w, error)));
        var (view, data) = Decode(hex);
        Assert.Equal(ApduType.Error, view.Apdu!.Value.Type);
        Assert.Equal(error, Apdu.DecodeErrorContent(view.ServiceData(data)).Value);
    }

    [Fact]
    public void AtomicReadFileRequest()
    {
        const string hex = "810a0016 0104 0005 01 06 c402800001 0e 3100 220584 0f";
        var request = new AtomicReadFileRequest(ObjectId.File(1), 0, 1412);
        var header = ApduHeader.ConfirmedRequest(1, ConfirmedService.AtomicReadFile, 1476, segmentedResponseAccepted: false,
            maxSegments: 0);
        Assert.Equal(Hex(hex), Packet(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(true), header, request.Encode));
        var (view, data) = Decode(hex);
        Assert.Equal(request, Services.AtomicReadFileRequest.Decode(view.ServiceData(data)).Value);
    }

    [Fact]
    public void AtomicWriteFileAck()
    {
        const string hex = "810a000b 0100 300107 0900";
        Assert.Equal(Hex(hex), Packet(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false),
            ApduHeader.ComplexAck(1, ConfirmedService.AtomicWriteFile), new AtomicWriteFileAck(0).Encode));
        var (view, data) = Decode(hex);
        Assert.Equal(new AtomicWriteFileAck(0), Services.AtomicWriteFileAck.Decode(view.ServiceData(data)).Value);
    }

    [Fact]
    public void ReadPropertyMultipleRequest()
    {
        // The vector starts with the service choice (14) followed by the service data.
        const string hex = "0e 0c020004d2 1e 094d 0979 0946 0a0174 1f 0c0e000001 1e 0a01ab 0a01a7 1f";
        var request = new ReadPropertyMultipleRequest(new[]
        {
            new ReadAccessSpecification(ObjectId.Device(1234), new PropertyReference[]
            {
                new(PropertyIdentifier.ObjectName), new(PropertyIdentifier.VendorName), new(PropertyIdentifier.ModelName),
                    new(PropertyIdentifier.SerialNumber),
            }),
            new ReadAccessSpecification(ObjectId.NetworkPort(1),
                new PropertyReference[] { new(PropertyIdentifier.NetworkType), new(PropertyIdentifier.MacAddress) }),
        });
        var bytes = Hex(hex);
        Assert.Equal((byte)ConfirmedService.ReadPropertyMultiple, bytes[0]);
        Assert.Equal(bytes[1..], BacnetPacket.ToBytes(request.Encode));
        Assert.Equal(request, Services.ReadPropertyMultipleRequest.Decode(bytes.AsSpan(1)).Value);
    }

    [Fact]
    public void WritePropertySimpleAck()
    {
        const string hex = "20010f";
        var w = new byte[3];
        var writer = new BacnetWriter(w);
        Apdu.EncodeHeader(ref writer, ApduHeader.SimpleAck(1, ConfirmedService.WriteProperty));
        Assert.Equal(Hex(hex), w);
        var h = Apdu.Decode(Hex(hex));
        Assert.Equal(ApduType.SimpleAck, h.Value.Type);
        Assert.Equal((byte)ConfirmedService.WriteProperty, h.Value.Service);
    }

    [Fact]
    public void PropertyIdsAbove4194303TakeThreeContentBytes()
    {
        // SC_Primary_Hub_URI (4194325) as context tag 1 = 1B 40 00 15.
        var request = new ReadPropertyRequest(ObjectId.NetworkPort(1), PropertyIdentifier.ScPrimaryHubUri);
        var bytes = BacnetPacket.ToBytes(request.Encode)!;
        Assert.Equal(Hex("0c0e000001 1b400015"), bytes);
        Assert.Equal(PropertyIdentifier.ScPrimaryHubUri, Services.ReadPropertyRequest.Decode(bytes).Value.Property);
        var operational = BacnetPacket.ToBytes(new ReadPropertyRequest(ObjectId.NetworkPort(1),
            PropertyIdentifier.OperationalCertificateFile).Encode)!;
        Assert.Equal(Hex("0c0e000001 1b400002"), operational);
    }
}
