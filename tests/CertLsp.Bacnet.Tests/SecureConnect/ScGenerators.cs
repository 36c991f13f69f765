using CertLsp.Bacnet.SecureConnect;
using CsCheck;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>CsCheck generators for every BVLC-SC message type, header part and option combination.</summary>
internal static class ScGenerators
{
    public static readonly Gen<Vmac> AnyVmac = Gen.ULong.Select(v => new Vmac(v));

    public static readonly Gen<Vmac?> OptionalVmac = Gen.Bool.Select(AnyVmac, (has, v) => has ? v : (Vmac?)null);

    private static readonly Gen<EquatableArray<byte>> Octets = Gen.Byte.Array[0, 40].Select(b => (EquatableArray<byte>)b);

    public static readonly Gen<ScHeaderOption> Option = Gen.OneOf(
        Gen.Bool.Select(mu => new ScHeaderOption(ScHeaderOptionType.SecurePath, mu)),
        Gen.Select(Gen.UShort, Gen.Byte, Gen.Byte.Array[0, 20], Gen.Bool, (v, t, d, mu) => ScHeaderOption.Proprietary(v, t, d, mu)),
        Gen.Select(Gen.Byte[2, 30], Gen.Bool, Gen.Bool, Octets, (t, mu, has, d) =>
            new ScHeaderOption((ScHeaderOptionType)t, mu, has ? d : (EquatableArray<byte>?)null)));

    public static readonly Gen<EquatableArray<ScHeaderOption>> Options =
        Gen.Frequency((2, Gen.Const(default(EquatableArray<ScHeaderOption>))), (1, Option.Array[1, 4].Select(o =>
            (EquatableArray<ScHeaderOption>)o)));

    private static readonly Gen<string> Text = Gen.String[Gen.Char.Where(c => !char.IsSurrogate(c)), 0, 40];

    private static readonly Gen<string> Uri = Gen.String[Gen.Char['!', '~'], 1, 30];

    public static readonly Gen<ScFunction> Function = Gen.Byte[0, (byte)ScFunction.ProprietaryMessage].Select(f => (ScFunction)f);

    public static readonly Gen<ScPayload> Payload = Gen.OneOf(
        Gen.Select(Function, Gen.Bool, Gen.UShort, Gen.UShort, Text, Gen.Byte, (f, nak, c, e, d, m) =>
            (ScPayload)new ScPayload.Result(f, nak ? new ScNak(c, e, d, m) : null)),
        Gen.Byte.Array[1, 300].Select(n => (ScPayload)new ScPayload.EncapsulatedNpdu(n)),
        Gen.Const<ScPayload>(new ScPayload.AddressResolution()),
        Uri.Array[0, 4].Select(u => (ScPayload)new ScPayload.AddressResolutionAck(u)),
        Gen.Select(Gen.Byte[0, 2], Gen.Bool, Gen.UShort, Gen.UShort, (s, a, b, n) =>
            (ScPayload)new ScPayload.Advertisement((ScHubConnectionStatus)s, a, b, n)),
        Gen.Const<ScPayload>(new ScPayload.AdvertisementSolicitation()),
        Gen.Select(AnyVmac, Gen.Guid, Gen.UShort, Gen.UShort, (v, u, b, n) => (ScPayload)new ScPayload.ConnectRequest(v, u, b, n)),
        Gen.Select(AnyVmac, Gen.Guid, Gen.UShort, Gen.UShort, (v, u, b, n) => (ScPayload)new ScPayload.ConnectAccept(v, u, b, n)),
        Gen.Const<ScPayload>(new ScPayload.DisconnectRequest()),
        Gen.Const<ScPayload>(new ScPayload.DisconnectAck()),
        Gen.Const<ScPayload>(new ScPayload.HeartbeatRequest()),
        Gen.Const<ScPayload>(new ScPayload.HeartbeatAck()),
        Gen.Select(Gen.UShort, Gen.Byte, Octets, (v, f, d) => (ScPayload)new ScPayload.Proprietary(v, f, d)));

    public static readonly Gen<ScMessage> Message = Gen.Select(Gen.UShort, Payload, OptionalVmac, OptionalVmac, Options, Options,
        (id, p, o, d, dst, dat) => new ScMessage(id, p, o, d, dst, dat));
}
