using CertLsp.Bacnet.Link;

namespace CertLsp.Bacnet.SecureConnect;

/// <summary>
/// BACnet/SC as an <see cref="IDatalink"/> over a hub (Annex AB.5): NPDUs go to the hub in Encapsulated-NPDUs with a Destination
/// VMAC (a peer's, or the broadcast VMAC) and no Originating VMAC; from the hub they come with the Originating VMAC of their
/// sender, which becomes the source MAC. Messages that carry no NPDU, or an NPDU without an originating VMAC, are counted and
/// dropped. The connector behind it reconnects by itself; while it is not connected, sends return false.
/// </summary>
public sealed class ScDatalink : IDatalink
{
    private long malformed, handlerFailures;

    /// <summary>Starts a hub connector with <paramref name="options"/>; the datalink owns it.</summary>
    public ScDatalink(ScConnectorOptions options)
    {
        Connector = new ScHubConnector(options);
        Connector.MessageReceived += OnMessage;
    }

    public event NpduHandler? NpduReceived;

    /// <summary>The hub connector: its state and statuses are what the Network Port reports.</summary>
    public ScHubConnector Connector { get; }

    public BacnetMac Local => Connector.Vmac;
    public int MaxNpduLength => Connector.MaxNpduLength;
    public long MalformedReceived => Interlocked.Read(ref malformed) + Connector.MalformedReceived;
    public long HandlerFailures => Interlocked.Read(ref handlerFailures) + Connector.HandlerFailures;
    public long FramesSent => Connector.MessagesSent;
    public long FramesReceived => Connector.MessagesReceived;

    public bool Send(ReadOnlySpan<byte> npdu, BacnetMac destination) =>
        destination.IsSecureConnect && !destination.Vmac.IsBroadcast && SendTo(npdu, destination.Vmac);

    public bool Broadcast(ReadOnlySpan<byte> npdu) => SendTo(npdu, Vmac.Broadcast);

    private bool SendTo(ReadOnlySpan<byte> npdu, Vmac destination) =>
        !npdu.IsEmpty && npdu.Length <= MaxNpduLength
        && Connector.Send(ScMessages.NpduToHub(Connector.NextMessageId(), destination, npdu));

    private void OnMessage(ScMessage message)
    {
        if (message.Payload is not ScPayload.EncapsulatedNpdu npdu) return;
        if (message.Originating is not { } source || source.IsBroadcast) { Interlocked.Increment(ref malformed); return; }
        // from the hub: a unicast has its destination removed, a broadcast keeps the broadcast VMAC
        var broadcast = message.Destination is { IsBroadcast: true };
        if (message.Destination is { IsBroadcast: false } destination && destination != Connector.Vmac)
        {
            Interlocked.Increment(ref malformed);
            return;
        }
        try { NpduReceived?.Invoke(npdu.Npdu.Items.AsSpan(), source, broadcast); }
        catch (Exception) { Interlocked.Increment(ref handlerFailures); }
    }

    /// <summary>Disconnects from the hub in order (Disconnect-Request, Disconnect-ACK) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        Connector.MessageReceived -= OnMessage;
        await Connector.DisposeAsync().ConfigureAwait(false);
    }
}
