using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Application;

public enum ApduType : byte
{
    ConfirmedRequest = 0, UnconfirmedRequest = 1, SimpleAck = 2, ComplexAck = 3, SegmentAck = 4, Error = 5, Reject = 6, Abort = 7,
}

/// <summary>
/// The fixed part of an APDU (clause 20.1). Which fields mean something depends on <see cref="Type"/>:
/// <see cref="Service"/> for requests and ACKs/errors, <see cref="Reason"/> for reject/abort, the segmentation fields
/// for confirmed requests, complex ACKs and segment ACKs. <see cref="DataOffset"/> is where the service data begins.
/// </summary>
public readonly record struct ApduHeader(
    ApduType Type,
    byte InvokeId = 0,
    byte Service = 0,
    bool Segmented = false,
    bool MoreFollows = false,
    bool SegmentedResponseAccepted = false,
    byte MaxSegmentsCode = 0,
    byte MaxApduCode = 5,
    byte SequenceNumber = 0,
    byte WindowSize = 0,
    bool NegativeAck = false,
    bool FromServer = false,
    byte Reason = 0,
    int DataOffset = 0)
{
    public static ApduHeader ConfirmedRequest(byte invokeId, ConfirmedService service, int maxApdu = Apdu.MaxApduLength,
        bool segmentedResponseAccepted = true, int maxSegments = 64) =>
        new(ApduType.ConfirmedRequest, invokeId, (byte)service, SegmentedResponseAccepted: segmentedResponseAccepted,
            MaxSegmentsCode: Apdu.MaxSegmentsCode(maxSegments), MaxApduCode: Apdu.MaxApduCode(maxApdu));

    public static ApduHeader Unconfirmed(UnconfirmedService service) => new(ApduType.UnconfirmedRequest, Service: (byte)service);
    public static ApduHeader SimpleAck(byte invokeId, ConfirmedService service) => new(ApduType.SimpleAck, invokeId, (byte)service);
    public static ApduHeader ComplexAck(byte invokeId, ConfirmedService service) => new(ApduType.ComplexAck, invokeId, (byte)service);
    public static ApduHeader Error(byte invokeId, ConfirmedService service) => new(ApduType.Error, invokeId, (byte)service);
    public static ApduHeader Reject(byte invokeId, RejectReason reason) => new(ApduType.Reject, invokeId, Reason: (byte)reason);
    public static ApduHeader Abort(byte invokeId, AbortReason reason, bool fromServer) =>
        new(ApduType.Abort, invokeId, Reason: (byte)reason, FromServer: fromServer);
    public static ApduHeader SegmentAck(byte invokeId, byte sequence, byte window, bool negative, bool fromServer) =>
        new(ApduType.SegmentAck, invokeId, SequenceNumber: sequence, WindowSize: window, NegativeAck: negative, FromServer: fromServer);

    public int MaxApduLength => Apdu.MaxApduFromCode(MaxApduCode);
    /// <summary>The number of segments the requester accepts in a response; null = unspecified.</summary>
    public int? MaxSegments => Apdu.MaxSegmentsFromCode(MaxSegmentsCode);
}

public static class Apdu
{
    /// <summary>The largest APDU on BACnet/IP.</summary>
    public const int MaxApduLength = 1476;

    // Header sizes (20.1.2, 20.1.5): what each APDU spends before its service data. A Max APDU limit (135 20.1.2.5) counts the
    // whole APDU, header included, and nothing of the NPDU or BVLC before it.
    /// <summary>Confirmed-Request header without segmentation: type/flags, max segs/APDU, invoke id, service choice.</summary>
    public const int ConfirmedRequestHeader = 4;
    /// <summary>Confirmed-Request header of a segment: adds sequence number and proposed window size.</summary>
    public const int SegmentedConfirmedRequestHeader = 6;
    /// <summary>ComplexACK header without segmentation: type/flags, invoke id, service choice.</summary>
    public const int ComplexAckHeader = 3;
    /// <summary>ComplexACK header of a segment: adds sequence number and proposed window size.</summary>
    public const int SegmentedComplexAckHeader = 5;

