using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Link;

/// <summary>BVLC functions of BACnet/IP (Annex J.2).</summary>
public enum BvlcFunction : byte
{
    Result = 0x00, WriteBroadcastDistributionTable = 0x01, ReadBroadcastDistributionTable = 0x02,
    ReadBroadcastDistributionTableAck = 0x03, ForwardedNpdu = 0x04, RegisterForeignDevice = 0x05,
    ReadForeignDeviceTable = 0x06, ReadForeignDeviceTableAck = 0x07, DeleteForeignDeviceTableEntry = 0x08,
    DistributeBroadcastToNetwork = 0x09, OriginalUnicastNpdu = 0x0A, OriginalBroadcastNpdu = 0x0B, SecureBvll = 0x0C,
}

/// <summary>BVLC-Result codes (J.2.1.1).</summary>
public enum BvlcResultCode : ushort
{
    Successful = 0x0000, WriteBroadcastDistributionTableNak = 0x0010, ReadBroadcastDistributionTableNak = 0x0020,
    RegisterForeignDeviceNak = 0x0030, ReadForeignDeviceTableNak = 0x0040, DeleteForeignDeviceTableEntryNak = 0x0050,
    DistributeBroadcastToNetworkNak = 0x0060,
}

/// <summary>
/// One decoded BVLC frame. For the functions that carry an NPDU, <see cref="NpduOffset"/> and <see cref="NpduLength"/>
/// locate it in the datagram; a Forwarded-NPDU also names the original source.
/// </summary>
public readonly record struct BvlcFrame(
    BvlcFunction Function, int NpduOffset, int NpduLength, BipEndpoint? OriginalSource = null,
    BvlcResultCode ResultCode = BvlcResultCode.Successful, ushort TimeToLive = 0)
{
    public bool CarriesNpdu => Function is BvlcFunction.OriginalUnicastNpdu or BvlcFunction.OriginalBroadcastNpdu
        or BvlcFunction.ForwardedNpdu or BvlcFunction.DistributeBroadcastToNetwork;
}

/// <summary>Encodes and decodes BVLC headers (Annex J.2).</summary>
public static class Bvlc
{
    public const byte Type = 0x81;
    public const int HeaderLength = 4;
    /// <summary>The largest BVLC message on BACnet/IP: 1497 bytes (a 1476-byte APDU with the largest NPDU header).</summary>
    public const int MaxLength = 1497;

    /// <summary>
    /// Writes a BVLC header whose length field is patched by <see cref="Complete"/> once the NPDU is written.
    /// Returns the offset of the header.
    /// </summary>
    public static int Begin(ref BacnetWriter writer, BvlcFunction function, BipEndpoint? originalSource = null)
    {
        var start = writer.Position;
        writer.WriteByte(Type);
        writer.WriteByte((byte)function);
        writer.WriteUInt16(0);
        if (function == BvlcFunction.ForwardedNpdu)
        {
            var source = originalSource ?? throw new ArgumentException("a Forwarded-NPDU needs its original source",
                nameof(originalSource));
            writer.WriteBytes(source.ToMac());
        }
        return start;
    }

    public static void Complete(ref BacnetWriter writer, int start) => writer.PatchUInt16(start + 2, (ushort)(writer.Position - start));

    public static EncodeResult EncodeResult(Span<byte> buffer, BvlcResultCode code)
    {
        var w = new BacnetWriter(buffer);
        var start = Begin(ref w, BvlcFunction.Result);
        w.WriteUInt16((ushort)code);
        Complete(ref w, start);
        return w.Result;
    }

    public static EncodeResult EncodeRegisterForeignDevice(Span<byte> buffer, ushort timeToLiveSeconds)
    {
        var w = new BacnetWriter(buffer);
        var start = Begin(ref w, BvlcFunction.RegisterForeignDevice);
        w.WriteUInt16(timeToLiveSeconds);
        Complete(ref w, start);
        return w.Result;
    }

    public static Decoded<BvlcFrame> Decode(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < HeaderLength) return new DecodeError(DecodeFailure.Truncated, 0,
            $"a BVLC header needs 4 bytes, got {datagram.Length}");
        if (datagram[0] != Type) return new DecodeError(DecodeFailure.InvalidValue, 0,
            $"BVLC type 0x{datagram[0]:X2} is not BACnet/IP (0x81)");
        var function = (BvlcFunction)datagram[1];
        var length = datagram[2] << 8 | datagram[3];
        if (length > MaxLength) return new DecodeError(DecodeFailure.Oversized, 2, $"BVLC length {length} exceeds {MaxLength}");
        if (length != datagram.Length) return new DecodeError(DecodeFailure.WrongLength, 2,
            $"BVLC length {length} but the datagram has {datagram.Length} bytes");
        switch (function)
        {
            case BvlcFunction.Result:
                if (length != 6) return new DecodeError(DecodeFailure.WrongLength, 2, $"BVLC-Result of {length} bytes (must be 6)");
                return new BvlcFrame(function, 0, 0, ResultCode: (BvlcResultCode)(datagram[4] << 8 | datagram[5]));
            case BvlcFunction.RegisterForeignDevice:
                if (length != 6) return new DecodeError(DecodeFailure.WrongLength, 2,
                    $"Register-Foreign-Device of {length} bytes (must be 6)");
                return new BvlcFrame(function, 0, 0, TimeToLive: (ushort)(datagram[4] << 8 | datagram[5]));
            case BvlcFunction.ForwardedNpdu:
                if (length < 10 + 2) return new DecodeError(DecodeFailure.Truncated, 4,
                    "Forwarded-NPDU without an original source and NPDU");
                return new BvlcFrame(function, 10, length - 10, BipEndpoint.FromMac(datagram.Slice(4, 6)));
            case BvlcFunction.OriginalUnicastNpdu or BvlcFunction.OriginalBroadcastNpdu or BvlcFunction.DistributeBroadcastToNetwork:
                if (length < 4 + 2) return new DecodeError(DecodeFailure.Truncated, 4, "BVLC without an NPDU");
                return new BvlcFrame(function, 4, length - 4);
            case <= BvlcFunction.SecureBvll:
                return new DecodeError(DecodeFailure.Unsupported, 1, $"BVLC function {function} is for BBMDs, not handled here");
            default:
                return new DecodeError(DecodeFailure.InvalidValue, 1, $"unknown BVLC function 0x{(byte)function:X2}");
        }
    }
}
