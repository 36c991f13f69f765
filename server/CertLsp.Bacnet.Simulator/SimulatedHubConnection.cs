using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Simulator;

/// <summary>
/// A simulated device's BACnet/SC port at work: once the device has an active operational certificate, a hub connector
/// (<see cref="ScDatalink"/>) to its SC_Primary_Hub_URI and SC_Failover_Hub_URI with the device's own key and that certificate,
/// and the device's application layer on it (<see cref="DeviceEndpoint"/>). A newly activated certificate replaces the connection
/// (after the ReinitializeDevice answer has gone out); the Network Port reads its state from here.
/// </summary>
internal sealed class SimulatedHubConnection : IAsyncDisposable
{
    /// <summary>How long a device waits after activating a certificate before it reconnects with it: its answer to
    /// ReinitializeDevice goes out on the old connection first.</summary>
    private static readonly TimeSpan ActivationSettle = TimeSpan.FromMilliseconds(100);

    private readonly SimulatedDevice device;
    private readonly SimulatedScOptions options;
    private readonly ScCertificateCheck verifyHub;
    private readonly ScPeerVerifier siteIssuers;
    private readonly SemaphoreSlim switching = new(1, 1);
    private readonly List<DeviceEndpoint> endpoints = [];  // every endpoint made: their counts still count
    private (ScDatalink Link, DeviceEndpoint Endpoint)? current;
    private ScHubConnectionReport? localFailure;  // the certificate cannot be used at all (no handshake possible)
    private string? ownCertificateProblem;  // what a hub with the site's issuers finds wrong with the device's certificate
    private bool disposed;

    public SimulatedHubConnection(SimulatedDevice device, SimulatedScOptions options, Uri primary, Uri? failover)
    {
        this.device = device;
        this.options = options;
        Primary = primary;
        Failover = failover;
        siteIssuers = new ScPeerVerifier(options.Issuers);
        verifyHub = siteIssuers.CheckHub;
        device.CertificateActivated += ReconnectSoon;
    }

    /// <summary>Reconnects in the background once the answer to the request that caused it has gone out.</summary>
    private void ReconnectSoon() => _ = Task.Run(async () =>
    {
        await Task.Delay(ActivationSettle).ConfigureAwait(false);
        await ConnectAsync().ConfigureAwait(false);
    });

    /// <summary>SC_Primary_Hub_URI and SC_Failover_Hub_URI.</summary>
    public Uri Primary { get; private set; }
    public Uri? Failover { get; private set; }

    /// <summary>A client wrote SC_Primary_Hub_URI or SC_Failover_Hub_URI: the device joins the new hub(s) (after its answer).</summary>
    public void Retarget(Uri primary, Uri? failover)
    {
        lock (endpoints)
        {
            Primary = primary;
            Failover = failover;
        }
        ReconnectSoon();
    }
    public SimulatedScOptions Options => options;

    /// <summary>The options of the hub connector in use (null before one was started).</summary>
    public ScConnectorOptions? Settings { get; private set; }

    /// <summary>The hub connector in use (null before the device has a usable certificate).</summary>
    public ScHubConnector? Connector { get { lock (endpoints) return current?.Link.Connector; } }

    public ScHubConnectionStatus State => Connector?.State ?? ScHubConnectionStatus.NoHubConnection;

    public ScHubConnectionReport PrimaryStatus
    {
        get { lock (endpoints) return localFailure ?? Explained(current?.Link.Connector.PrimaryStatus); }
    }

    public ScHubConnectionReport FailoverStatus
    {
        get { lock (endpoints) return Explained(current?.Link.Connector.FailoverStatus); }
    }

