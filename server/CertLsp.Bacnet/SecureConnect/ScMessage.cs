namespace CertLsp.Bacnet.SecureConnect;

/// <summary>
/// One header option (AB.2.3): the marker's must-understand bit and type, and the option data when the marker says it has data.
/// The more-follows bit is not kept: the encoder sets it on every option but the last of a list.
/// </summary>
public readonly record struct ScHeaderOption(ScHeaderOptionType Type, bool MustUnderstand, EquatableArray<byte>? Data = null)
{
    public const byte MoreFollows = 0x80, MustUnderstandBit = 0x40, HasData = 0x20, TypeMask = 0x1F;

    /// <summary>The Secure-Path data option: no data, must be understood (AB.2.3.1).</summary>
    public static ScHeaderOption SecurePath { get; } = new(ScHeaderOptionType.SecurePath, true);

    /// <summary>A proprietary header option: vendor identifier, the vendor's option type and its data (AB.2.3.2).</summary>
    public static ScHeaderOption Proprietary(ushort vendorId, byte proprietaryType, ReadOnlySpan<byte> data, bool mustUnderstand = false)
    {
        var bytes = new byte[3 + data.Length];
        bytes[0] = (byte)(vendorId >> 8);
        bytes[1] = (byte)vendorId;
        bytes[2] = proprietaryType;
        data.CopyTo(bytes.AsSpan(3));
        return new(ScHeaderOptionType.Proprietary, mustUnderstand, bytes);
    }

    /// <summary>The vendor identifier of a proprietary option whose data holds one; null otherwise.</summary>
    public ushort? VendorId => Type == ScHeaderOptionType.Proprietary && Data is { Count: >= 3 } d ? (ushort)(d[0] << 8 | d[1]) : null;

    /// <summary>The octets this option takes on the wire: the marker, then the length and data when it has data.</summary>
    public int EncodedLength => 1 + (Data is { } d ? 2 + d.Count : 0);
}

/// <summary>
/// A BVLC-SC message (AB.2.2): the Message-ID, the optional originating and destination VMACs, the destination and data
/// header options and the payload, whose type gives the function.
/// </summary>
/// <remarks>
/// The Message-ID is opaque: it holds the two octets as received (read big-endian), and the encoder writes them back the same
/// way, so an answer echoes exactly the octets of the request whatever byte order its sender used (bacnet-stack writes it in
/// host order).
/// </remarks>
public sealed record ScMessage(
    ushort MessageId, ScPayload Payload, Vmac? Originating = null, Vmac? Destination = null,
    EquatableArray<ScHeaderOption> DestinationOptions = default, EquatableArray<ScHeaderOption> DataOptions = default)
{
    public ScFunction Function => Payload.Function;

    public ScControl Control =>
        (Originating is null ? 0 : ScControl.OriginatingVmac) | (Destination is null ? 0 : ScControl.DestinationVmac)
        | (DestinationOptions.Count == 0 ? 0 : ScControl.DestinationOptions) | (DataOptions.Count == 0 ? 0 : ScControl.DataOptions);

    public override string ToString() =>
        $"{Function} id={MessageId:x4}{(Originating is { } o ? $" from {o}" : "")}{(Destination is { } d ? $" to {d}" : "")} {Payload}";
}

/// <summary>A BVLC-Result NAK's error (AB.2.4): marker, class and code, and the UTF-8 details.</summary>
public sealed record ScNak(ushort ErrorClass, ushort ErrorCode, string Details = "", byte ErrorHeaderMarker = 0)
{
    public ScNak(ScErrorClass errorClass, ScErrorCode errorCode, string details = "")
        : this((ushort)errorClass, (ushort)errorCode, details) { }

    /// <summary>
    /// Whether the NAK says <paramref name="errorClass"/>/<paramref name="errorCode"/>, read big-endian as the standard has it or
    /// byte-swapped as bacnet-stack writes them (host order on little-endian machines). No code of clause 18 collides with the
    /// swap of another, so the reading is unambiguous.
    /// </summary>
    public bool Is(ScErrorClass errorClass, ScErrorCode errorCode) =>
        (ErrorClass == (ushort)errorClass || ErrorClass == Swap((ushort)errorClass))
        && (ErrorCode == (ushort)errorCode || ErrorCode == Swap((ushort)errorCode));

    private static ushort Swap(ushort v) => (ushort)(v << 8 | v >> 8);
}

/// <summary>The payload of a BVLC-SC message, one record per function.</summary>
public abstract record ScPayload
{
    private ScPayload() { }

    public abstract ScFunction Function { get; }

    /// <summary>BVLC-Result: the function it answers, and the error when it is a NAK (null for an ACK).</summary>
    public sealed record Result(ScFunction ForFunction, ScNak? Nak = null) : ScPayload
    {
        public override ScFunction Function => ScFunction.Result;
    }

    public sealed record EncapsulatedNpdu(EquatableArray<byte> Npdu) : ScPayload
    {
        public override ScFunction Function => ScFunction.EncapsulatedNpdu;
        public override string ToString() => $"NPDU of {Npdu.Count} octets";
    }

    public sealed record AddressResolution : ScPayload
    {
        public override ScFunction Function => ScFunction.AddressResolution;
    }

    /// <summary>Address-Resolution-ACK: the WebSocket URIs the node accepts direct connections on (space-separated on the wire).
    /// </summary>
    public sealed record AddressResolutionAck(EquatableArray<string> Uris) : ScPayload
    {
        public override ScFunction Function => ScFunction.AddressResolutionAck;
    }

    public sealed record Advertisement(
        ScHubConnectionStatus HubStatus, bool AcceptsDirectConnections, ushort MaxBvlcLength, ushort MaxNpduLength) : ScPayload
    {
        public override ScFunction Function => ScFunction.Advertisement;
    }

    public sealed record AdvertisementSolicitation : ScPayload
    {
        public override ScFunction Function => ScFunction.AdvertisementSolicitation;
    }

    /// <summary>Connect-Request: the node's VMAC and Device UUID and the largest BVLC message and NPDU it accepts. The lengths
    /// are as received; <see cref="ScLengths"/> turns them into usable limits.</summary>
    public sealed record ConnectRequest(Vmac Vmac, Guid DeviceUuid, ushort MaxBvlcLength, ushort MaxNpduLength) : ScPayload
    {
        public override ScFunction Function => ScFunction.ConnectRequest;
    }

    /// <summary>Connect-Accept: the accepting peer's VMAC, Device UUID and lengths.</summary>
    public sealed record ConnectAccept(Vmac Vmac, Guid DeviceUuid, ushort MaxBvlcLength, ushort MaxNpduLength) : ScPayload
    {
        public override ScFunction Function => ScFunction.ConnectAccept;
    }

    public sealed record DisconnectRequest : ScPayload
    {
        public override ScFunction Function => ScFunction.DisconnectRequest;
    }

    public sealed record DisconnectAck : ScPayload
    {
        public override ScFunction Function => ScFunction.DisconnectAck;
    }

    public sealed record HeartbeatRequest : ScPayload
    {
        public override ScFunction Function => ScFunction.HeartbeatRequest;
    }

    public sealed record HeartbeatAck : ScPayload
    {
        public override ScFunction Function => ScFunction.HeartbeatAck;
    }

    /// <summary>Proprietary-Message: vendor identifier, the vendor's function and its data.</summary>
    public sealed record Proprietary(ushort VendorId, byte ProprietaryFunction, EquatableArray<byte> Data) : ScPayload
    {
        public override ScFunction Function => ScFunction.ProprietaryMessage;
    }
}
