using System.Buffers.Binary;
using System.Collections.Immutable;

namespace CertLsp.Bacnet.Encoding;

/// <summary>
/// Reads BACnet tagged encodings (clause 20.2) from a span. Every read checks the bytes it needs against what is
/// left and returns a <see cref="DecodeError"/> instead of throwing; nothing is allocated beyond the input's size.
/// </summary>
public ref struct BacnetReader
{
    private readonly ReadOnlySpan<byte> data;

    public BacnetReader(ReadOnlySpan<byte> data) { this.data = data; Position = 0; }

    public int Position { get; private set; }
    public readonly int Remaining => data.Length - Position;
    public readonly bool AtEnd => Position >= data.Length;
    public readonly ReadOnlySpan<byte> Rest => data[Position..];

    private readonly DecodeError Fail(DecodeFailure failure, string detail) => new(failure, Position, detail);

    /// <summary>Fails unless every byte has been read.</summary>
    public readonly DecodeError? ExpectEnd() =>
        AtEnd ? null : Fail(DecodeFailure.TrailingData, $"{Remaining} byte(s) after the end of the element");

    public Decoded<byte> ReadByte()
    {
        if (Remaining < 1) return Fail(DecodeFailure.Truncated, "expected 1 more byte");
        return data[Position++];
    }

    public Decoded<ushort> ReadUInt16()
    {
        if (Remaining < 2) return Fail(DecodeFailure.Truncated, "expected 2 more bytes");
        var value = BinaryPrimitives.ReadUInt16BigEndian(data[Position..]);
        Position += 2;
        return value;
    }

    // ---- tags ----

    public readonly Decoded<TagHeader> PeekTag()
    {
        var at = Position;
        if (data.Length - at < 1) return Fail(DecodeFailure.Truncated, "expected a tag");
        var first = data[at];
        var number = (byte)(first >> 4);
        var context = (first & 0x08) != 0;
        var lvt = (uint)(first & 0x07);
        var length = 1;
        if (number == 15)
        {
            if (data.Length - at < 2) return Fail(DecodeFailure.Truncated, "expected an extended tag number");
            number = data[at + 1];
            length = 2;
        }
        if (context && lvt == 6) return new TagHeader(number, true, TagKind.Opening, 0, length);
        if (context && lvt == 7) return new TagHeader(number, true, TagKind.Closing, 0, length);
        if (!context && number == (byte)ApplicationTag.Boolean)
        {
            if (lvt > 1) return Fail(DecodeFailure.InvalidValue, $"boolean value {lvt}");
            return new TagHeader(number, false, TagKind.Primitive, lvt, length);
        }
        if (lvt > 5) return Fail(DecodeFailure.WrongTag, "opening or closing tag of the application class");
        if (lvt == 5)
        {
            if (data.Length - at - length < 1) return Fail(DecodeFailure.Truncated, "expected an extended length");
            var extended = data[at + length];
            length++;
            if (extended < 254)
            {
                lvt = extended;
            }
            else if (extended == 254)
            {
                if (data.Length - at - length < 2) return Fail(DecodeFailure.Truncated, "expected a 2-byte length");
                lvt = BinaryPrimitives.ReadUInt16BigEndian(data[(at + length)..]);
                length += 2;
            }
            else
            {
                if (data.Length - at - length < 4) return Fail(DecodeFailure.Truncated, "expected a 4-byte length");
                lvt = BinaryPrimitives.ReadUInt32BigEndian(data[(at + length)..]);
                length += 4;
            }
        }
        if (lvt > (uint)(data.Length - at - length))
            return new DecodeError(DecodeFailure.Truncated, at, $"tag announces {lvt} bytes, {data.Length - at - length} left");
        return new TagHeader(number, context, TagKind.Primitive, lvt, length);
    }

    public readonly bool NextIsOpening(byte number) => PeekTag() is { Ok: true } t && t.Value.IsOpening(number);
    public readonly bool NextIsClosing(byte number) => PeekTag() is { Ok: true } t && t.Value.IsClosing(number);
    public readonly bool NextIsContext(byte number) => PeekTag() is { Ok: true } t && t.Value.IsContextPrimitive(number);

    public DecodeError? ReadOpening(byte number) => ReadConstructedTag(number, TagKind.Opening);
    public DecodeError? ReadClosing(byte number) => ReadConstructedTag(number, TagKind.Closing);

    private DecodeError? ReadConstructedTag(byte number, TagKind kind)
    {
        var tag = PeekTag();
        if (!tag.Ok) return tag.Error;
        if (!tag.Value.IsContext || tag.Value.Kind != kind || tag.Value.Number != number)
            return Fail(DecodeFailure.WrongTag, $"expected {kind.ToString().ToLowerInvariant()} tag [{number}]");
        Position += tag.Value.HeaderLength;
        return null;
    }

    /// <summary>Reads a primitive tag with the given number and class and returns where its content lies.</summary>
    private Decoded<(int Offset, int Length, TagHeader Tag)> ReadPrimitive(byte number, bool context, string what)
    {
        var tag = PeekTag();
        if (!tag.Ok) return tag.Error!;
        var t = tag.Value;
        if (t.Kind != TagKind.Primitive || t.IsContext != context || t.Number != number)
            return Fail(DecodeFailure.WrongTag,
                $"expected {(context ? "context tag [" + number + "]" : "application tag " + (ApplicationTag)number)} ({what})");
        var offset = Position + t.HeaderLength;
        Position = offset + (int)t.ContentLength;
        return (offset, (int)t.ContentLength, t);
    }

    private readonly Decoded<ulong> BigEndian(int offset, int length, int maxLength, string what)
    {
        if (length == 0 || length > maxLength)
            return new DecodeError(DecodeFailure.WrongLength, offset, $"{what} of {length} byte(s)");
        ulong value = 0;
        for (var i = 0; i < length; i++) value = (value << 8) | data[offset + i];
        return value;
    }

    public Decoded<ulong> ReadUnsigned(byte number, bool context, string what = "unsigned")
    {
        var p = ReadPrimitive(number, context, what);
        return p.Ok ? BigEndian(p.Value.Offset, p.Value.Length, 8, what) : p.Error!;
    }

    /// <summary>An unsigned that must fit 32 bits (property identifiers, array indexes, instance numbers).</summary>
    public Decoded<uint> ReadUnsigned32(byte number, bool context, string what = "unsigned")
    {
        var p = ReadPrimitive(number, context, what);
        if (!p.Ok) return p.Error!;
        var v = BigEndian(p.Value.Offset, p.Value.Length, 4, what);
        return v.Ok ? (uint)v.Value : v.Error!;
    }

    public Decoded<uint> ReadEnumerated(byte number, bool context, string what = "enumerated") => ReadUnsigned32(number, context, what);

    public Decoded<long> ReadSigned(byte number, bool context, string what = "signed")
    {
        var p = ReadPrimitive(number, context, what);
        if (!p.Ok) return p.Error!;
        var v = BigEndian(p.Value.Offset, p.Value.Length, 8, what);
        if (!v.Ok) return v.Error!;
        var shift = 64 - 8 * p.Value.Length;
        return (long)(v.Value << shift) >> shift;
    }

    public Decoded<ObjectId> ReadObjectId(byte number, bool context, string what = "object identifier")
    {
        var p = ReadPrimitive(number, context, what);
        if (!p.Ok) return p.Error!;
        if (p.Value.Length != 4) return new DecodeError(DecodeFailure.WrongLength, p.Value.Offset, $"{what} of {p.Value.Length} bytes");
        return ObjectId.FromEncoded(BinaryPrimitives.ReadUInt32BigEndian(data[p.Value.Offset..]));
    }

    public Decoded<bool> ReadBoolean(byte number, bool context, string what = "boolean")
    {
        var p = ReadPrimitive(number, context, what);
        if (!p.Ok) return p.Error!;
        if (!context) return p.Value.Tag.Length == 1;
        if (p.Value.Length != 1 || data[p.Value.Offset] > 1)
            return new DecodeError(DecodeFailure.WrongLength, p.Value.Offset, $"{what} must be one byte 0 or 1");
        return data[p.Value.Offset] == 1;
    }

    public Decoded<ImmutableArray<byte>> ReadOctetString(byte number, bool context, string what = "octet string")
    {
        var p = ReadPrimitive(number, context, what);
        return p.Ok ? ImmutableArray.Create(data.Slice(p.Value.Offset, p.Value.Length)) : p.Error!;
    }

    public Decoded<string> ReadCharacterString(byte number, bool context, string what = "character string")
    {
        var p = ReadPrimitive(number, context, what);
        return p.Ok ? DecodeString(p.Value.Offset, p.Value.Length, what) : p.Error!;
    }

    private readonly Decoded<string> DecodeString(int offset, int length, string what)
    {
        if (length < 1) return new DecodeError(DecodeFailure.WrongLength, offset, $"{what} without a character set");
        var content = data.Slice(offset + 1, length - 1);
        return data[offset] switch
        {
            0 => System.Text.Encoding.UTF8.GetString(content),
            4 when content.Length % 2 == 0 => System.Text.Encoding.BigEndianUnicode.GetString(content),
            5 => System.Text.Encoding.Latin1.GetString(content),
            var set => new DecodeError(DecodeFailure.Unsupported, offset, $"{what}: character set {set} (length {content.Length})"),
        };
    }

    // ---- values ----

    /// <summary>One application-tagged value.</summary>
    public Decoded<BacnetValue> ReadApplicationValue()
    {
        var tag = PeekTag();
        if (!tag.Ok) return tag.Error!;
        var t = tag.Value;
        if (t.IsContext) return Fail(DecodeFailure.WrongTag, "expected an application-tagged value");
        var start = Position;
        var offset = Position + t.HeaderLength;
        var length = (int)t.ContentLength;
        Position = offset + length;
        switch ((ApplicationTag)t.Number)
        {
            case ApplicationTag.Null:
                return length == 0 ? BacnetValue.Null.Instance : new DecodeError(DecodeFailure.WrongLength, start, "null with content");
            case ApplicationTag.Boolean: return new BacnetValue.Boolean(t.Length == 1);
            case ApplicationTag.Unsigned:
                { var v = BigEndian(offset, length, 8, "unsigned"); return v.Ok ? new BacnetValue.Unsigned(v.Value) : v.Error!; }
            case ApplicationTag.Signed:
                {
                    var v = BigEndian(offset, length, 8, "signed");
                    if (!v.Ok) return v.Error!;
                    var shift = 64 - 8 * length;
                    return new BacnetValue.Signed((long)(v.Value << shift) >> shift);
                }
            case ApplicationTag.Real:
                return length == 4 ? new BacnetValue.Real(BinaryPrimitives.ReadSingleBigEndian(data[offset..]))
                    : new DecodeError(DecodeFailure.WrongLength, start, $"real of {length} bytes");
            case ApplicationTag.Double:
                return length == 8 ? new BacnetValue.Double(BinaryPrimitives.ReadDoubleBigEndian(data[offset..]))
                    : new DecodeError(DecodeFailure.WrongLength, start, $"double of {length} bytes");
            case ApplicationTag.OctetString: return new BacnetValue.OctetString(ImmutableArray.Create(data.Slice(offset, length)));
            case ApplicationTag.CharacterString:
                {
                    var s = DecodeString(offset, length, "character string"); return s.Ok ? new BacnetValue.CharacterString(s.Value)
                    : s.Error!;
                }
            case ApplicationTag.BitString:
                if (length < 1 || data[offset] > 7 || (length == 1 && data[offset] != 0))
                    return new DecodeError(DecodeFailure.WrongLength, start, "bit string without a valid unused-bits byte");
                return new BacnetValue.BitString(data[offset], ImmutableArray.Create(data.Slice(offset + 1, length - 1)));
            case ApplicationTag.Enumerated:
                { var v = BigEndian(offset, length, 4, "enumerated"); return v.Ok ? new BacnetValue.Enumerated((uint)v.Value) : v.Error!; }
            case ApplicationTag.Date:
                return length == 4 ? new BacnetValue.Date(data[offset], data[offset + 1], data[offset + 2], data[offset + 3])
                    : new DecodeError(DecodeFailure.WrongLength, start, $"date of {length} bytes");
            case ApplicationTag.Time:
                return length == 4 ? new BacnetValue.Time(data[offset], data[offset + 1], data[offset + 2], data[offset + 3])
                    : new DecodeError(DecodeFailure.WrongLength, start, $"time of {length} bytes");
            case ApplicationTag.ObjectIdentifier:
                return length == 4 ? new BacnetValue.ObjectIdentifier(
                    ObjectId.FromEncoded(BinaryPrimitives.ReadUInt32BigEndian(data[offset..])))
                    : new DecodeError(DecodeFailure.WrongLength, start, $"object identifier of {length} bytes");
            default:
                return new DecodeError(DecodeFailure.Unsupported, start, $"reserved application tag {t.Number}");
        }
    }

    /// <summary>
    /// The values inside an opening/closing pair (the pair itself included): application values become typed
    /// values, context-tagged or constructed content becomes <see cref="BacnetValue.Constructed"/>.
    /// </summary>
    public Decoded<ImmutableArray<BacnetValue>> ReadEnclosedValues(byte number)
    {
        var open = ReadOpening(number);
        if (open is not null) return open;
        var values = ImmutableArray.CreateBuilder<BacnetValue>();
        while (true)
        {
            var tag = PeekTag();
            if (!tag.Ok) return tag.Error!;
            if (tag.Value.IsClosing(number)) { Position += tag.Value.HeaderLength; return values.ToImmutable(); }
            if (tag.Value.IsContext)
            {
                var start = Position;
                var skipped = SkipElement();
                if (skipped is not null) return skipped;
                values.Add(new BacnetValue.Constructed(ImmutableArray.Create(data[start..Position])));
                continue;
            }
            var value = ReadApplicationValue();
            if (!value.Ok) return value.Error!;
            values.Add(value.Value);
        }
    }

    /// <summary>Skips one element: a primitive tag with its content, or an opening tag through its matching closing tag.</summary>
    public DecodeError? SkipElement()
    {
        var depth = 0;
        do
        {
            var tag = PeekTag();
            if (!tag.Ok) return tag.Error;
            var t = tag.Value;
            if (t.Kind == TagKind.Closing && depth == 0) return Fail(DecodeFailure.WrongTag, "unexpected closing tag");
            Position += t.HeaderLength + (int)t.ContentLength;
            if (t.Kind == TagKind.Opening) depth++;
            else if (t.Kind == TagKind.Closing) depth--;
        } while (depth > 0);
        return null;
    }
}
