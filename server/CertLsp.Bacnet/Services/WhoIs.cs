using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Services;

/// <summary>Who-Is (16.10.1): all devices, or those whose instance lies in [Low, High].</summary>
public sealed record WhoIs(uint? Low = null, uint? High = null) : IUnconfirmedRequest
{
    public UnconfirmedService Service => UnconfirmedService.WhoIs;

    public static WhoIs Range(uint low, uint high) => new(low, high);

    public bool Matches(uint instance) => Low is null || (instance >= Low && instance <= High);

    public void Encode(ref BacnetWriter writer)
    {
        if (Low is not { } low || High is not { } high) return;
        writer.WriteUnsigned(0, true, low);
        writer.WriteUnsigned(1, true, high);
    }

    public static Decoded<WhoIs> Decode(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return new WhoIs();
        var r = new BacnetReader(data);
        var low = r.ReadUnsigned32(0, true, "device instance range low limit");
        if (!low.Ok) return low.Error!;
        var high = r.ReadUnsigned32(1, true, "device instance range high limit");
        if (!high.Ok) return high.Error!;
        if (low.Value > ObjectId.MaxInstance || high.Value > ObjectId.MaxInstance)
            return new DecodeError(DecodeFailure.InvalidValue, 0, "Who-Is limit above 4194303");
        if (r.ExpectEnd() is { } end) return end;
        return new WhoIs(low.Value, high.Value);
    }
}
