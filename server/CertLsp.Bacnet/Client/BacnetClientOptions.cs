using CertLsp.Bacnet.Link;

namespace CertLsp.Bacnet.Client;

/// <summary>
/// How a client binds and behaves. <see cref="Bind"/> and <see cref="Broadcast"/> have no defaults: the caller
/// always names the interface address and the directed broadcast address.
/// </summary>
public sealed record BacnetClientOptions(BipEndpoint Bind, BipEndpoint? Broadcast)
{
    /// <summary>Options for a client on a datalink the caller made (<see cref="BacnetClient.Start(IDatalink, BacnetClientOptions)"/>):
    /// no bind or broadcast address.</summary>
    public BacnetClientOptions() : this(default, null) { }

    /// <summary>Also bind a socket on the broadcast address to hear broadcast I-Ams (needs the BACnet port).</summary>
    public bool ListenForBroadcasts { get; init; }
    public TimeSpan ApduTimeout { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan SegmentTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public int Retries { get; init; } = 3;
    /// <summary>
    /// How long an invoke id whose transaction ended without a clean answer (timeout, resend, abort, cancellation) is kept from
    /// reuse with that device, so a late answer to it cannot be taken for the answer to a new request.
    /// </summary>
    public TimeSpan LateAnswerHold { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Confirmed requests in flight at once (invoke ids are one byte per peer).</summary>
    public int MaxConcurrentRequests { get; init; } = 255;
    /// <summary>The largest APDU this client accepts (1476 on BACnet/IP).</summary>
    public int MaxApduAccepted { get; init; } = Application.Apdu.MaxApduLength;
    /// <summary>Whether requests say segmented responses are accepted (a device answers a too-large response with an abort
    /// otherwise).</summary>
    public bool AcceptSegmentedResponses { get; init; } = true;
    /// <summary>Largest reassembled segmented response.</summary>
    public int MaxResponseBytes { get; init; } = 1 << 20;
}
