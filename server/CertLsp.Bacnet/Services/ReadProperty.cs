using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Services;

/// <summary>ReadProperty-Request (15.5.1.1).</summary>
public sealed record ReadPropertyRequest(ObjectId Object, PropertyIdentifier Property, uint? ArrayIndex = null) : IConfirmedRequest
{
    public ConfirmedService Service => ConfirmedService.ReadProperty;

    public void Encode(ref BacnetWriter writer)
    {
        writer.WriteObjectId(0, true, Object);
        writer.WriteEnumerated(1, true, (uint)Property);
        if (ArrayIndex is { } index) writer.WriteUnsigned(2, true, index);
    }

    public static Decoded<ReadPropertyRequest> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var head = PropertyAccess.ReadHead(ref r, 0);
        if (!head.Ok) return head.Error!;
        if (r.ExpectEnd() is { } end) return end;
        return new ReadPropertyRequest(head.Value.Object, head.Value.Property, head.Value.Index);
    }
}

/// <summary>ReadProperty-ACK (15.5.1.2): the value is the list of application values in [3].</summary>
public sealed record ReadPropertyAck(ObjectId Object, PropertyIdentifier Property, uint? ArrayIndex, EquatableArray<BacnetValue> Values)
    : IComplexAck
{
    public void Encode(ref BacnetWriter writer)
    {
        writer.WriteObjectId(0, true, Object);
        writer.WriteEnumerated(1, true, (uint)Property);
        if (ArrayIndex is { } index) writer.WriteUnsigned(2, true, index);
        PropertyAccess.WriteValues(ref writer, 3, Values);
    }

    public static Decoded<ReadPropertyAck> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var head = PropertyAccess.ReadHead(ref r, 0);
        if (!head.Ok) return head.Error!;
        var values = r.ReadEnclosedValues(3);
        if (!values.Ok) return values.Error!;
        if (r.ExpectEnd() is { } end) return end;
        return new ReadPropertyAck(head.Value.Object, head.Value.Property, head.Value.Index, values.Value);
    }
}

/// <summary>The pieces ReadProperty, WriteProperty and ReadPropertyMultiple share.</summary>
internal static class PropertyAccess
{
    /// <summary>object [n], property [n+1], optional array index [n+2].</summary>
    public static Decoded<(ObjectId Object, PropertyIdentifier Property, uint? Index)> ReadHead(ref BacnetReader r, byte first)
    {
        var obj = r.ReadObjectId(first, true, "object identifier");
        if (!obj.Ok) return obj.Error!;
        var prop = ReadReference(ref r, (byte)(first + 1));
        if (!prop.Ok) return prop.Error!;
        return (obj.Value, prop.Value.Property, prop.Value.ArrayIndex);
    }

    /// <summary>property [n], optional array index [n+1].</summary>
    public static Decoded<PropertyReference> ReadReference(ref BacnetReader r, byte tag)
    {
        var prop = r.ReadEnumerated(tag, true, "property identifier");
        if (!prop.Ok) return prop.Error!;
        uint? index = null;
        if (r.NextIsContext((byte)(tag + 1)))
        {
            var i = r.ReadUnsigned32((byte)(tag + 1), true, "property array index");
            if (!i.Ok) return i.Error!;
            index = i.Value;
        }
        return new PropertyReference((PropertyIdentifier)prop.Value, index);
    }

    public static void WriteValues(ref BacnetWriter writer, byte tag, EquatableArray<BacnetValue> values)
    {
        writer.WriteOpening(tag);
        foreach (var value in values) value.Encode(ref writer);
        writer.WriteClosing(tag);
    }
}
