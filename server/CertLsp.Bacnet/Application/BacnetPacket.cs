using CertLsp.Bacnet.Encoding;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Network;

namespace CertLsp.Bacnet.Application;

/// <summary>Writes service data or other content into a writer.</summary>
public delegate void ContentEncoder(ref BacnetWriter writer);

/// <summary>
/// A decoded datagram: BVLC, NPDU and (unless it carries a network layer message) the APDU header. Offsets are
/// relative to the datagram, so the view costs no copies.
/// </summary>
public readonly record struct PacketView(BvlcFrame Bvlc, NpduHeader Npdu, ApduHeader? Apdu, int ServiceDataOffset, int ServiceDataLength)
{
    public ReadOnlySpan<byte> ServiceData(ReadOnlySpan<byte> datagram) => datagram.Slice(ServiceDataOffset, ServiceDataLength);
}

/// <summary>Whole BACnet/IP datagrams: BVLC + NPDU + APDU.</summary>
public static class BacnetPacket
{
    /// <summary>Buffer size that holds any BACnet/IP datagram.</summary>
    public const int MaxDatagram = Bvlc.MaxLength;

    public static EncodeResult Encode(Span<byte> buffer, BvlcFunction function, in NpduHeader npdu, in ApduHeader apdu,
        scoped ReadOnlySpan<byte> serviceData)
    {
        var w = new BacnetWriter(buffer);
        var start = Bvlc.Begin(ref w, function);
        Npdu.Encode(ref w, npdu);
        Apdu.EncodeHeader(ref w, apdu);
        w.WriteBytes(serviceData);
        Bvlc.Complete(ref w, start);
        if (w.Position > Bvlc.MaxLength) return EncodeResult.Overflow(Bvlc.MaxLength);
        return w.Result;
    }

    public static EncodeResult Encode(Span<byte> buffer, BvlcFunction function, in NpduHeader npdu, in ApduHeader apdu,
        ContentEncoder content,
        BipEndpoint? originalSource = null)
    {
        var w = new BacnetWriter(buffer);
        var start = Bvlc.Begin(ref w, function, originalSource);
        Npdu.Encode(ref w, npdu);
        Apdu.EncodeHeader(ref w, apdu);
        content(ref w);
        Bvlc.Complete(ref w, start);
        if (w.Position > Bvlc.MaxLength) return EncodeResult.Overflow(Bvlc.MaxLength);
        return w.Result;
    }

    /// <summary>Encodes content into a new array, growing the buffer up to <paramref name="limit"/> bytes.</summary>
    public static byte[]? ToBytes(ContentEncoder content, int limit = 1 << 20)
    {
        for (var size = 2048; size <= limit; size *= 4)
        {
            var buffer = new byte[size];
            var w = new BacnetWriter(buffer);
            content(ref w);
            if (!w.Overflowed) return w.Written.ToArray();
        }
        return null;
    }

    public static Decoded<PacketView> Decode(ReadOnlySpan<byte> datagram)
    {
        var bvlc = Bvlc.Decode(datagram);
        if (!bvlc.Ok) return bvlc.Error!;
        var frame = bvlc.Value;
        if (!frame.CarriesNpdu) return new PacketView(frame, default, null, 0, 0);
        return DecodeAt(datagram, frame, frame.NpduOffset);
    }

    /// <summary>
    /// Decodes an NPDU as a datalink delivers it (no BVLC): the NPDU header and, unless it carries a network layer message, the
    /// APDU header. Offsets are relative to <paramref name="npdu"/>; the view's BVLC frame is the default one.
    /// </summary>
    public static Decoded<PacketView> DecodeNpdu(ReadOnlySpan<byte> npdu) => DecodeAt(npdu, default, 0);

    private static Decoded<PacketView> DecodeAt(ReadOnlySpan<byte> datagram, BvlcFrame frame, int npduOffset)
    {
        var npdu = Npdu.Decode(datagram[npduOffset..]);
        if (!npdu.Ok) return Shift(npdu.Error!, npduOffset);
        var apduOffset = npduOffset + npdu.Value.PayloadOffset;
        if (npdu.Value.IsNetworkMessage)
            return new PacketView(frame, npdu.Value, null, apduOffset, datagram.Length - apduOffset);
        var apdu = Apdu.Decode(datagram[apduOffset..]);
        if (!apdu.Ok) return Shift(apdu.Error!, apduOffset);
        var dataOffset = apduOffset + apdu.Value.DataOffset;
        return new PacketView(frame, npdu.Value, apdu.Value, dataOffset, datagram.Length - dataOffset);
    }

    /// <summary>Encodes an NPDU (no BVLC) for a datalink: NPDU header, APDU header, content. Never larger than
    /// <paramref name="maxLength"/>.</summary>
    public static EncodeResult EncodeNpdu(Span<byte> buffer, in NpduHeader npdu, in ApduHeader apdu, ContentEncoder content,
        int maxLength = Bvlc.MaxLength - Bvlc.HeaderLength)
    {
        var w = new BacnetWriter(buffer);
        Npdu.Encode(ref w, npdu);
        Apdu.EncodeHeader(ref w, apdu);
        content(ref w);
        if (w.Position > maxLength) return EncodeResult.Overflow(maxLength);
        return w.Result;
    }

    /// <summary><see cref="EncodeNpdu(Span{byte}, in NpduHeader, in ApduHeader, ContentEncoder, int)"/> with service data.</summary>
    public static EncodeResult EncodeNpdu(Span<byte> buffer, in NpduHeader npdu, in ApduHeader apdu, scoped ReadOnlySpan<byte> serviceData,
        int maxLength = Bvlc.MaxLength - Bvlc.HeaderLength)
    {
        var w = new BacnetWriter(buffer);
        Npdu.Encode(ref w, npdu);
        Apdu.EncodeHeader(ref w, apdu);
        w.WriteBytes(serviceData);
        if (w.Position > maxLength) return EncodeResult.Overflow(maxLength);
        return w.Result;
    }

    private static DecodeError Shift(DecodeError error, int by) => error with { Offset = error.Offset + by };
}
