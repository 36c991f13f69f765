namespace CertLsp.Bacnet.SecureConnect;

/// <summary>
/// The messages a node connector and a hub function build: requests take a fresh Message-ID, answers echo the request's.
/// </summary>
public static class ScMessages
{
    public static ScMessage ConnectRequest(ushort messageId, Vmac vmac, Guid deviceUuid,
        ushort maxBvlcLength = ScLengths.OwnMaxBvlcLength, ushort maxNpduLength = ScLengths.OwnMaxNpduLength) =>
        new(messageId, new ScPayload.ConnectRequest(vmac, deviceUuid, maxBvlcLength, maxNpduLength));

    public static ScMessage ConnectAccept(ScMessage request, Vmac vmac, Guid deviceUuid,
        ushort maxBvlcLength = ScLengths.OwnMaxBvlcLength, ushort maxNpduLength = ScLengths.OwnMaxNpduLength) =>
        new(request.MessageId, new ScPayload.ConnectAccept(vmac, deviceUuid, maxBvlcLength, maxNpduLength));

    public static ScMessage HeartbeatRequest(ushort messageId) => new(messageId, new ScPayload.HeartbeatRequest());

    public static ScMessage HeartbeatAck(ScMessage request) => new(request.MessageId, new ScPayload.HeartbeatAck());

    public static ScMessage DisconnectRequest(ushort messageId) => new(messageId, new ScPayload.DisconnectRequest());

    public static ScMessage DisconnectAck(ScMessage request) => new(request.MessageId, new ScPayload.DisconnectAck());

    /// <summary>A BVLC-Result ACK of <paramref name="request"/>, addressed back to its originator when it had one.</summary>
    public static ScMessage Ack(ScMessage request) =>
        new(request.MessageId, new ScPayload.Result(request.Function), Destination: request.Originating);

    /// <summary>A BVLC-Result NAK of <paramref name="request"/> (error class communication unless told), addressed back to its
    /// originator when it had one.</summary>
    public static ScMessage Nak(ScMessage request, ScErrorCode code, string details = "",
        ScErrorClass errorClass = ScErrorClass.Communication) =>
        new(request.MessageId, new ScPayload.Result(request.Function, new ScNak(errorClass, code, details)),
            Destination: request.Originating);

    /// <summary>A NAK of a request that could not be decoded into a message: only its function and Message-ID are known.</summary>
    public static ScMessage Nak(ScFunction function, ushort messageId, ScErrorCode code, string details = "") =>
        new(messageId, new ScPayload.Result(function, new ScNak(ScErrorClass.Communication, code, details)));

    /// <summary>An NPDU from a node to the hub: destination VMAC (a peer or broadcast), no originating VMAC (the hub adds it;
    /// bacnet-stack's hub drops a node's message that has one).</summary>
    public static ScMessage NpduToHub(ushort messageId, Vmac destination, ReadOnlySpan<byte> npdu) =>
        new(messageId, new ScPayload.EncapsulatedNpdu(npdu.ToArray()), Destination: destination);

    public static ScMessage Npdu(ushort messageId, Vmac? originating, Vmac? destination, ReadOnlySpan<byte> npdu) =>
        new(messageId, new ScPayload.EncapsulatedNpdu(npdu.ToArray()), originating, destination);
}
