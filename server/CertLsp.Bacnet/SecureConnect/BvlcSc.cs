using System.Collections.Immutable;
using System.Text.Unicode;
using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.SecureConnect;

/// <summary>
/// Encodes and decodes BVLC-SC messages (Annex AB.2): one WebSocket binary message is one BVLC-SC message. The decoder never
/// throws: bad input gives a <see cref="DecodeError"/>, and what it allocates is bounded by the input (the copied payload, the
/// option data and the strings).
/// </summary>
public static class BvlcSc
{
    public const int HeaderLength = 4;
    /// <summary>The Connect-Request/Accept payload: VMAC, Device UUID, Max-BVLC-Length, Max-NPDU-Length.</summary>
    public const int ConnectPayloadLength = Vmac.Length + 16 + 2 + 2;
    public const int AdvertisementPayloadLength = 6;

    // ---- decoding ----

    /// <summary>
    /// Decodes one message. <paramref name="maxLength"/> bounds what is accepted (the Max-BVLC-Length this node announced):
    /// a longer message is <see cref="DecodeFailure.Oversized"/>.
    /// </summary>
    public static Decoded<ScMessage> Decode(ReadOnlySpan<byte> message, int maxLength = ScLengths.OwnMaxBvlcLength)
    {
        if (message.Length > maxLength)
            return new DecodeError(DecodeFailure.Oversized, 0, $"a BVLC-SC message of {message.Length} octets exceeds {maxLength}");
        if (message.Length < HeaderLength)
            return new DecodeError(DecodeFailure.Truncated, 0, $"a BVLC-SC header needs 4 octets, got {message.Length}");
        var function = (ScFunction)message[0];
        if (function > ScFunction.ProprietaryMessage)
            return new DecodeError(DecodeFailure.InvalidValue, 0, $"unknown BVLC-SC function 0x{message[0]:X2}");
        var control = message[1];
        if ((control & 0xF0) != 0)
            return new DecodeError(DecodeFailure.InvalidValue, 1, $"reserved control bits set in 0x{control:X2}");
        var messageId = (ushort)(message[2] << 8 | message[3]);
        var at = HeaderLength;
        Vmac? originating = null, destination = null;
        if ((control & (byte)ScControl.OriginatingVmac) != 0)
        {
            if (message.Length < at + Vmac.Length) return new DecodeError(DecodeFailure.Truncated, at, "the Originating VMAC is cut off");
            originating = Vmac.FromOctets(message[at..]);
            at += Vmac.Length;
        }
        if ((control & (byte)ScControl.DestinationVmac) != 0)
        {
            if (message.Length < at + Vmac.Length) return new DecodeError(DecodeFailure.Truncated, at, "the Destination VMAC is cut off");
            destination = Vmac.FromOctets(message[at..]);
            at += Vmac.Length;
        }
        EquatableArray<ScHeaderOption> destinationOptions = default, dataOptions = default;
        if ((control & (byte)ScControl.DestinationOptions) != 0)
        {
            var options = DecodeOptions(message, ref at, "destination");
            if (!options.Ok) return options.Error!;
            destinationOptions = options.Value;
        }
        if ((control & (byte)ScControl.DataOptions) != 0)
        {
            var options = DecodeOptions(message, ref at, "data");
            if (!options.Ok) return options.Error!;
            dataOptions = options.Value;
        }
        var payload = DecodePayload(function, message[at..], at);
        if (!payload.Ok) return payload.Error!;
        return new ScMessage(messageId, payload.Value, originating, destination, destinationOptions, dataOptions);
    }