    /// <summary>The legal Max APDU lengths (20.1.2.5): 50, 128, 206, 480, 1024, 1476.</summary>
    public static ReadOnlySpan<int> LegalMaxApduLengths => ApduLengths;

    private static readonly int[] ApduLengths = [50, 128, 206, 480, 1024, 1476];

    public static byte MaxApduCode(int length)
    {
        for (var i = ApduLengths.Length - 1; i >= 0; i--) if (length >= ApduLengths[i]) return (byte)i;
        return 0;
    }

    /// <summary>The length for a max-APDU code; reserved codes (6..15) count as the smallest, 50.</summary>
    public static int MaxApduFromCode(byte code) => code < ApduLengths.Length ? ApduLengths[code] : 50;

    public static byte MaxSegmentsCode(int segments) => segments switch
    {
        <= 0 => 0,
        < 4 => 1,
        < 8 => 2,
        < 16 => 3,
        < 32 => 4,
        < 64 => 5,
        64 => 6,
        _ => 7,
    };

    public static int? MaxSegmentsFromCode(byte code) => code switch { 0 => null, 7 => 255, _ => 1 << code };

    public static void EncodeHeader(ref BacnetWriter w, in ApduHeader h)
    {
        var first = (byte)((byte)h.Type << 4);
        switch (h.Type)
        {
            case ApduType.ConfirmedRequest:
                if (h.Segmented) first |= 0x08;
                if (h.MoreFollows) first |= 0x04;
                if (h.SegmentedResponseAccepted) first |= 0x02;
                w.WriteByte(first);
                w.WriteByte((byte)((h.MaxSegmentsCode & 7) << 4 | (h.MaxApduCode & 0x0F)));
                w.WriteByte(h.InvokeId);
                if (h.Segmented) { w.WriteByte(h.SequenceNumber); w.WriteByte(h.WindowSize); }
                w.WriteByte(h.Service);
                break;
            case ApduType.UnconfirmedRequest:
                w.WriteByte(first); w.WriteByte(h.Service);
                break;
            case ApduType.SimpleAck or ApduType.Error:
                w.WriteByte(first); w.WriteByte(h.InvokeId); w.WriteByte(h.Service);
                break;
            case ApduType.ComplexAck:
                if (h.Segmented) first |= 0x08;
                if (h.MoreFollows) first |= 0x04;
                w.WriteByte(first);
                w.WriteByte(h.InvokeId);
                if (h.Segmented) { w.WriteByte(h.SequenceNumber); w.WriteByte(h.WindowSize); }
                w.WriteByte(h.Service);
                break;
            case ApduType.SegmentAck:
                if (h.NegativeAck) first |= 0x02;
                if (h.FromServer) first |= 0x01;
                w.WriteByte(first); w.WriteByte(h.InvokeId); w.WriteByte(h.SequenceNumber); w.WriteByte(h.WindowSize);
                break;
            case ApduType.Reject:
                w.WriteByte(first); w.WriteByte(h.InvokeId); w.WriteByte(h.Reason);
                break;
            case ApduType.Abort:
                if (h.FromServer) first |= 0x01;
                w.WriteByte(first); w.WriteByte(h.InvokeId); w.WriteByte(h.Reason);
                break;
        }
    }

    /// <summary>Encodes an Error PDU's content: error class and error code, both application-tagged enumerated.</summary>
    public static void EncodeErrorContent(ref BacnetWriter w, BacnetError error)
    {
        w.WriteEnumerated((byte)ApplicationTag.Enumerated, false, (uint)error.Class);
        w.WriteEnumerated((byte)ApplicationTag.Enumerated, false, (uint)error.Code);
    }

    public static Decoded<BacnetError> DecodeErrorContent(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var c = r.ReadEnumerated((byte)ApplicationTag.Enumerated, false, "error class");
        if (!c.Ok) return c.Error!;
        var code = r.ReadEnumerated((byte)ApplicationTag.Enumerated, false, "error code");
        if (!code.Ok) return code.Error!;
        if (r.ExpectEnd() is { } end) return end;
        return new BacnetError((ErrorClass)c.Value, (ErrorCode)code.Value);
    }

