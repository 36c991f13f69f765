using System.Buffers.Binary;

namespace CertLsp.Bacnet.Encoding;

/// <summary>
/// Writes BACnet encodings (clause 20.2) into a caller's span. Writing past the end never throws: the writer
/// remembers it overflowed and <see cref="Result"/> reports it, so an encoder needs no length pre-computation.
/// </summary>
public ref struct BacnetWriter
{
    private readonly Span<byte> buffer;

    public BacnetWriter(Span<byte> buffer) { this.buffer = buffer; Position = 0; Overflowed = false; }

    public int Position { get; private set; }
    public bool Overflowed { get; private set; }

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => buffer[..Position];

    /// <summary>The encoded length, or an overflow error when the span was too small.</summary>
    public readonly EncodeResult Result => Overflowed ? EncodeResult.Overflow(buffer.Length) : EncodeResult.Done(Position);

    private bool Reserve(int count)
    {
        if (Overflowed || Position + count > buffer.Length) { Overflowed = true; return false; }
        return true;
    }

    public void WriteByte(byte value)
    {
        if (!Reserve(1)) return;
        buffer[Position++] = value;
    }

    public void WriteUInt16(ushort value)
    {
        if (!Reserve(2)) return;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[Position..], value);
        Position += 2;
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        if (!Reserve(bytes.Length)) return;
        bytes.CopyTo(buffer[Position..]);
        Position += bytes.Length;
    }

    /// <summary>Overwrites two bytes written earlier (the BVLC length once the packet is complete).</summary>
    public readonly void PatchUInt16(int offset, ushort value)
    {
        if (Overflowed || offset + 2 > Position) return;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[offset..], value);
    }

    // ---- tags (20.2.1) ----

    /// <summary>A tag header: number, class and length/value/type, with the extended forms when needed.</summary>
    public void WriteTag(byte number, bool context, uint length)
    {
        var first = (byte)((number <= 14 ? number << 4 : 0xF0) | (context ? 0x08 : 0));
        if (length <= 4) WriteByte((byte)(first | length));
        else WriteByte((byte)(first | 5));
        if (number > 14) WriteByte(number);
        if (length <= 4) return;
        if (length <= 253)
        {
            WriteByte((byte)length);
        }
        else if (length <= ushort.MaxValue) { WriteByte(254); WriteUInt16((ushort)length); }
        else
        {
            WriteByte(255);
            WriteUInt16((ushort)(length >> 16));
            WriteUInt16((ushort)length);
        }
    }

    public void WriteOpening(byte number) => WriteConstructedTag(number, 0x0E);
    public void WriteClosing(byte number) => WriteConstructedTag(number, 0x0F);

    private void WriteConstructedTag(byte number, byte lvt)
    {
        WriteByte((byte)((number <= 14 ? number << 4 : 0xF0) | 0x08 | lvt));
        if (number > 14) WriteByte(number);
    }

    // ---- primitive contents ----

    internal static int UnsignedLength(ulong value)
    {
        var length = 1;
        while (length < 8 && value >> (8 * length) != 0) length++;
        return length;
    }

    internal static int SignedLength(long value)
    {
        var length = 1;
        while (length < 8 && (value < -(1L << (8 * length - 1)) || value > (1L << (8 * length - 1)) - 1)) length++;
        return length;
    }

    private void WriteBigEndian(ulong value, int length)
    {
        for (var i = length - 1; i >= 0; i--) WriteByte((byte)(value >> (8 * i)));
    }

    public void WriteUnsigned(byte number, bool context, ulong value)
    {
        var length = UnsignedLength(value);
        WriteTag(number, context, (uint)length);
        WriteBigEndian(value, length);
    }

    public void WriteSigned(byte number, bool context, long value)
    {
        var length = SignedLength(value);
        WriteTag(number, context, (uint)length);
        WriteBigEndian((ulong)value, length);
    }

    public void WriteEnumerated(byte number, bool context, uint value) => WriteUnsigned(number, context, value);

    public void WriteObjectId(byte number, bool context, ObjectId id)
    {
        WriteTag(number, context, 4);
        var raw = id.Encoded;
        WriteUInt16((ushort)(raw >> 16));
        WriteUInt16((ushort)raw);
    }

    public void WriteOctetString(byte number, bool context, scoped ReadOnlySpan<byte> bytes)
    {
        WriteTag(number, context, (uint)bytes.Length);
        WriteBytes(bytes);
    }

    /// <summary>A character string in UTF-8 (character set 0).</summary>
    public void WriteCharacterString(byte number, bool context, string value)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(value);
        WriteTag(number, context, (uint)length + 1);
        WriteByte(0);
        if (!Reserve(length)) return;
        System.Text.Encoding.UTF8.GetBytes(value, buffer.Slice(Position, length));
        Position += length;
    }

    public void WriteBoolean(byte number, bool context, bool value)
    {
        if (context) { WriteTag(number, true, 1); WriteByte(value ? (byte)1 : (byte)0); }
        else
        {
            WriteTag((byte)ApplicationTag.Boolean, false, value ? 1u : 0u);
        }
    }

    public void WriteReal(byte number, bool context, float value)
    {
        WriteTag(number, context, 4);
        WriteBigEndian(BitConverter.SingleToUInt32Bits(value), 4);
    }

    public void WriteDouble(byte number, bool context, double value)
    {
        WriteTag(number, context, 8);
        WriteBigEndian(BitConverter.DoubleToUInt64Bits(value), 8);
    }

    public void WriteBitString(byte number, bool context, byte unusedBits, scoped ReadOnlySpan<byte> bytes)
    {
        WriteTag(number, context, (uint)bytes.Length + 1);
        WriteByte(unusedBits);
        WriteBytes(bytes);
    }
}
