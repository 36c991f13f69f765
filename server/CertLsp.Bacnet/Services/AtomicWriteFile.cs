using System.Collections.Immutable;
using CertLsp.Bacnet.Application;
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
        StreamAccessData.Encode(ref writer, Start, Data);
    }

    /// <summary>
    /// The most octets one unsegmented request writing <paramref name="file"/> at <paramref name="start"/> can carry to a device that
    /// accepts APDUs of <paramref name="maxApdu"/> octets: the Confirmed-Request header (4), the file identifier (5), the stream
    /// access block's tags and start position, and the octet string's tag are what the APDU spends besides the data.
    /// </summary>
    public static int MaxDataLength(ObjectId file, long start, int maxApdu) =>
        StreamAccessData.MaxData(maxApdu, Apdu.ConfirmedRequestHeader, (ref BacnetWriter w) =>
            new AtomicWriteFileRequest(file, start, []).Encode(ref w));

    public static Decoded<AtomicWriteFileRequest> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var file = r.ReadObjectId((byte)ApplicationTag.ObjectIdentifier, false, "file identifier");
        if (!file.Ok) return file.Error!;
        var block = StreamAccessData.DecodeToEnd(ref r);
        if (!block.Ok) return block.Error!;
        return new AtomicWriteFileRequest(file.Value, block.Value.Start, block.Value.Data);
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