    /// <summary>Decodes the fixed part of an APDU. Flags a type does not define must be zero.</summary>
    public static Decoded<ApduHeader> Decode(ReadOnlySpan<byte> apdu)
    {
        if (apdu.Length < 1) return Fail(DecodeFailure.Truncated, 0, "empty APDU");
        var first = apdu[0];
        var type = (ApduType)(first >> 4);
        switch (type)
        {
            case ApduType.ConfirmedRequest:
                {
                    if ((first & 0x01) != 0) return Fail(DecodeFailure.InvalidValue, 0, "reserved bit set in a confirmed request");
                    var segmented = (first & 0x08) != 0;
                    var length = segmented ? 6 : 4;
                    if (apdu.Length < length) return Fail(DecodeFailure.Truncated, apdu.Length,
                        $"confirmed request header of {length} bytes");
                    if ((apdu[1] & 0x80) != 0) return Fail(DecodeFailure.InvalidValue, 1, "reserved bit set in max segments/APDU");
                    return new ApduHeader(type, apdu[2], apdu[length - 1], segmented, (first & 0x04) != 0, (first & 0x02) != 0,
                        (byte)(apdu[1] >> 4 & 7), (byte)(apdu[1] & 0x0F),
                        segmented ? apdu[3] : (byte)0, segmented ? apdu[4] : (byte)0, DataOffset: length);
                }
            case ApduType.UnconfirmedRequest:
                if ((first & 0x0F) != 0) return Fail(DecodeFailure.InvalidValue, 0, "flags set in an unconfirmed request");
                if (apdu.Length < 2) return Fail(DecodeFailure.Truncated, 1, "unconfirmed request without a service choice");
                return new ApduHeader(type, Service: apdu[1], DataOffset: 2);
            case ApduType.SimpleAck or ApduType.Error:
                if ((first & 0x0F) != 0) return Fail(DecodeFailure.InvalidValue, 0, $"flags set in {type}");
                if (apdu.Length < 3) return Fail(DecodeFailure.Truncated, apdu.Length, $"{type} header of 3 bytes");
                if (type == ApduType.SimpleAck && apdu.Length != 3) return Fail(DecodeFailure.TrailingData, 3, "SimpleACK with data");
                return new ApduHeader(type, apdu[1], apdu[2], DataOffset: 3);
            case ApduType.ComplexAck:
                {
                    if ((first & 0x03) != 0) return Fail(DecodeFailure.InvalidValue, 0, "reserved bits set in a ComplexACK");
                    var segmented = (first & 0x08) != 0;
                    var length = segmented ? 5 : 3;
                    if (apdu.Length < length) return Fail(DecodeFailure.Truncated, apdu.Length, $"ComplexACK header of {length} bytes");
                    return new ApduHeader(type, apdu[1], apdu[length - 1], segmented, (first & 0x04) != 0,
                        SequenceNumber: segmented ? apdu[2] : (byte)0, WindowSize: segmented ? apdu[3] : (byte)0, DataOffset: length);
                }
            case ApduType.SegmentAck:
                if ((first & 0x0C) != 0) return Fail(DecodeFailure.InvalidValue, 0, "reserved bits set in a SegmentACK");
                if (apdu.Length != 4) return Fail(DecodeFailure.WrongLength, 0, $"SegmentACK of {apdu.Length} bytes (must be 4)");
                return new ApduHeader(type, apdu[1], SequenceNumber: apdu[2], WindowSize: apdu[3],
                    NegativeAck: (first & 0x02) != 0, FromServer: (first & 0x01) != 0, DataOffset: 4);
            case ApduType.Reject or ApduType.Abort:
                if ((first & (type == ApduType.Abort ? 0x0E : 0x0F)) != 0) return Fail(DecodeFailure.InvalidValue, 0,
                    $"reserved bits set in {type}");
                if (apdu.Length != 3) return Fail(DecodeFailure.WrongLength, 0, $"{type} of {apdu.Length} bytes (must be 3)");
                return new ApduHeader(type, apdu[1], Reason: apdu[2], FromServer: (first & 0x01) != 0, DataOffset: 3);
            default:
                return Fail(DecodeFailure.InvalidValue, 0, $"APDU type {(byte)type}");
        }
    }

    private static DecodeError Fail(DecodeFailure failure, int offset, string detail) => new(failure, offset, detail);
}
