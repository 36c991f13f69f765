namespace CertLsp.Bacnet.Link;

/// <summary>
/// Called for every NPDU a datalink receives, with the MAC it came from and whether it came as a broadcast; must not block.
/// The span is valid only during the call. Exceptions it throws are counted (<see cref="IDatalink.HandlerFailures"/>), never
/// propagated.
/// </summary>
public delegate void NpduHandler(ReadOnlySpan<byte> npdu, BacnetMac source, bool broadcast);

/// <summary>
/// A BACnet datalink as the network layer sees it (clause 6 over Annex J or Annex AB): it carries NPDUs unicast to a MAC or as a
/// local broadcast, and hands received NPDUs to its handler. The application layer on top does not care which one it is.
/// </summary>
public interface IDatalink : IAsyncDisposable
{
    /// <summary>This node's MAC on the datalink (for SC the VMAC it uses now, which may change after a duplicate-VMAC NAK).</summary>
    BacnetMac Local { get; }

    /// <summary>The largest NPDU this datalink carries (1497 on B/IP; on SC, what the hub accepts).</summary>
    int MaxNpduLength { get; }

    /// <summary>Sends an NPDU to one MAC; false when it could not be sent (a refused address, no connection). Never throws for a
    /// destination, since the address a reply goes to comes from the network.</summary>
    bool Send(ReadOnlySpan<byte> npdu, BacnetMac destination);

    /// <summary>Sends an NPDU as a local broadcast; false when it could not be sent. Throws InvalidOperationException when this
    /// datalink has no broadcast destination.</summary>
    bool Broadcast(ReadOnlySpan<byte> npdu);

    /// <summary>Received NPDUs. Set it before traffic is expected; frames received while it is null are dropped.</summary>
    event NpduHandler? NpduReceived;

    /// <summary>Frames received that could not be decoded (dropped).</summary>
    long MalformedReceived { get; }

    /// <summary>Frames whose handling threw (a bug, not a bad frame: bad frames are decode results).</summary>
    long HandlerFailures { get; }

    /// <summary>Frames sent and received (for the benchmark's packets per device).</summary>
    long FramesSent { get; }

    long FramesReceived { get; }
}
