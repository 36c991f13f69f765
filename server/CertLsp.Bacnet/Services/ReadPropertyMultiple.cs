using System.Collections.Immutable;
using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Services;

/// <summary>A property and optional array index, as named in ReadPropertyMultiple.</summary>
public sealed record PropertyReference(PropertyIdentifier Property, uint? ArrayIndex = null);

/// <summary>One object and the properties to read from it.</summary>
public sealed record ReadAccessSpecification(ObjectId Object, EquatableArray<PropertyReference> Properties);

/// <summary>ReadPropertyMultiple-Request (15.7.1.1).</summary>
public sealed record ReadPropertyMultipleRequest(EquatableArray<ReadAccessSpecification> Specifications) : IConfirmedRequest
{
    public ConfirmedService Service => ConfirmedService.ReadPropertyMultiple;

    public static ReadPropertyMultipleRequest Of(ObjectId obj, params PropertyIdentifier[] properties) =>
        new(new[] { new ReadAccessSpecification(obj, properties.Select(p => new PropertyReference(p)).ToArray()) });

    public void Encode(ref BacnetWriter writer)
    {
        foreach (var spec in Specifications)
        {
            writer.WriteObjectId(0, true, spec.Object);
            writer.WriteOpening(1);
            foreach (var p in spec.Properties)
            {
                writer.WriteEnumerated(0, true, (uint)p.Property);
                if (p.ArrayIndex is { } index) writer.WriteUnsigned(1, true, index);
            }
            writer.WriteClosing(1);
        }
    }

    public static Decoded<ReadPropertyMultipleRequest> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var specs = ImmutableArray.CreateBuilder<ReadAccessSpecification>();
        do
        {
            var obj = r.ReadObjectId(0, true, "object identifier");
            if (!obj.Ok) return obj.Error!;
            if (r.ReadOpening(1) is { } open) return open;
            var props = ImmutableArray.CreateBuilder<PropertyReference>();
            while (!r.NextIsClosing(1))
            {
                var p = PropertyAccess.ReadReference(ref r, 0);
                if (!p.Ok) return p.Error!;
                props.Add(p.Value);
            }
            if (r.ReadClosing(1) is { } close) return close;
            if (props.Count == 0) return new DecodeError(DecodeFailure.InvalidValue, r.Position, "empty list of property references");
            specs.Add(new ReadAccessSpecification(obj.Value, props.ToImmutable()));
        } while (!r.AtEnd);
        return new ReadPropertyMultipleRequest(specs.ToImmutable());
    }
}

/// <summary>A property's value, or the error reading it.</summary>
public sealed record PropertyResult(PropertyIdentifier Property, uint? ArrayIndex, EquatableArray<BacnetValue> Values, BacnetError? Error =
    null)
{
    public static PropertyResult Failed(PropertyIdentifier property, uint? index, BacnetError error) =>
        new(property, index, default, error);
}

/// <summary>The results for one object.</summary>
public sealed record ReadAccessResult(ObjectId Object, EquatableArray<PropertyResult> Results);

/// <summary>ReadPropertyMultiple-ACK (15.7.1.2).</summary>
public sealed record ReadPropertyMultipleAck(EquatableArray<ReadAccessResult> Results) : IComplexAck
{
    public void Encode(ref BacnetWriter writer)
    {
        foreach (var result in Results)
        {
            writer.WriteObjectId(0, true, result.Object);
            writer.WriteOpening(1);
            foreach (var p in result.Results)
            {
                writer.WriteEnumerated(2, true, (uint)p.Property);
                if (p.ArrayIndex is { } index) writer.WriteUnsigned(3, true, index);
                if (p.Error is { } error)
                {
                    writer.WriteOpening(5);
                    Application.Apdu.EncodeErrorContent(ref writer, error);
                    writer.WriteClosing(5);
                }
                else
                {
                    PropertyAccess.WriteValues(ref writer, 4, p.Values);
                }
            }
            writer.WriteClosing(1);
        }
    }

    public static Decoded<ReadPropertyMultipleAck> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var results = ImmutableArray.CreateBuilder<ReadAccessResult>();
        do
        {
            var obj = r.ReadObjectId(0, true, "object identifier");
            if (!obj.Ok) return obj.Error!;
            if (r.ReadOpening(1) is { } open) return open;
            var props = ImmutableArray.CreateBuilder<PropertyResult>();
            while (!r.NextIsClosing(1))
            {
                var p = PropertyAccess.ReadReference(ref r, 2);
                if (!p.Ok) return p.Error!;
                if (r.NextIsOpening(5))
                {
                    r.ReadOpening(5);
                    var errorClass = r.ReadEnumerated((byte)ApplicationTag.Enumerated, false, "error class");
                    if (!errorClass.Ok) return errorClass.Error!;
                    var errorCode = r.ReadEnumerated((byte)ApplicationTag.Enumerated, false, "error code");
                    if (!errorCode.Ok) return errorCode.Error!;
                    if (r.ReadClosing(5) is { } closeError) return closeError;
                    props.Add(PropertyResult.Failed(p.Value.Property, p.Value.ArrayIndex,
                        new BacnetError((ErrorClass)errorClass.Value, (ErrorCode)errorCode.Value)));
                }
                else
                {
                    var values = r.ReadEnclosedValues(4);
                    if (!values.Ok) return values.Error!;
                    props.Add(new PropertyResult(p.Value.Property, p.Value.ArrayIndex, values.Value));
                }
            }
            if (r.ReadClosing(1) is { } close) return close;
            results.Add(new ReadAccessResult(obj.Value, props.ToImmutable()));
        } while (!r.AtEnd);
        return new ReadPropertyMultipleAck(results.ToImmutable());
    }
}