    private static Decoded<EquatableArray<ScHeaderOption>> DecodeOptions(ReadOnlySpan<byte> message, ref int at, string list)
    {
        var options = ImmutableArray.CreateBuilder<ScHeaderOption>();
        while (true)
        {
            if (at >= message.Length)
                return new DecodeError(DecodeFailure.Truncated, at, $"the {list} option list ends before its last option");
            var marker = message[at];
            // Types this node does not know are kept: the receiver NAKs them when they must be understood (AB.2.3).
            var type = marker & ScHeaderOption.TypeMask;
            var optionStart = at++;
            EquatableArray<byte>? data = null;
            if ((marker & ScHeaderOption.HasData) != 0)
            {
                if (message.Length < at + 2)
                    return new DecodeError(DecodeFailure.Truncated, at, $"the {list} option at {optionStart} has no data length");
                var length = message[at] << 8 | message[at + 1];
                at += 2;
                if (message.Length - at < length)
                    return new DecodeError(DecodeFailure.Truncated, at - 2,
                        $"the {list} option at {optionStart} announces {length} octets, {message.Length - at} remain");
                data = ImmutableArray.Create(message.Slice(at, length));
                at += length;
            }
            if (type == (byte)ScHeaderOptionType.SecurePath && data is not null)
                return new DecodeError(DecodeFailure.WrongLength, optionStart, "the Secure-Path option carries no data");
            if (type == (byte)ScHeaderOptionType.Proprietary && data is not { Count: >= 3 })
                return new DecodeError(DecodeFailure.WrongLength, optionStart,
                    "a proprietary option needs a vendor identifier and an option type");
            options.Add(new ScHeaderOption((ScHeaderOptionType)type, (marker & ScHeaderOption.MustUnderstandBit) != 0, data));
            if ((marker & ScHeaderOption.MoreFollows) == 0) return new EquatableArray<ScHeaderOption>(options.ToImmutable());
        }
    }

    private static Decoded<ScPayload> DecodePayload(ScFunction function, ReadOnlySpan<byte> p, int offset)
    {
        switch (function)
        {
            case ScFunction.Result:
                return DecodeResult(p, offset);
            case ScFunction.EncapsulatedNpdu:
                if (p.IsEmpty) return new DecodeError(DecodeFailure.Truncated, offset, "an Encapsulated-NPDU without an NPDU");
                return new ScPayload.EncapsulatedNpdu(ImmutableArray.Create(p));
            case ScFunction.AddressResolutionAck:
                if (!Utf8.IsValid(p)) return new DecodeError(DecodeFailure.InvalidValue, offset, "the URIs are not UTF-8");
                return new ScPayload.AddressResolutionAck(SplitUris(System.Text.Encoding.UTF8.GetString(p)));
            case ScFunction.Advertisement:
                if (p.Length != AdvertisementPayloadLength) return WrongLength(function, p.Length, AdvertisementPayloadLength, offset);
                if (p[0] > (byte)ScHubConnectionStatus.ConnectedToFailoverHub)
                    return new DecodeError(DecodeFailure.InvalidValue, offset, $"hub connection status {p[0]}");
                if (p[1] > 1) return new DecodeError(DecodeFailure.InvalidValue, offset + 1, $"accept-direct-connections {p[1]}");
                return new ScPayload.Advertisement((ScHubConnectionStatus)p[0], p[1] == 1, (ushort)(p[2] << 8 | p[3]),
                    (ushort)(p[4] << 8 | p[5]));
            case ScFunction.ConnectRequest or ScFunction.ConnectAccept:
                if (p.Length != ConnectPayloadLength) return WrongLength(function, p.Length, ConnectPayloadLength, offset);
                var vmac = Vmac.FromOctets(p);
                var uuid = new Guid(p.Slice(Vmac.Length, 16), bigEndian: true);
                var maxBvlc = (ushort)(p[22] << 8 | p[23]);
                var maxNpdu = (ushort)(p[24] << 8 | p[25]);
                return function == ScFunction.ConnectRequest
                    ? new ScPayload.ConnectRequest(vmac, uuid, maxBvlc, maxNpdu)
                    : new ScPayload.ConnectAccept(vmac, uuid, maxBvlc, maxNpdu);
            case ScFunction.ProprietaryMessage:
                if (p.Length < 3) return new DecodeError(DecodeFailure.Truncated, offset,
                    "a Proprietary-Message needs a vendor identifier and a function");
                return new ScPayload.Proprietary((ushort)(p[0] << 8 | p[1]), p[2], ImmutableArray.Create(p[3..]));
            default:
                if (!p.IsEmpty) return new DecodeError(DecodeFailure.TrailingData, offset,
                    $"{function} has no payload, got {p.Length} octets");
                return EmptyPayload(function);
        }
    }

