using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Services;

/// <summary>I-Am (16.10.2): a device announces its identifier, largest APDU, segmentation support and vendor.</summary>
public sealed record IAm(ObjectId Device, uint MaxApduLength, Segmentation Segmentation, ushort VendorId) : IUnconfirmedRequest
{
    public UnconfirmedService Service => UnconfirmedService.IAm;

    public void Encode(ref BacnetWriter writer)
    {
        writer.WriteObjectId((byte)ApplicationTag.ObjectIdentifier, false, Device);
        writer.WriteUnsigned((byte)ApplicationTag.Unsigned, false, MaxApduLength);
        writer.WriteEnumerated((byte)ApplicationTag.Enumerated, false, (uint)Segmentation);
        writer.WriteUnsigned((byte)ApplicationTag.Unsigned, false, VendorId);
    }

    public static Decoded<IAm> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var device = r.ReadObjectId((byte)ApplicationTag.ObjectIdentifier, false, "I-Am device identifier");
        if (!device.Ok) return device.Error!;
        if (device.Value.Type != ObjectType.Device) return new DecodeError(DecodeFailure.InvalidValue, 0,
            $"I-Am from {device.Value}, not a device");
        var maxApdu = r.ReadUnsigned32((byte)ApplicationTag.Unsigned, false, "max APDU length accepted");
        if (!maxApdu.Ok) return maxApdu.Error!;
        var segmentation = r.ReadEnumerated((byte)ApplicationTag.Enumerated, false, "segmentation supported");
        if (!segmentation.Ok) return segmentation.Error!;
        if (segmentation.Value > (uint)Segmentation.None) return new DecodeError(DecodeFailure.InvalidValue, r.Position,
            $"segmentation {segmentation.Value}");
        var vendor = r.ReadUnsigned32((byte)ApplicationTag.Unsigned, false, "vendor id");
        if (!vendor.Ok) return vendor.Error!;
        if (vendor.Value > ushort.MaxValue) return new DecodeError(DecodeFailure.InvalidValue, r.Position, $"vendor id {vendor.Value}");
        if (r.ExpectEnd() is { } end) return end;
        return new IAm(device.Value, maxApdu.Value, (Segmentation)segmentation.Value, (ushort)vendor.Value);
    }
}
