using System.Collections.Immutable;
using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Services;

/// <summary>AtomicReadFile-Request with stream access (15.1.1.1): up to <see cref="Count"/> octets from <see cref="Start"/>.</summary>
public sealed record AtomicReadFileRequest(ObjectId File, long Start, uint Count) : IConfirmedRequest
{
    public ConfirmedService Service => ConfirmedService.AtomicReadFile;

    public void Encode(ref BacnetWriter writer)
    {
        writer.WriteObjectId((byte)ApplicationTag.ObjectIdentifier, false, File);
        writer.WriteOpening(0);
        writer.WriteSigned((byte)ApplicationTag.Signed, false, Start);
        writer.WriteUnsigned((byte)ApplicationTag.Unsigned, false, Count);
        writer.WriteClosing(0);
    }

    public static Decoded<AtomicReadFileRequest> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var file = r.ReadObjectId((byte)ApplicationTag.ObjectIdentifier, false, "file identifier");
        if (!file.Ok) return file.Error!;
        if (r.NextIsOpening(1)) return new DecodeError(DecodeFailure.Unsupported, r.Position, "record access");
        if (r.ReadOpening(0) is { } open) return open;
        var start = r.ReadSigned((byte)ApplicationTag.Signed, false, "file start position");
        if (!start.Ok) return start.Error!;
        var count = r.ReadUnsigned32((byte)ApplicationTag.Unsigned, false, "requested octet count");
        if (!count.Ok) return count.Error!;
        if (r.ReadClosing(0) is { } close) return close;
        if (r.ExpectEnd() is { } end) return end;
        return new AtomicReadFileRequest(file.Value, start.Value, count.Value);
    }
}

/// <summary>AtomicReadFile-ACK with stream access (15.1.1.2).</summary>
public sealed record AtomicReadFileAck(bool EndOfFile, long Start, ImmutableArray<byte> Data) : IComplexAck
{
    public bool Equals(AtomicReadFileAck? other) =>
        other is not null && EndOfFile == other.EndOfFile && Start == other.Start && Data.AsSpan().SequenceEqual(other.Data.AsSpan());
    public override int GetHashCode() => HashCode.Combine(EndOfFile, Start, Data.Length);

    public void Encode(ref BacnetWriter writer)
    {
        writer.WriteBoolean((byte)ApplicationTag.Boolean, false, EndOfFile);
        StreamAccessData.Encode(ref writer, Start, Data);
    }

    /// <summary>
    /// The most octets an unsegmented ACK of a read from <paramref name="start"/> can carry within <paramref name="maxApdu"/>: the
    /// ComplexACK header (3), end-of-file (1), the stream access block's tags and start position and the octet string's tag are
    /// what it spends besides the data. The requested octet count that keeps the answer within one APDU.
    /// </summary>
    public static int MaxDataLength(long start, int maxApdu) =>
        StreamAccessData.MaxData(maxApdu, Apdu.ComplexAckHeader, (ref BacnetWriter w) =>
            new AtomicReadFileAck(false, start, []).Encode(ref w));

    public static Decoded<AtomicReadFileAck> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var eof = r.ReadBoolean((byte)ApplicationTag.Boolean, false, "end of file");
        if (!eof.Ok) return eof.Error!;
        var block = StreamAccessData.DecodeToEnd(ref r);
        if (!block.Ok) return block.Error!;
        return new AtomicReadFileAck(eof.Value, block.Value.Start, block.Value.Data);
    }
}
