using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Transport;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;

namespace CertLsp.Devices;

/// <summary>A manifest device as <see cref="SiteVerification"/> checks it: its name and instance, the certificate the ledger recorded
/// (SHA-256 fingerprint) and, for a key CertLsp holds (key.source local), how to load its certificate with that key.</summary>
public sealed record VerifyTarget(string Name, uint? Instance, string? RecordedFingerprint)
{
    /// <summary>Loads the device's certificate with its private key from the key store (null: the device holds its key). It may
    /// throw: the handshake is then reported as not made, with the reason. The key is only ever held in memory.</summary>
    public Func<X509Certificate2>? LocalCredential { get; init; }
}

/// <summary>The hubs and checks of a verification: the manifest's hubs, the hub verifier (the site's issuers) and the same issuers
/// as a node verifier that tells in words why a hub refuses a device's certificate.</summary>
public sealed record SiteVerificationOptions
{
    public required Uri PrimaryHub { get; init; }

    public Uri? FailoverHub { get; init; }

    public required ScCertificateCheck VerifyHub { get; init; }

    /// <summary>The site's issuers as a node check: why a refused certificate was refused (the hub does not tell a client).</summary>
    public ScPeerVerifier? Issuers { get; init; }

    /// <summary>How long I-Am answers to the Who-Is are awaited (less when every device answered).</summary>
    public TimeSpan WhoIsWait { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>SC_Connect_Wait_Timeout: a handshake made with a device's key, and the wait for the tool's connector to reconnect
    /// (to the failover hub) after the hub went away.</summary>
    public TimeSpan ConnectWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Devices checked at once.</summary>
    public int Parallelism { get; init; } = 16;
}

/// <summary>What verification found for one device (the table's row and the JSON object).</summary>
/// <param name="Joined">It answered Who-Is over SC.</param>
/// <param name="IdentityMatches">Its Object_Name is the manifest's name (null: not read).</param>
/// <param name="HubStatus">What its SC Network Port reports about its hub connection, in words.</param>
/// <param name="CertificateMatches">Its Operational_Certificate_File holds the certificate the ledger recorded (null: not read).
/// </param>
/// <param name="ReportedFingerprint">The SHA-256 fingerprint of the certificate it reports.</param>
/// <param name="Handshake">For local keys: the handshake made with its own key and certificate, in words (null: none made).</param>
public sealed record DeviceVerificationReport(string Device, uint? Instance, bool Joined, bool? IdentityMatches, string HubStatus,
    bool? CertificateMatches, string? ReportedFingerprint, string? Handshake, VerificationResult Result, string Reason)
{
    public DeviceVerification ToLedger(DateTimeOffset at) => new(Result, at, Reason);
}

/// <summary>How far a verification is: devices checked of all.</summary>
public sealed record VerificationProgress(int Done, int Total);

/// <summary>
/// <c>certlsp verify</c>: with a client connected to the hub as the commissioning tool, Who-Is over BACnet/SC, then for every manifest
/// device whether it joined (answered), whether its identity matches, what its SC Network Port reports about its hub connection, and
/// whether the certificate in its Operational_Certificate_File (read over SC) is the one the ledger recorded (SHA-256). For devices
/// whose key CertLsp holds, a short-lived <see cref="ScHubConnector"/> makes a handshake to the hub with the device's own key and
/// certificate, proving the hub accepts the chain (a refusal is said in words). A hub that goes away mid-run: the tool's connector
/// takes the failover hub when one is configured and the device is asked again; else the devices left are reported as not verified.
/// Cancellation throws <see cref="OperationCanceledException"/>.
/// </summary>
public static class SiteVerification
{
    public static async Task<IReadOnlyList<DeviceVerificationReport>> RunAsync(BacnetClient client, IReadOnlyList<VerifyTarget> devices,
        SiteVerificationOptions options, IProgress<VerificationProgress>? progress, CancellationToken cancellationToken)
    {
        var hub = new HubWatch(client, options);
        progress?.Report(new VerificationProgress(0, devices.Count));
        if (!await hub.ConnectedAsync(cancellationToken).ConfigureAwait(false))
            return [.. devices.Select(d => NotVerified(d, hub.Lost!))];
        var expected = devices.Count(d => d.Instance is not null);
        var found = await client.WhoIsAsync(new WhoIs(), options.WhoIsWait, expected, cancellationToken).ConfigureAwait(false);
        var answered = new ConcurrentDictionary<uint, DiscoveredDevice>(found.Select(f => KeyValuePair.Create(f.Instance, f)));
        var reports = new DeviceVerificationReport[devices.Count];
        int done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, devices.Count), new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken,
        }, async (i, ct) =>
        {
            reports[i] = await CheckAsync(client, hub, answered, devices[i], options, ct).ConfigureAwait(false);
            progress?.Report(new VerificationProgress(Interlocked.Increment(ref done), devices.Count));
        }).ConfigureAwait(false);
        return reports;
    }

    /// <summary>Exit code 0 of <c>certlsp verify</c>: every device joined with its recorded certificate.</summary>
    public static bool AllJoined(IReadOnlyList<DeviceVerificationReport> reports) =>
        reports.All(r => r.Result == VerificationResult.Joined);

    private static DeviceVerificationReport NotVerified(VerifyTarget device, string why) =>
        new(device.Name, device.Instance, false, null, "not read", null, null, null, VerificationResult.NotVerified,
            $"not verified: {why}");

    private static async Task<DeviceVerificationReport> CheckAsync(BacnetClient client, HubWatch hub,
        ConcurrentDictionary<uint, DiscoveredDevice> answered, VerifyTarget device, SiteVerificationOptions options,
        CancellationToken cancellationToken)
    {
        if (hub.Lost is { } lost) return NotVerified(device, lost);
        if (device.Instance is not { } instance)
            return new DeviceVerificationReport(device.Name, null, false, null, "not read", null, null, null, VerificationResult.NotJoined,
                "the manifest gives no BACnet “instance” for the device");
        var handshake = device.LocalCredential is { } load ? await HandshakeAsync(load, options, cancellationToken).ConfigureAwait(false)
            : null;
        DiscoveredDevice? found = answered.GetValueOrDefault(instance);
        if (found is null)
        {
            // the hub may have gone away during the Who-Is: ask this device again once the tool is back (on the failover hub)
            if (await hub.RecoveredAsync(cancellationToken).ConfigureAwait(false))
                found = (await client.WhoIsAsync(WhoIs.Range(instance, instance), options.WhoIsWait, 1, cancellationToken)
                    .ConfigureAwait(false)).FirstOrDefault();
            else if (hub.Lost is { } gone) return NotVerified(device, gone) with { Handshake = handshake?.Text };
            if (found is null)
            {
                return handshake is { Refused: true } refused
                    ? new DeviceVerificationReport(device.Name, instance, false, null, "not read", null, null, refused.Text,
                        VerificationResult.Refused, refused.Text)
                    : new DeviceVerificationReport(device.Name, instance, false, null, "not read", null, null, handshake?.Text,
                        VerificationResult.NotJoined, "did not answer over BACnet/SC (no I-Am to Who-Is through the hub)");
            }
        }
        var read = await ReadAsync(client, found.Address, instance, cancellationToken).ConfigureAwait(false);
        if (read.TimedOut && await hub.RecoveredAsync(cancellationToken).ConfigureAwait(false))
        {
            // the tool is connected again (to the failover hub): the device, once it has moved too, answers there
            var again = (await client.WhoIsAsync(WhoIs.Range(instance, instance), options.ConnectWait, 1, cancellationToken)
                .ConfigureAwait(false)).FirstOrDefault();
            if (again is not null) read = await ReadAsync(client, again.Address, instance, cancellationToken).ConfigureAwait(false);
        }
        if (read.TimedOut && hub.Lost is { } lostNow) return NotVerified(device, lostNow) with { Handshake = handshake?.Text };
        return Judge(device, read, handshake);
    }

    private static DeviceVerificationReport Judge(VerifyTarget device, DeviceRead read, Handshake? handshake)
    {
        var report = new DeviceVerificationReport(device.Name, device.Instance, true, read.Name is null ? null : read.Name == device.Name,
            read.HubStatus, null, read.Fingerprint, handshake?.Text, VerificationResult.Joined, DeviceVerification.JoinedText);
        if (read.Problem is { } problem)
            return report with { Result = VerificationResult.NotVerified, Reason = $"answered over BACnet/SC, but {problem}" };
        if (report.IdentityMatches == false)
            return report with
            {
                Result = VerificationResult.Mismatch,
                Reason = $"instance {device.Instance} answers as “{read.Name}”, the manifest names it “{device.Name}”",
            };
        if (device.RecordedFingerprint is null)
            return report with { Result = VerificationResult.Mismatch, Reason = "the ledger records no certificate for it" };
        report = report with { CertificateMatches = read.Fingerprint == device.RecordedFingerprint };
        if (report.CertificateMatches == false)
            return report with
            {
                Result = VerificationResult.Mismatch,
                Reason = read.Fingerprint is null ? "its Operational_Certificate_File holds no certificate"
                    : $"it reports another certificate ({Fingerprints.Short(read.Fingerprint)}) than the ledger recorded " +
                        $"({Fingerprints.Short(device.RecordedFingerprint)})",
            };
        if (handshake is { Refused: true }) return report with { Result = VerificationResult.Refused, Reason = handshake.Text };
        return report;
    }

    // ---------------- reading the device ----------------

    private sealed record DeviceRead(bool TimedOut, string? Name, string HubStatus, string? Fingerprint, string? Problem);

    private static async Task<DeviceRead> ReadAsync(BacnetClient client, BacnetAddress address, uint instance,
        CancellationToken cancellationToken)
    {
        var info = await DeviceInventory.ReadAsync(client, address, instance, cancellationToken).ConfigureAwait(false);
        if (!info.Ok)
            return new DeviceRead(info.Failure!.Kind == FailureKind.Timeout, null, "not read", null,
                $"its identity could not be read: {DeviceContact.Describe(info.Failure)}");
        var port = info.Value.NetworkPorts.Where(p => p.OperationalCertificateFile is not null)
            .OrderBy(p => p.IsSecureConnect ? 0 : 1).FirstOrDefault();
        var name = info.Value.ObjectName;
        if (port is null) return new DeviceRead(false, name, "not reported", null,
            "it has no Network Port with an Operational_Certificate_File");
        var hubStatus = port.IsSecureConnect ? await HubStatusAsync(client, address, port.Port, cancellationToken).ConfigureAwait(false)
            : "no secure-connect Network Port";
        var file = await new CertificateProvisioning(client).ReadFileAsync(address, port.OperationalCertificateFile!.Value,
            cancellationToken).ConfigureAwait(false);
        if (!file.Ok)
            return new DeviceRead(file.Failure!.Kind == FailureKind.Timeout, name, hubStatus, null,
                $"its Operational_Certificate_File could not be read: {DeviceContact.Describe(file.Failure)}");
        return new DeviceRead(false, name, hubStatus, FingerprintOf(file.Value.AsSpan()), null);
    }

    /// <summary>The SHA-256 fingerprint of the certificate a file holds (PEM or DER), or null when it holds none.</summary>
    public static string? FingerprintOf(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty) return null;
        try
        {
            var text = System.Text.Encoding.ASCII.GetString(content);
            using var certificate = text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text) : X509CertificateLoader.LoadCertificate(content);
            return Fingerprints.Of(certificate.RawData);
        }
        catch (CryptographicException) { return null; }
    }

    private static readonly PropertyIdentifier[] HubProperties =
        [PropertyIdentifier.ScHubConnectorState, PropertyIdentifier.ScPrimaryHubConnectionStatus];

    /// <summary>SC_Hub_Connector_State in words.</summary>
    private static async Task<string> HubStatusAsync(BacnetClient client, BacnetAddress address, ObjectId port,
        CancellationToken cancellationToken)
    {
        var read = await DeviceInventory.ReadPropertiesAsync(client, address, port, HubProperties, cancellationToken).ConfigureAwait(false);
        if (!read.Ok) return $"not read ({read.Failure!.Detail})";
        if (!read.Value.TryGetValue(PropertyIdentifier.ScHubConnectorState, out var state) || !state.Ok
            || state.Value.FirstOrDefault() is not BacnetValue.Enumerated connector)
            return "not reported";
        return (ScHubConnectionStatus)connector.Value switch
        {
            ScHubConnectionStatus.ConnectedToPrimaryHub => "connected to the primary hub",
            ScHubConnectionStatus.ConnectedToFailoverHub => "connected to the failover hub",
            ScHubConnectionStatus.NoHubConnection => "no hub connection",
            _ => $"hub connector state {connector.Value}",
        };
    }

    // ---------------- the handshake with the device's own key ----------------

    private sealed record Handshake(bool Refused, string Text);

    private static async Task<Handshake> HandshakeAsync(Func<X509Certificate2> load, SiteVerificationOptions options,
        CancellationToken cancellationToken)
    {
        X509Certificate2 credential;
        try { credential = load(); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new Handshake(false, $"handshake not made: {e.Message}");
        }
        using (credential)
        {
            if (!credential.HasPrivateKey) return new Handshake(false, "handshake not made: the certificate has no private key");
            var connector = new ScHubConnector(new ScConnectorOptions
            {
                PrimaryHub = options.PrimaryHub,
                FailoverHub = options.FailoverHub,
                Certificate = credential,
                VerifyHub = options.VerifyHub,
                ConnectWaitTimeout = options.ConnectWait,
                DisconnectWaitTimeout = TimeSpan.FromSeconds(1),
                MinimumReconnectTime = TimeSpan.FromHours(1),
                MaximumReconnectTime = TimeSpan.FromHours(1),
            });
            await using (connector.ConfigureAwait(false))
            {
                bool failover = options.FailoverHub is not null;
                await connector.WaitUntilAsync(c => c.State != ScHubConnectionStatus.NoHubConnection
                    || (c.PrimaryStatus.State == ScConnectionState.FailedToConnect
                        && (!failover || c.FailoverStatus.State == ScConnectionState.FailedToConnect)),
                    2 * options.ConnectWait + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                switch (connector.State)
                {
                    case ScHubConnectionStatus.ConnectedToPrimaryHub:
                        return new Handshake(false, "the primary hub accepted its certificate");
                    case ScHubConnectionStatus.ConnectedToFailoverHub:
                        return new Handshake(false, "the failover hub accepted its certificate");
                }
                var status = failover && connector.FailoverStatus.State == ScConnectionState.FailedToConnect
                    && connector.PrimaryStatus.Error is ScErrorCode.TcpConnectionRefused or ScErrorCode.TcpConnectTimeout
                    ? connector.FailoverStatus : connector.PrimaryStatus;
                if (options.Issuers?.Verify(credential, ScPeerRole.Node) is { } why) return new Handshake(true,
                    $"handshake refused: {why}");
                if (status.Error is ScErrorCode.TcpConnectionRefused or ScErrorCode.TcpConnectTimeout || status.Error is null)
                    return new Handshake(false, $"handshake not made: the hub could not be reached ({status.ErrorDetails ?? "no answer"})");
                return new Handshake(true, $"handshake refused: {status.ErrorDetails}");
            }
        }
    }

    // ---------------- the tool's own hub connection ----------------

    /// <summary>The tool's hub connection: waits for its connector to reconnect (its failover hub) after the hub went away, and
    /// remembers when it did not, so the devices left are reported at once.</summary>
    private sealed class HubWatch(BacnetClient client, SiteVerificationOptions options)
    {
        private readonly ScHubConnector? connector = (client.Datalink as ScDatalink)?.Connector;
        private volatile string? lost;

        /// <summary>Why the devices left cannot be verified (the hub connection was lost), or null.</summary>
        public string? Lost => lost;

        private bool IsConnected => connector is null || connector.State != ScHubConnectionStatus.NoHubConnection;

        /// <summary>Whether the tool is connected (waiting up to the connect wait); false sets <see cref="Lost"/>.</summary>
        public async Task<bool> ConnectedAsync(CancellationToken cancellationToken)
        {
            if (connector is null || IsConnected) return true;
            if (await connector.WaitUntilAsync(c => c.State != ScHubConnectionStatus.NoHubConnection, 2 * options.ConnectWait,
                cancellationToken).ConfigureAwait(false)) return true;
            lost ??= $"the tool is not connected to the hub ({Describe(connector)})";
            return false;
        }

        /// <summary>After a device did not answer: true when the tool's connection had dropped and is back (on the failover hub,
        /// or the primary again); false when it never dropped, or did not come back (then <see cref="Lost"/> says so).</summary>
        public async Task<bool> RecoveredAsync(CancellationToken cancellationToken)
        {
            if (connector is null || lost is not null) return false;
            bool dropped = !IsConnected || connector.PrimaryStatus.DisconnectTime > connector.PrimaryStatus.ConnectTime;
            if (!dropped) return false;
            if (await connector.WaitUntilAsync(c => c.State != ScHubConnectionStatus.NoHubConnection, 2 * options.ConnectWait,
                cancellationToken).ConfigureAwait(false))
                return true;
            lost ??= $"the connection to the hub was lost ({Describe(connector)})" + (options.FailoverHub is null
                ? " and no failover hub is configured" : "");
            return false;
        }

        private static string Describe(ScHubConnector c) =>
            $"primary hub: {Status(c.PrimaryStatus)}" + (c.FailoverStatus.State == ScConnectionState.NotConnected ? ""
                : $"; failover hub: {Status(c.FailoverStatus)}");

        private static string Status(ScHubConnectionReport report) =>
            report.ErrorDetails is { Length: > 0 } details ? details : report.State.ToString();
    }
}