    /// <summary>
    /// A failed connection with the reason the device can give: a hub that refuses a client certificate ends the TLS handshake with
    /// an alert that does not say why, so a device that finds its own certificate wrong by the site's issuers (expired, from
    /// another CA, without clientAuth) says that too, as a device's diagnostics would.
    /// </summary>
    private ScHubConnectionReport Explained(ScHubConnectionReport? report)
    {
        if (report is null) return ScHubConnectionReport.Initial;
        if (report.State != ScConnectionState.FailedToConnect || ownCertificateProblem is not { } problem) return report;
        var code = report.Error is null or ScErrorCode.Other or ScErrorCode.TlsError or ScErrorCode.WebsocketError
            or ScErrorCode.WebsocketClosedByPeer or ScErrorCode.WebsocketClosedAbnormally ? ScHubHost.ErrorCode(problem) : report.Error;
        return report with { Error = code, ErrorDetails = $"{report.ErrorDetails} (the device's own certificate: {problem})" };
    }

    public IReadOnlyList<DeviceEndpoint> Endpoints { get { lock (endpoints) return [.. endpoints]; } }

    /// <summary>(Re)connects with the device's active certificate and key: the old connection (if any) is closed in order first.
    /// Nothing happens while the device has no active certificate.</summary>
    public async Task ConnectAsync()
    {
        await switching.WaitAsync().ConfigureAwait(false);
        try
        {
            if (disposed) return;
            await CloseCurrentAsync().ConfigureAwait(false);
            var (credential, problem) = device.ScCredential();
            if (problem is not null)
            {
                lock (endpoints)
                {
                    localFailure = new ScHubConnectionReport(ScConnectionState.FailedToConnect, null, DateTimeOffset.UtcNow,
                        ScErrorCode.TlsClientCertificateError, problem);
                }
                options.Log?.Invoke($"device {device.Spec.Instance}: cannot join {Primary}: {problem}");
                return;
            }
            if (credential is null) return;
            var ownProblem = siteIssuers.Verify(credential, ScPeerRole.Node);
            (Uri Primary, Uri? Failover) hubs;
            lock (endpoints) hubs = (Primary, Failover);
            var settings = new ScConnectorOptions
            {
                PrimaryHub = hubs.Primary,
                FailoverHub = hubs.Failover,
                Certificate = credential,
                VerifyHub = verifyHub,
                DeviceUuid = device.Uuid,
                Vmac = device.DefaultVmac,
                MinimumReconnectTime = options.MinimumReconnectTime,
                MaximumReconnectTime = options.MaximumReconnectTime,
            };
            var link = new ScDatalink(settings);
            Settings = settings;
            var endpoint = new DeviceEndpoint(link, device, mac => mac.IsUnicastSendable && device.Answers());
            if (options.Log is { } log)
            {
                var instance = device.Spec.Instance;
                var subject = credential.Subject;
                link.Connector.StateChanged += () => log($"device {instance} ({subject}): {link.Connector.State}, primary " +
                    $"{Describe(link.Connector.PrimaryStatus)}");
            }
            lock (endpoints)
            {
                localFailure = null;
                ownCertificateProblem = ownProblem;
                current = (link, endpoint);
                endpoints.Add(endpoint);
            }
        }
        finally
        {
            switching.Release();
        }
    }

    private static string Describe(ScHubConnectionReport report) =>
        report.ErrorDetails is { } details ? $"{report.State}: {details}" : $"{report.State}";

    /// <summary>Closes the connection (Disconnect-Request, as a device that restarts); <see cref="ConnectAsync"/> opens it again.
    /// </summary>
    public async Task DisconnectAsync()
    {
        await switching.WaitAsync().ConfigureAwait(false);
        try { await CloseCurrentAsync().ConfigureAwait(false); }
        finally { switching.Release(); }
    }

    private async Task CloseCurrentAsync()
    {
        (ScDatalink Link, DeviceEndpoint Endpoint)? old;
        lock (endpoints)
        {
            old = current;
            current = null;
        }
        if (old is not { } o) return;
        await o.Endpoint.DisposeAsync().ConfigureAwait(false);
        await o.Link.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await switching.WaitAsync().ConfigureAwait(false);
        try
        {
            disposed = true;
            await CloseCurrentAsync().ConfigureAwait(false);
        }
        finally
        {
            switching.Release();
        }
    }
}