    private static ScPayload EmptyPayload(ScFunction function) => function switch
    {
        ScFunction.AddressResolution => new ScPayload.AddressResolution(),
        ScFunction.AdvertisementSolicitation => new ScPayload.AdvertisementSolicitation(),
        ScFunction.DisconnectRequest => new ScPayload.DisconnectRequest(),
        ScFunction.DisconnectAck => new ScPayload.DisconnectAck(),
        ScFunction.HeartbeatRequest => new ScPayload.HeartbeatRequest(),
        _ => new ScPayload.HeartbeatAck(),
    };

    private static DecodeError WrongLength(ScFunction function, int length, int expected, int offset) =>
        new(length < expected ? DecodeFailure.Truncated : DecodeFailure.TrailingData, offset,
            $"a {function} payload has {expected} octets, got {length}");

    private static Decoded<ScPayload> DecodeResult(ReadOnlySpan<byte> p, int offset)
    {
        if (p.Length < 2) return new DecodeError(DecodeFailure.Truncated, offset, "a BVLC-Result needs a function and a result code");
        if (p[0] > (byte)ScFunction.ProprietaryMessage)
            return new DecodeError(DecodeFailure.InvalidValue, offset, $"a BVLC-Result for unknown function 0x{p[0]:X2}");
        var forFunction = (ScFunction)p[0];
        switch (p[1])
        {
            case 0:
                if (p.Length != 2) return new DecodeError(DecodeFailure.TrailingData, offset + 2, "an ACK carries nothing after its code");
                return new ScPayload.Result(forFunction);
            case 1:
                if (p.Length < 7) return new DecodeError(DecodeFailure.Truncated, offset + 2,
                    "a NAK needs an error header marker, an error class and an error code");
                var details = p[7..];
                if (!Utf8.IsValid(details)) return new DecodeError(DecodeFailure.InvalidValue, offset + 7, "NAK details are not UTF-8");
                return new ScPayload.Result(forFunction, new ScNak((ushort)(p[3] << 8 | p[4]), (ushort)(p[5] << 8 | p[6]),
                    System.Text.Encoding.UTF8.GetString(details), p[2]));
            default:
                return new DecodeError(DecodeFailure.InvalidValue, offset + 1, $"result code {p[1]} (0 ACK, 1 NAK)");
        }
    }

