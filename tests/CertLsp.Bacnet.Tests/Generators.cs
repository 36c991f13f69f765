using System.Collections.Immutable;
using CertLsp.Bacnet.Services;
using CsCheck;

namespace CertLsp.Bacnet.Tests;

/// <summary>CsCheck generators for every value an encoder takes.</summary>
internal static class Generators
{
    public static readonly Gen<ObjectId> ObjectId =
        Gen.Select(Gen.UShort[0, Bacnet.ObjectId.MaxType], Gen.UInt[0, Bacnet.ObjectId.MaxInstance], (t, i) =>
            new ObjectId((ObjectType)t, i));

    /// <summary>Property ids across the whole 32-bit range, weighted to the 1-, 2- and 3-byte encodings.</summary>
    public static readonly Gen<PropertyIdentifier> Property =
        Gen.OneOf(Gen.UInt[0, 255], Gen.UInt[256, 65535], Gen.UInt[4194300, 4194400], Gen.UInt)
        .Select(v => (PropertyIdentifier)v);

    public static readonly Gen<uint?> OptionalIndex = Gen.Bool.Select(Gen.UInt, (has, v) => has ? v : (uint?)null);

    public static readonly Gen<string> Text = Gen.String[Gen.Char.Where(c => !char.IsSurrogate(c)), 0, 40];

    public static readonly Gen<ImmutableArray<byte>> Bytes = Gen.Byte.Array[0, 300].Select(b => ImmutableArray.Create(b));

    public static readonly Gen<BacnetValue> Value = Gen.OneOf(
        Gen.Const<BacnetValue>(BacnetValue.Null.Instance),
        Gen.Bool.Select(b => (BacnetValue)new BacnetValue.Boolean(b)),
        Gen.ULong.Select(v => (BacnetValue)new BacnetValue.Unsigned(v)),
        Gen.Long.Select(v => (BacnetValue)new BacnetValue.Signed(v)),
        Gen.Float.Select(v => (BacnetValue)new BacnetValue.Real(v)),
        Gen.Double.Select(v => (BacnetValue)new BacnetValue.Double(v)),
        Gen.UInt.Select(v => (BacnetValue)new BacnetValue.Enumerated(v)),
        ObjectId.Select(v => (BacnetValue)new BacnetValue.ObjectIdentifier(v)),
        Text.Select(v => (BacnetValue)new BacnetValue.CharacterString(v)),
        Bytes.Select(v => (BacnetValue)new BacnetValue.OctetString(v)),
        Gen.Select(Gen.Byte[0, 7], Gen.Byte.Array[1, 8], (u, b) => (BacnetValue)new BacnetValue.BitString(u, [.. b])),
        Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte, Gen.Byte, (a, b, c, d) => (BacnetValue)new BacnetValue.Date(a, b, c, d)),
        Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte, Gen.Byte, (a, b, c, d) => (BacnetValue)new BacnetValue.Time(a, b, c, d)));

    public static readonly Gen<EquatableArray<BacnetValue>> Values = Value.Array[0, 6].Select(v => (EquatableArray<BacnetValue>)v);

    public static readonly Gen<BacnetError> Error = Gen.Select(Gen.UInt[0, 70], Gen.UInt[0, 300], (c, e) =>
        new BacnetError((ErrorClass)c, (ErrorCode)e));

    public static readonly Gen<PropertyReference> Reference = Gen.Select(Property, OptionalIndex, (p, i) => new PropertyReference(p, i));

    public static readonly Gen<ReadPropertyMultipleRequest> Rpm =
        Gen.Select(ObjectId, Reference.Array[1, 5], (o, r) => new ReadAccessSpecification(o, r)).Array[1, 4]
            .Select(s => new ReadPropertyMultipleRequest(s));

    public static readonly Gen<PropertyResult> Result = Gen.Select(Property, OptionalIndex, Values, Gen.Bool, Error,
        (p, i, v, failed, e) => failed ? PropertyResult.Failed(p, i, e) : new PropertyResult(p, i, v));

    public static readonly Gen<ReadPropertyMultipleAck> RpmAck =
        Gen.Select(ObjectId, Result.Array[0, 5], (o, r) => new ReadAccessResult(o, r)).Array[1, 4]
            .Select(r => new ReadPropertyMultipleAck(r));
}
