using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Services;

/// <summary>WriteProperty-Request (15.9.1.1); answered by a SimpleACK.</summary>
public sealed record WritePropertyRequest(ObjectId Object, PropertyIdentifier Property, EquatableArray<BacnetValue> Values,
    uint? ArrayIndex = null, byte? Priority = null) : IConfirmedRequest
{
    public ConfirmedService Service => ConfirmedService.WriteProperty;

    public static WritePropertyRequest Of(ObjectId obj, PropertyIdentifier property, BacnetValue value) =>
        new(obj, property, new[] { value });

    public void Encode(ref BacnetWriter writer)
    {
        writer.WriteObjectId(0, true, Object);
        writer.WriteEnumerated(1, true, (uint)Property);
        if (ArrayIndex is { } index) writer.WriteUnsigned(2, true, index);
        PropertyAccess.WriteValues(ref writer, 3, Values);
        if (Priority is { } priority) writer.WriteUnsigned(4, true, priority);
    }

    public static Decoded<WritePropertyRequest> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var head = PropertyAccess.ReadHead(ref r, 0);
        if (!head.Ok) return head.Error!;
        var values = r.ReadEnclosedValues(3);
        if (!values.Ok) return values.Error!;
        byte? priority = null;
        if (!r.AtEnd)
        {
            var p = r.ReadUnsigned32(4, true, "priority");
            if (!p.Ok) return p.Error!;
            if (p.Value is < 1 or > 16) return new DecodeError(DecodeFailure.InvalidValue, r.Position, $"priority {p.Value} (1..16)");
            priority = (byte)p.Value;
        }
        if (r.ExpectEnd() is { } end) return end;
        return new WritePropertyRequest(head.Value.Object, head.Value.Property, values.Value, head.Value.Index, priority);
    }
}
