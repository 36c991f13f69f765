using System.Collections.Immutable;
using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Services;

/// <summary>AtomicWriteFile-Request with stream access (15.2.1.1). A start of -1 appends.</summary>
public sealed record AtomicWriteFileRequest(ObjectId File, long Start, ImmutableArray<byte> Data) : IConfirmedRequest
{
    public ConfirmedService Service => ConfirmedService.AtomicWriteFile;

    public bool Equals(AtomicWriteFileRequest? other) =>
        other is not null && File == other.File && Start == other.Start && Data.AsSpan().SequenceEqual(other.Data.AsSpan());
    public override int GetHashCode() => HashCode.Combine(File, Start, Data.Length);

    public void Encode(ref BacnetWriter writer)
    {
        writer.WriteObjectId((byte)ApplicationTag.ObjectIdentifier, false, File);
        writer.WriteOpening(0);
        writer.WriteSigned((byte)ApplicationTag.Signed, false, Start);
        writer.WriteOctetString((byte)ApplicationTag.OctetString, false, Data.AsSpan());
        writer.WriteClosing(0);
    }

    public static Decoded<AtomicWriteFileRequest> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var file = r.ReadObjectId((byte)ApplicationTag.ObjectIdentifier, false, "file identifier");
        if (!file.Ok) return file.Error!;
        if (r.NextIsOpening(1)) return new DecodeError(DecodeFailure.Unsupported, r.Position, "record access");
        if (r.ReadOpening(0) is { } open) return open;
        var start = r.ReadSigned((byte)ApplicationTag.Signed, false, "file start position");
        if (!start.Ok) return start.Error!;
        var bytes = r.ReadOctetString((byte)ApplicationTag.OctetString, false, "file data");
        if (!bytes.Ok) return bytes.Error!;
        if (r.ReadClosing(0) is { } close) return close;
        if (r.ExpectEnd() is { } end) return end;
        return new AtomicWriteFileRequest(file.Value, start.Value, bytes.Value);
    }
}

/// <summary>AtomicWriteFile-ACK with stream access (15.2.1.2): where the data was written.</summary>
public sealed record AtomicWriteFileAck(long Start) : IComplexAck
{
    public void Encode(ref BacnetWriter writer) => writer.WriteSigned(0, true, Start);

    public static Decoded<AtomicWriteFileAck> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        if (r.NextIsContext(1)) return new DecodeError(DecodeFailure.Unsupported, 0, "record access");
        var start = r.ReadSigned(0, true, "file start position");
        if (!start.Ok) return start.Error!;
        if (r.ExpectEnd() is { } end) return end;
        return new AtomicWriteFileAck(start.Value);
    }
}