    /// <summary>Splits the space-separated URIs of an Address-Resolution-ACK (runs of spaces separate too).</summary>
    public static EquatableArray<string> SplitUris(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    // ---- encoding ----

    /// <summary>The octets <paramref name="message"/> takes on the wire.</summary>
    public static int EncodedLength(ScMessage message) =>
        HeaderLength + (message.Originating is null ? 0 : Vmac.Length) + (message.Destination is null ? 0 : Vmac.Length)
        + message.DestinationOptions.Sum(o => o.EncodedLength) + message.DataOptions.Sum(o => o.EncodedLength)
        + PayloadLength(message.Payload);

    private static int PayloadLength(ScPayload payload) => payload switch
    {
        ScPayload.Result { Nak: null } => 2,
        ScPayload.Result { Nak: { } nak } => 7 + System.Text.Encoding.UTF8.GetByteCount(nak.Details),
        ScPayload.EncapsulatedNpdu n => n.Npdu.Count,
        ScPayload.AddressResolutionAck a => System.Text.Encoding.UTF8.GetByteCount(string.Join(' ', a.Uris)),
        ScPayload.Advertisement => AdvertisementPayloadLength,
        ScPayload.ConnectRequest or ScPayload.ConnectAccept => ConnectPayloadLength,
        ScPayload.Proprietary p => 3 + p.Data.Count,
        _ => 0,
    };

    /// <summary>Encodes <paramref name="message"/>; a buffer too small gives an overflow result, never an exception.</summary>
    public static EncodeResult Encode(Span<byte> buffer, ScMessage message)
    {
        var w = new BacnetWriter(buffer);
        w.WriteByte((byte)message.Function);
        w.WriteByte((byte)message.Control);
        w.WriteUInt16(message.MessageId);
        if (message.Originating is { } o) WriteVmac(ref w, o);
        if (message.Destination is { } d) WriteVmac(ref w, d);
        WriteOptions(ref w, message.DestinationOptions);
        WriteOptions(ref w, message.DataOptions);
        WritePayload(ref w, message.Payload);
        return w.Result;
    }

    /// <summary>Encodes <paramref name="message"/> into a new array of exactly its length.</summary>
    public static byte[] ToArray(ScMessage message)
    {
        var bytes = new byte[EncodedLength(message)];
        Encode(bytes, message);
        return bytes;
    }

    private static void WriteVmac(ref BacnetWriter w, Vmac vmac)
    {
        Span<byte> octets = stackalloc byte[Vmac.Length];
        vmac.WriteTo(octets);
        w.WriteBytes(octets);
    }

    private static void WriteOptions(ref BacnetWriter w, EquatableArray<ScHeaderOption> options)
    {
        for (var i = 0; i < options.Count; i++)
        {
            var option = options[i];
            var marker = (byte)((byte)option.Type & ScHeaderOption.TypeMask);
            if (i < options.Count - 1) marker |= ScHeaderOption.MoreFollows;
            if (option.MustUnderstand) marker |= ScHeaderOption.MustUnderstandBit;
            if (option.Data is not null) marker |= ScHeaderOption.HasData;
            w.WriteByte(marker);
            if (option.Data is not { } bytes) continue;
            w.WriteUInt16((ushort)bytes.Count);
            w.WriteBytes(bytes.Items.AsSpan());
        }
    }

    private static void WritePayload(ref BacnetWriter w, ScPayload payload)
    {
        switch (payload)
        {
            case ScPayload.Result r:
                w.WriteByte((byte)r.ForFunction);
                w.WriteByte(r.Nak is null ? (byte)0 : (byte)1);
                if (r.Nak is not { } nak) return;
                w.WriteByte(nak.ErrorHeaderMarker);
                w.WriteUInt16(nak.ErrorClass);
                w.WriteUInt16(nak.ErrorCode);
                w.WriteBytes(System.Text.Encoding.UTF8.GetBytes(nak.Details));
                return;
            case ScPayload.EncapsulatedNpdu n:
                w.WriteBytes(n.Npdu.Items.AsSpan());
                return;
            case ScPayload.AddressResolutionAck a:
                w.WriteBytes(System.Text.Encoding.UTF8.GetBytes(string.Join(' ', a.Uris)));
                return;
            case ScPayload.Advertisement a:
                w.WriteByte((byte)a.HubStatus);
                w.WriteByte(a.AcceptsDirectConnections ? (byte)1 : (byte)0);
                w.WriteUInt16(a.MaxBvlcLength);
                w.WriteUInt16(a.MaxNpduLength);
                return;
            case ScPayload.ConnectRequest c:
                WriteConnect(ref w, c.Vmac, c.DeviceUuid, c.MaxBvlcLength, c.MaxNpduLength);
                return;
            case ScPayload.ConnectAccept c:
                WriteConnect(ref w, c.Vmac, c.DeviceUuid, c.MaxBvlcLength, c.MaxNpduLength);
                return;
            case ScPayload.Proprietary p:
                w.WriteUInt16(p.VendorId);
                w.WriteByte(p.ProprietaryFunction);
                w.WriteBytes(p.Data.Items.AsSpan());
                return;
            default:
                return;
        }
    }

    private static void WriteConnect(ref BacnetWriter w, Vmac vmac, Guid uuid, ushort maxBvlc, ushort maxNpdu)
    {
        WriteVmac(ref w, vmac);
        Span<byte> octets = stackalloc byte[16];
        uuid.TryWriteBytes(octets, bigEndian: true, out _);
        w.WriteBytes(octets);
        w.WriteUInt16(maxBvlc);
        w.WriteUInt16(maxNpdu);
    }
}
