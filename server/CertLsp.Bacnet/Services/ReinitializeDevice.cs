using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Services;

/// <summary>ReinitializeDevice-Request (16.4.1.1); answered by a SimpleACK. ACTIVATE_CHANGES (7) applies pending Network Port
/// changes.</summary>
public sealed record ReinitializeDeviceRequest(ReinitializedState State, string? Password = null) : IConfirmedRequest
{
    public const int MaxPasswordLength = 20;

    public ConfirmedService Service => ConfirmedService.ReinitializeDevice;

    public void Encode(ref BacnetWriter writer)
    {
        writer.WriteEnumerated(0, true, (uint)State);
        if (Password is not null) writer.WriteCharacterString(1, true, Password);
    }

    public static Decoded<ReinitializeDeviceRequest> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BacnetReader(data);
        var state = r.ReadEnumerated(0, true, "reinitialized state of device");
        if (!state.Ok) return state.Error!;
        string? password = null;
        if (!r.AtEnd)
        {
            var p = r.ReadCharacterString(1, true, "password");
            if (!p.Ok) return p.Error!;
            if (p.Value.Length > MaxPasswordLength) return new DecodeError(DecodeFailure.Oversized, 0,
                $"password of {p.Value.Length} characters (at most 20)");
            password = p.Value;
        }
        if (r.ExpectEnd() is { } end) return end;
        return new ReinitializeDeviceRequest((ReinitializedState)state.Value, password);
    }
}
