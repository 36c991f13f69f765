using System.Collections.Immutable;
using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet;

/// <summary>
/// An application-tagged BACnet value (20.2). Immutable; equality is by content. A property value is a list of
/// these (one element for a scalar, several for an array or list); constructed, context-tagged content travels
/// as <see cref="Constructed"/> with its raw encoding.
/// </summary>
public abstract record BacnetValue
{
    private BacnetValue() { }

    public sealed record Null : BacnetValue { public static readonly Null Instance = new(); }
    public sealed record Boolean(bool Value) : BacnetValue;
    public sealed record Unsigned(ulong Value) : BacnetValue;
    public sealed record Signed(long Value) : BacnetValue;
    public sealed record Real(float Value) : BacnetValue;
    public sealed record Double(double Value) : BacnetValue;
    public sealed record Enumerated(uint Value) : BacnetValue;
    public sealed record ObjectIdentifier(ObjectId Value) : BacnetValue;
    public sealed record CharacterString(string Value) : BacnetValue;
    public sealed record Date(byte Year, byte Month, byte Day, byte DayOfWeek) : BacnetValue;
    public sealed record Time(byte Hour, byte Minute, byte Second, byte Hundredths) : BacnetValue;

    public sealed record OctetString(ImmutableArray<byte> Value) : BacnetValue
    {
        public bool Equals(OctetString? other) => other is not null && Value.AsSpan().SequenceEqual(other.Value.AsSpan());
        public override int GetHashCode() => Value.Length;
        public override string ToString() => $"OctetString {Convert.ToHexString(Value.AsSpan())}";
    }

    public sealed record BitString(byte UnusedBits, ImmutableArray<byte> Bits) : BacnetValue
    {
        public bool Equals(BitString? other) => other is not null && UnusedBits == other.UnusedBits
            && Bits.AsSpan().SequenceEqual(other.Bits.AsSpan());
        public override int GetHashCode() => HashCode.Combine(UnusedBits, Bits.Length);
    }

    /// <summary>Context-tagged or constructed content kept as its encoding (from the first tag to the last byte).</summary>
    public sealed record Constructed(ImmutableArray<byte> Encoding) : BacnetValue
    {
        public bool Equals(Constructed? other) => other is not null && Encoding.AsSpan().SequenceEqual(other.Encoding.AsSpan());
        public override int GetHashCode() => Encoding.Length;
    }

    public void Encode(ref BacnetWriter writer)
    {
        switch (this)
        {
            case Null: writer.WriteTag((byte)ApplicationTag.Null, false, 0); break;
            case Boolean b: writer.WriteBoolean(0, false, b.Value); break;
            case Unsigned u: writer.WriteUnsigned((byte)ApplicationTag.Unsigned, false, u.Value); break;
            case Signed s: writer.WriteSigned((byte)ApplicationTag.Signed, false, s.Value); break;
            case Real r: writer.WriteReal((byte)ApplicationTag.Real, false, r.Value); break;
            case Double d: writer.WriteDouble((byte)ApplicationTag.Double, false, d.Value); break;
            case Enumerated e: writer.WriteEnumerated((byte)ApplicationTag.Enumerated, false, e.Value); break;
            case ObjectIdentifier o: writer.WriteObjectId((byte)ApplicationTag.ObjectIdentifier, false, o.Value); break;
            case CharacterString c: writer.WriteCharacterString((byte)ApplicationTag.CharacterString, false, c.Value); break;
            case OctetString o: writer.WriteOctetString((byte)ApplicationTag.OctetString, false, o.Value.AsSpan()); break;
            case BitString b: writer.WriteBitString((byte)ApplicationTag.BitString, false, b.UnusedBits, b.Bits.AsSpan()); break;
            case Date d:
                writer.WriteTag((byte)ApplicationTag.Date, false, 4);
                writer.WriteByte(d.Year); writer.WriteByte(d.Month); writer.WriteByte(d.Day); writer.WriteByte(d.DayOfWeek);
                break;
            case Time t:
                writer.WriteTag((byte)ApplicationTag.Time, false, 4);
                writer.WriteByte(t.Hour); writer.WriteByte(t.Minute); writer.WriteByte(t.Second); writer.WriteByte(t.Hundredths);
                break;
            case Constructed c: writer.WriteBytes(c.Encoding.AsSpan()); break;
        }
    }

    public static BacnetValue From(string value) => new CharacterString(value);
    public static BacnetValue From(ObjectId value) => new ObjectIdentifier(value);
    public static BacnetValue From(bool value) => new Boolean(value);
    public static BacnetValue FromUnsigned(ulong value) => new Unsigned(value);
    public static BacnetValue FromEnumerated(uint value) => new Enumerated(value);
    public static BacnetValue FromBytes(ReadOnlySpan<byte> value) => new OctetString([.. value]);
}
