using System.Collections.Immutable;
using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Services;

/// <summary>
/// The stream-access block of file data shared by AtomicReadFile-ACK and AtomicWriteFile-Request (15.1.1.2, 15.2.1.1):
/// [0] { fileStartPosition INTEGER, fileData OCTET STRING }. Record access ([1]) is not supported.
/// </summary>
internal static class StreamAccessData
{
    public static void Encode(ref BacnetWriter writer, long start, ImmutableArray<byte> data)
    {
        writer.WriteOpening(0);
        writer.WriteSigned((byte)ApplicationTag.Signed, false, start);
        writer.WriteOctetString((byte)ApplicationTag.OctetString, false, data.AsSpan());
        writer.WriteClosing(0);
    }

    /// <summary>
    /// The most file data that fits an APDU of <paramref name="maxApdu"/> octets whose header is <paramref name="apduHeader"/> octets
    /// and whose service data is <paramref name="encodeEmpty"/> (the same service with no file data) plus the data: the octet string's
    /// tag grows from 1 octet (up to 4 data octets) to 2 (up to 253) and 4 (up to 65,535), 20.2.2.
    /// </summary>
    public static int MaxData(int maxApdu, int apduHeader, ContentEncoder encodeEmpty)
    {
        Span<byte> buffer = stackalloc byte[64];
        var w = new BacnetWriter(buffer);
        encodeEmpty(ref w);
        var budget = maxApdu - apduHeader - (w.Position - 1);  // what is left for the octet string's tag and its data
        var best = -1;
        foreach (var (tag, most) in (ReadOnlySpan<(int, int)>)[(1, 4), (2, 253), (4, ushort.MaxValue)])
            best = Math.Max(best, Math.Min(budget - tag, most));
        return Math.Max(best, 0);
    }

    /// <summary>Reads the block and checks nothing follows it.</summary>
    public static Decoded<(long Start, ImmutableArray<byte> Data)> DecodeToEnd(ref BacnetReader r)
    {
        if (r.NextIsOpening(1)) return new DecodeError(DecodeFailure.Unsupported, r.Position, "record access");
        if (r.ReadOpening(0) is { } open) return open;
        var start = r.ReadSigned((byte)ApplicationTag.Signed, false, "file start position");
        if (!start.Ok) return start.Error!;
        var bytes = r.ReadOctetString((byte)ApplicationTag.OctetString, false, "file data");
        if (!bytes.Ok) return bytes.Error!;
        if (r.ReadClosing(0) is { } close) return close;
        if (r.ExpectEnd() is { } end) return end;
        return (start.Value, bytes.Value);
    }
}
