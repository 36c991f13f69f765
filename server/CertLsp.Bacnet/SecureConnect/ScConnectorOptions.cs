using System.Security.Cryptography.X509Certificates;

namespace CertLsp.Bacnet.SecureConnect;

/// <summary>
/// Decides whether a hub's TLS certificate is accepted: the hub's URI (its host must be in the certificate), the hub's leaf and
/// the other certificates it sent (null when none). <see cref="ScPeerVerifier.CheckHub"/> is the Annex AB check.
/// Returns null when accepted, else the reason it is refused (reported in the hub's connection status).
/// </summary>
public delegate string? ScCertificateCheck(Uri hub, X509Certificate2 certificate, X509Certificate2Collection? presented);

/// <summary>
/// What a node's hub connector needs (the SC properties of its Network Port, Annex AB.6). There are no defaults for the hubs, the
/// certificate or the verifier: the hub's certificate is checked only by <see cref="VerifyHub"/>, never by the operating
/// system's trust store.
/// </summary>
public sealed record ScConnectorOptions
{
    /// <summary>SC_Primary_Hub_URI: a wss:// URI.</summary>
    public required Uri PrimaryHub { get; init; }

    /// <summary>SC_Failover_Hub_URI, or none.</summary>
    public Uri? FailoverHub { get; init; }

    /// <summary>The node's operational certificate with its private key (sent as the TLS client certificate).</summary>
    public required X509Certificate2 Certificate { get; init; }

    /// <summary>Checks the hub's certificate. <see cref="ScVerifiers.NoneConfigured"/> refuses every hub with a reason that says
    /// a verifier is missing.</summary>
    public required ScCertificateCheck VerifyHub { get; init; }

    /// <summary>The Device UUID of Connect-Request.</summary>
    public Guid DeviceUuid { get; init; } = Guid.NewGuid();

    /// <summary>The VMAC to start with (null: a random one). A duplicate-VMAC NAK draws a new random one.</summary>
    public Vmac? Vmac { get; init; }

    /// <summary>SC_Connect_Wait_Timeout: the wait for TLS, the WebSocket upgrade and Connect-Accept together.</summary>
    public TimeSpan ConnectWaitTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>SC_Disconnect_Wait_Timeout: the wait for Disconnect-ACK.</summary>
    public TimeSpan DisconnectWaitTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>SC_Heartbeat_Timeout: with nothing received for this long, a Heartbeat-Request is sent; with nothing received for
    /// twice this long the connection is taken for dead and closed.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>SC_Minimum_Reconnect_Time and SC_Maximum_Reconnect_Time: the back-off between rounds of connection attempts
    /// starts at the minimum and doubles up to the maximum.</summary>
    public TimeSpan MinimumReconnectTime { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaximumReconnectTime { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>Max_BVLC_Length_Accepted and Max_NPDU_Length_Accepted, announced in Connect-Request.</summary>
    public ushort MaxBvlcLength { get; init; } = ScLengths.OwnMaxBvlcLength;

    public ushort MaxNpduLength { get; init; } = ScLengths.OwnMaxNpduLength;

    /// <summary>Connect-Requests with a new VMAC after duplicate-VMAC NAKs before a hub counts as failed.</summary>
    public int DuplicateVmacRetries { get; init; } = 3;
}

/// <summary>Hub verifiers that need nothing from the site.</summary>
public static class ScVerifiers
{
    /// <summary>Refuses every hub: the caller must pass the site's verifier (Annex AB: the peer is verified against the site's
    /// issuers, never the OS trust store).</summary>
    public static string? NoneConfigured(Uri hub, X509Certificate2 certificate, X509Certificate2Collection? presented) =>
        "no verifier for the hub's certificate was configured (the site's issuer certificates are needed)";
}

/// <summary>The state of one hub connection, a node's or a hub function's (BACnetSCConnectionState, clause 21).</summary>
public enum ScConnectionState : byte
{
    NotConnected = 0, Connected = 1, DisconnectedWithErrors = 2, FailedToConnect = 3,
}

/// <summary>
/// One hub connection's status as SC_Primary_Hub_Connection_Status and SC_Failover_Hub_Connection_Status report it
/// (BACnetSCHubConnection): the state, when it connected and disconnected, and the error with its text when it failed.
/// </summary>
public sealed record ScHubConnectionReport(ScConnectionState State, DateTimeOffset? ConnectTime = null,
    DateTimeOffset? DisconnectTime = null, ScErrorCode? Error = null, string? ErrorDetails = null)
{
    public static ScHubConnectionReport Initial { get; } = new(ScConnectionState.NotConnected);
}
