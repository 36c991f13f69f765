using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CertLsp.Bacnet.SecureConnect;

/// <summary>
/// The hub connector of a BACnet/SC node (Annex AB.5.1): one WebSocket (TLS 1.3 with the node's certificate, subprotocol
/// hub.bsc.bacnet.org) to the primary hub, else to the failover hub; Connect-Request and Connect-Accept, a new VMAC after a
/// duplicate-VMAC NAK, heartbeats, reconnection with back-off, orderly disconnect. It reports its state as the Network Port's
/// SC_Hub_Connector_State and hub connection statuses do. Messages received are handed to <see cref="MessageReceived"/>;
/// frames that do not decode are counted and dropped, never thrown.
/// </summary>
public sealed class ScHubConnector : IAsyncDisposable
{
    public const string HubSubprotocol = "hub.bsc.bacnet.org";
    private const int SendQueue = 1024;

    private readonly ScConnectorOptions options;
    private readonly ScMessageIds messageIds = new();
    private readonly CancellationTokenSource stop = new();
    private readonly object gate = new();
    private readonly Task loop;
    private Connection? current;
    private Vmac vmac;
    private ScHubConnectionStatus state = ScHubConnectionStatus.NoHubConnection;
    private ScHubConnectionReport primary = ScHubConnectionReport.Initial, failover = ScHubConnectionReport.Initial;
    private TaskCompletionSource changed = NewSignal();
    private long malformed, handlerFailures, sent, received, naks, duplicateVmacs, heartbeatsSent, notUnderstood;
    private int disposed;

    /// <summary>Starts connecting at once, in the background.</summary>
    public ScHubConnector(ScConnectorOptions options)
    {
        if (options.PrimaryHub.Scheme != Uri.UriSchemeWss)
            throw new ArgumentException($"the primary hub {options.PrimaryHub} is not wss://");
        if (options.FailoverHub is { } f && f.Scheme != Uri.UriSchemeWss)
            throw new ArgumentException($"the failover hub {f} is not wss://");
        if (!options.Certificate.HasPrivateKey) throw new ArgumentException("the node's certificate has no private key");
        this.options = options;
        vmac = options.Vmac ?? Vmac.NewRandom();
        loop = Task.Run(RunAsync);
    }

    /// <summary>A message from the hub (its Encapsulated-NPDUs and whatever the connector does not answer itself). Called on the
    /// receive loop: must not block; what it throws is counted.</summary>
    public event Action<ScMessage>? MessageReceived;

    /// <summary>Raised after every change of <see cref="State"/> or of a hub's status.</summary>
    public event Action? StateChanged;

    /// <summary>The VMAC this node uses now.</summary>
    public Vmac Vmac { get { lock (gate) return vmac; } }

    public Guid DeviceUuid => options.DeviceUuid;

    /// <summary>SC_Hub_Connector_State.</summary>
    public ScHubConnectionStatus State { get { lock (gate) return state; } }

    /// <summary>SC_Primary_Hub_Connection_Status.</summary>
    public ScHubConnectionReport PrimaryStatus { get { lock (gate) return primary; } }

    /// <summary>SC_Failover_Hub_Connection_Status.</summary>
    public ScHubConnectionReport FailoverStatus { get { lock (gate) return failover; } }

    /// <summary>The largest NPDU the connected hub accepts (as this node announced before it knows the hub's).</summary>
    public int MaxNpduLength { get { lock (gate) return current?.MaxNpdu ?? options.MaxNpduLength; } }

    public long MalformedReceived => Interlocked.Read(ref malformed);
    public long HandlerFailures => Interlocked.Read(ref handlerFailures);
    public long MessagesSent => Interlocked.Read(ref sent);
    public long MessagesReceived => Interlocked.Read(ref received);

    /// <summary>BVLC-Result NAKs the hub sent for this node's messages.</summary>
    public long NaksReceived => Interlocked.Read(ref naks);

    /// <summary>Duplicate-VMAC NAKs answered with a new VMAC.</summary>
    public long DuplicateVmacs => Interlocked.Read(ref duplicateVmacs);

    public long HeartbeatsSent => Interlocked.Read(ref heartbeatsSent);

    /// <summary>Messages dropped and NAKed (HEADER_NOT_UNDERSTOOD) for a must-understand header option this node does not know.
    /// </summary>
    public long HeaderOptionsNotUnderstood => Interlocked.Read(ref notUnderstood);

    /// <summary>Waits until <paramref name="condition"/> holds (checked at once and after every state change); false when
    /// <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitUntilAsync(Func<ScHubConnector, bool> condition, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (true)
        {
            Task next;
            lock (gate) next = changed.Task;
            if (condition(this)) return true;
            try { await next.WaitAsync(limit.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { return condition(this); }
        }
    }

    /// <summary>Queues a message to the hub; false when there is no connection or its queue is full.</summary>
    public bool Send(ScMessage message)
    {
        Connection? connection;
        lock (gate) connection = current;
        return connection is not null && connection.Queue.Writer.TryWrite(BvlcSc.ToArray(message));
    }

    /// <summary>A fresh Message-ID for a request this node originates.</summary>
    public ushort NextMessageId() => messageIds.Next();

    // ---------------- connection loop ----------------

    private async Task RunAsync()
    {
        var backoff = options.MinimumReconnectTime;
        while (!stop.IsCancellationRequested)
        {
            var connected = false;
            foreach (var (uri, isPrimary) in Hubs())
            {
                var connection = await ConnectAsync(uri, isPrimary).ConfigureAwait(false);
                if (connection is null) continue;
                connected = true;
                backoff = options.MinimumReconnectTime;
                // a failover connection hands over to the primary hub when that is back: serve that one next
                for (Connection? next = connection; next is not null;) next = await ServeAsync(next).ConfigureAwait(false);
                break;
            }
            if (stop.IsCancellationRequested) return;
            var wait = connected ? options.MinimumReconnectTime : backoff;
            if (!connected) backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaximumReconnectTime.Ticks));
            try { await Task.Delay(wait, stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    private IEnumerable<(Uri Uri, bool Primary)> Hubs()
    {
        yield return (options.PrimaryHub, true);
        if (options.FailoverHub is { } failoverHub) yield return (failoverHub, false);
    }

    private sealed class Connection(WebSocket socket, HttpMessageInvoker invoker, bool primary, int maxNpdu)
    {
        public WebSocket Socket { get; } = socket;
        public HttpMessageInvoker Invoker { get; } = invoker;
        public bool Primary { get; } = primary;
        public int MaxNpdu { get; } = maxNpdu;
        public System.Threading.Channels.Channel<byte[]> Queue { get; } = System.Threading.Channels.Channel.CreateBounded<byte[]>(
            new System.Threading.Channels.BoundedChannelOptions(SendQueue)
            {
                // Wait, used only through TryWrite: false when full, which Send reports (DropWrite drops and says true)
                FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait, SingleReader = true,
            });
        public TaskCompletionSource DisconnectAcked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long LastReceived = Environment.TickCount64;
        public bool Orderly;
        public (ScErrorCode Code, string Details)? Error;
    }

    /// <summary>One connection attempt to one hub, with new VMACs after duplicate-VMAC NAKs; null when it failed (the hub's
    /// status then says why).</summary>
    private async Task<Connection?> ConnectAsync(Uri uri, bool isPrimary)
    {
        for (var attempt = 0; attempt <= options.DuplicateVmacRetries && !stop.IsCancellationRequested; attempt++)
        {
            var outcome = await TryConnectAsync(uri, isPrimary).ConfigureAwait(false);
            if (outcome.Connection is { } connection)
            {
                lock (gate)
                {
                    current = connection;
                    state = isPrimary ? ScHubConnectionStatus.ConnectedToPrimaryHub : ScHubConnectionStatus.ConnectedToFailoverHub;
                    SetReport(isPrimary, new ScHubConnectionReport(ScConnectionState.Connected, DateTimeOffset.UtcNow));
                }
                return connection;
            }
            if (!outcome.DuplicateVmac)
            {
                Report(isPrimary, ScConnectionState.FailedToConnect, outcome.Error, outcome.Details);
                return null;
            }
            Interlocked.Increment(ref duplicateVmacs);
            lock (gate) vmac = Vmac.NewRandom();
        }
        Report(isPrimary, ScConnectionState.FailedToConnect, ScErrorCode.NodeDuplicateVmac,
            "the hub refused every VMAC drawn as a duplicate");
        return null;
    }

    private readonly record struct Attempt(Connection? Connection, bool DuplicateVmac, ScErrorCode Error, string Details);

    private async Task<Attempt> TryConnectAsync(Uri uri, bool isPrimary)
    {
        string? refusal = null;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectWaitTimeout,
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = uri.IdnHost,
                EnabledSslProtocols = SslProtocols.Tls13,
                ClientCertificateContext = SslStreamCertificateContext.Create(options.Certificate, null, offline: true),
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                CertificateChainPolicy = new X509ChainPolicy
                {
                    RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true,
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                },
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                {
                    if (certificate is null) { refusal = "the hub sent no certificate"; return false; }
                    var presented = chain?.ChainPolicy.ExtraStore is { Count: > 0 } extra ? extra : null;
                    refusal = options.VerifyHub(uri, certificate as X509Certificate2 ?? new X509Certificate2(certificate), presented);
                    return refusal is null;
                },
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(HubSubprotocol);
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        timeout.CancelAfter(options.ConnectWaitTimeout);
        try
        {
            await socket.ConnectAsync(uri, invoker, timeout.Token).ConfigureAwait(false);
            if (socket.SubProtocol != HubSubprotocol)
                return Fail(ScErrorCode.HttpWebsocketHeaderError, $"the hub did not select {HubSubprotocol}");
            var request = ScMessages.ConnectRequest(NextMessageId(), Vmac, options.DeviceUuid, options.MaxBvlcLength,
                options.MaxNpduLength);
            await socket.SendAsync(BvlcSc.ToArray(request), WebSocketMessageType.Binary, true, timeout.Token).ConfigureAwait(false);
            Interlocked.Increment(ref sent);
            var buffer = new byte[options.MaxBvlcLength];
            while (true)
            {
                var (kind, length) = await ScFrameReader.ReceiveAsync(socket, buffer, timeout.Token).ConfigureAwait(false);
                if (kind == ScFrameKind.Closed)
                    return Fail(ScErrorCode.WebsocketClosedByPeer, "the hub closed the connection before Connect-Accept");
                Interlocked.Increment(ref received);
                var decoded = BvlcSc.Decode(buffer.AsSpan(0, length), options.MaxBvlcLength);
                if (kind != ScFrameKind.Message || !decoded.Ok) { Interlocked.Increment(ref malformed); continue; }
                switch (decoded.Value.Payload)
                {
                    case ScPayload.ConnectAccept accept:
                        var maxNpdu = ScLengths.UsableNpdu(accept.MaxNpduLength, options.MaxNpduLength);
                        return new Attempt(new Connection(socket, invoker, isPrimary, maxNpdu), false, default, "");
                    case ScPayload.Result { ForFunction: ScFunction.ConnectRequest, Nak: { } nak }:
                        Interlocked.Increment(ref naks);
                        // bacnet-stack writes the code in host byte order: 151 arrives as 0x9700
                        if (nak.ErrorCode is (ushort)ScErrorCode.NodeDuplicateVmac or 0x9700)
                        {
                            await CloseQuietlyAsync(socket, invoker).ConfigureAwait(false);
                            return new Attempt(null, true, ScErrorCode.NodeDuplicateVmac, nak.Details);
                        }
                        return Fail((ScErrorCode)nak.ErrorCode, $"Connect-Request refused: {nak.Details}");
                    default:
                        Interlocked.Increment(ref malformed);  // nothing but the answer is expected before it
                        continue;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or IOException
            or AuthenticationException or SocketException)
        {
            var (code, details) = Classify(e, refusal, stop.IsCancellationRequested);
            return Fail(code, details);
        }

        Attempt Fail(ScErrorCode code, string details)
        {
            _ = CloseQuietlyAsync(socket, invoker);
            return new Attempt(null, false, code, details);
        }
    }

    /// <summary>The error a failed connection attempt reports: the verifier's reason first (the TLS failure it caused), else what
    /// the exceptions say.</summary>
    private (ScErrorCode, string) Classify(Exception e, string? refusal, bool stopping)
    {
        if (refusal is not null) return (ScErrorCode.TlsServerCertificateError, $"hub certificate refused: {refusal}");
        if (stopping) return (ScErrorCode.TcpClosedByLocal, "the connector stopped");
        if (e is OperationCanceledException)
            return (ScErrorCode.TcpConnectTimeout, $"no Connect-Accept within {options.ConnectWaitTimeout.TotalSeconds:0.###} s");
        for (var inner = (Exception?)e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case AuthenticationException auth:
                    return (ScErrorCode.TlsError, $"TLS handshake failed: {Describe(auth)}");
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return (ScErrorCode.TcpConnectionRefused, "connection refused");
                case SocketException { SocketErrorCode: SocketError.TimedOut }:
                    return (ScErrorCode.TcpConnectTimeout, "TCP connect timed out");
                case WebSocketException { WebSocketErrorCode: WebSocketError.NotAWebSocket }:
                    return (ScErrorCode.HttpNoUpgrade, inner.Message);
                case HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }:
                    // With TLS 1.3 the client's handshake ends before the hub has judged its certificate: a refusal arrives as
                    // an alert or a close on the first read, which is the upgrade's response (seen with bac-py's hub).
                    return (ScErrorCode.WebsocketClosedByPeer, "the hub closed the connection after the TLS handshake, before " +
                        "answering the WebSocket upgrade: most likely it refused this node's certificate");
            }
        }
        return (ScErrorCode.WebsocketError, Describe(e));
    }

    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var inner = (Exception?)e; inner is not null; inner = inner.InnerException) messages.Add(inner.Message);
        return string.Join(": ", messages.Distinct());
    }

    // ---------------- a live connection ----------------

    /// <summary>Serves a connection until it ends; the primary hub's connection when this one was to the failover hub and ended
    /// by handing over to the primary (already current then), else null.</summary>
    private async Task<Connection?> ServeAsync(Connection connection)
    {
        using var end = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var writer = WriteAsync(connection, end.Token);
        var heartbeat = HeartbeatAsync(connection, end.Token);
        var returning = connection.Primary ? Task.FromResult<Connection?>(null) : ReturnToPrimaryAsync(connection, end);
        var buffer = new byte[options.MaxBvlcLength];
        Connection? next = null;
        try
        {
            while (!end.IsCancellationRequested)
            {
                var (kind, length) = await ScFrameReader.ReceiveAsync(connection.Socket, buffer, end.Token).ConfigureAwait(false);
                if (kind == ScFrameKind.Closed)
                {
                    connection.Error ??= connection.Orderly ? null : (ScErrorCode.WebsocketClosedByPeer, "the hub closed the WebSocket");
                    break;
                }
                Interlocked.Exchange(ref connection.LastReceived, Environment.TickCount64);
                Interlocked.Increment(ref received);
                if (!Handle(connection, buffer.AsSpan(0, length), kind != ScFrameKind.Message)) break;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            if (!stop.IsCancellationRequested && !connection.Orderly)
                connection.Error ??= (ScErrorCode.WebsocketClosedAbnormally, Describe(e));
        }
        finally
        {
            await end.CancelAsync().ConfigureAwait(false);
            try { await Task.WhenAll(writer, heartbeat).ConfigureAwait(false); } catch (OperationCanceledException) { }
            next = await returning.ConfigureAwait(false);
            await CloseQuietlyAsync(connection.Socket, connection.Invoker).ConfigureAwait(false);
            lock (gate)
            {
                current = next;
                state = next is null ? ScHubConnectionStatus.NoHubConnection : ScHubConnectionStatus.ConnectedToPrimaryHub;
                if (next is not null) SetReport(true, new ScHubConnectionReport(ScConnectionState.Connected, DateTimeOffset.UtcNow));
                var report = connection.Primary ? primary : failover;
                SetReport(connection.Primary, connection.Error is { } error
                    ? report with
                    {
                        State = ScConnectionState.DisconnectedWithErrors,
                        DisconnectTime = DateTimeOffset.UtcNow,
                        Error = error.Code,
                        ErrorDetails = error.Details
                    }
                    : report with { State = ScConnectionState.NotConnected, DisconnectTime = DateTimeOffset.UtcNow });
            }
        }
        return next;
    }

    /// <summary>
    /// While connected to the failover hub, keeps trying the primary hub (AB.5.1: the failover hub is used only while the primary
    /// cannot be reached), with the reconnect back-off; each failed try updates the primary's status. Once the primary accepts,
    /// the failover connection is ended in order (Disconnect-Request, Disconnect-ACK or the disconnect wait timeout) and the
    /// primary's connection is returned; null when the failover connection ended first or the connector stops.
    /// </summary>
    private async Task<Connection?> ReturnToPrimaryAsync(Connection onFailover, CancellationTokenSource end)
    {
        var wait = options.MinimumReconnectTime;
        while (true)
        {
            try { await Task.Delay(wait, end.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return null; }
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, options.MaximumReconnectTime.Ticks));
            var attempt = await TryConnectAsync(options.PrimaryHub, isPrimary: true).ConfigureAwait(false);
            if (attempt.Connection is not { } primaryConnection)
            {
                if (stop.IsCancellationRequested) return null;
                Report(true, ScConnectionState.FailedToConnect, attempt.Error, attempt.Details);
                continue;
            }
            if (stop.IsCancellationRequested)
            {
                await CloseQuietlyAsync(primaryConnection.Socket, primaryConnection.Invoker).ConfigureAwait(false);
                return null;
            }
            onFailover.Orderly = true;
            if (onFailover.Queue.Writer.TryWrite(BvlcSc.ToArray(ScMessages.DisconnectRequest(NextMessageId()))))
            {
                try { await onFailover.DisconnectAcked.Task.WaitAsync(options.DisconnectWaitTimeout, end.Token).ConfigureAwait(false); }
                catch (Exception e) when (e is TimeoutException or OperationCanceledException) { }
            }
            await end.CancelAsync().ConfigureAwait(false);
            return primaryConnection;
        }
    }

    /// <summary>Handles one message from the hub; false when the connection is to end.</summary>
    private bool Handle(Connection connection, ReadOnlySpan<byte> frame, bool unusable)
    {
        if (unusable) { Interlocked.Increment(ref malformed); return true; }  // a text or too long message: counted, dropped
        var decoded = BvlcSc.Decode(frame, options.MaxBvlcLength);
        if (!decoded.Ok) { Interlocked.Increment(ref malformed); return true; }
        var message = decoded.Value;
        if (NotUnderstood(message) is { } option)
        {
            // AB.2.3: a must-understand option this node does not know: NAK (never a BVLC-Result: no NAK loops), drop
            Interlocked.Increment(ref notUnderstood);
            if (message.Function != ScFunction.Result)
                connection.Queue.Writer.TryWrite(BvlcSc.ToArray(ScMessages.Nak(message, ScErrorCode.HeaderNotUnderstood,
                    $"header option type {(byte)option.Type} must be understood")));
            return true;
        }
        switch (message.Payload)
        {
            case ScPayload.HeartbeatRequest:
                connection.Queue.Writer.TryWrite(BvlcSc.ToArray(ScMessages.HeartbeatAck(message)));
                return true;
            case ScPayload.HeartbeatAck:
                return true;
            case ScPayload.AddressResolution:
                // AB.3.3: this node accepts no direct connections, so the node that asked gets the NAK (communication,
                // OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED), as from bacnet-stack's node and this project's hub; not silence.
                connection.Queue.Writer.TryWrite(BvlcSc.ToArray(ScMessages.Nak(message, ScErrorCode.OptionalFunctionalityNotSupported,
                    "this node does not accept direct connections")));
                return true;
            case ScPayload.AdvertisementSolicitation:
                // AB.3.2: an Advertisement to the node that asked; a new message (AB.3.1.4), so a new Message-ID.
                connection.Queue.Writer.TryWrite(BvlcSc.ToArray(new ScMessage(NextMessageId(), new ScPayload.Advertisement(State, false,
                    options.MaxBvlcLength, options.MaxNpduLength), Destination: message.Originating)));
                return true;
            case ScPayload.DisconnectRequest:
                connection.Orderly = true;
                connection.Queue.Writer.TryWrite(BvlcSc.ToArray(ScMessages.DisconnectAck(message)));
                connection.Queue.Writer.TryComplete();
                return true;  // the writer sends the ACK and closes; the receive loop then sees the close
            case ScPayload.DisconnectAck:
                connection.Orderly = true;
                connection.DisconnectAcked.TrySetResult();
                return false;
            case ScPayload.Result { Nak: not null }:
                Interlocked.Increment(ref naks);
                break;
        }
        try { MessageReceived?.Invoke(message); }
        catch (Exception) { Interlocked.Increment(ref handlerFailures); }
        return true;
    }

    /// <summary>The first header option that must be understood and is not: any but Secure-Path (which a node that is not a
    /// router may ignore).</summary>
    private static ScHeaderOption? NotUnderstood(ScMessage message)
    {
        foreach (var option in message.DestinationOptions.Concat(message.DataOptions))
            if (option.MustUnderstand && option.Type != ScHeaderOptionType.SecurePath) return option;
        return null;
    }

    private async Task WriteAsync(Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in connection.Queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await connection.Socket.SendAsync(frame, WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref sent);
            }
            // completed after answering a Disconnect-Request: close our side
            await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException) { }
    }

    private async Task HeartbeatAsync(Connection connection, CancellationToken cancellationToken)
    {
        var timeout = options.HeartbeatTimeout;
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(10).Ticks, timeout.Ticks / 4));
        var lastRequest = 0L;
        try
        {
            while (true)
            {
                await Task.Delay(tick, cancellationToken).ConfigureAwait(false);
                var silent = Environment.TickCount64 - Interlocked.Read(ref connection.LastReceived);
                if (silent >= 2 * timeout.TotalMilliseconds)
                {
                    connection.Error = (ScErrorCode.Other, $"nothing received from the hub for {2 * timeout.TotalSeconds:0.###} s");
                    connection.Socket.Abort();
                    return;
                }
                if (silent >= timeout.TotalMilliseconds && Environment.TickCount64 - lastRequest >= timeout.TotalMilliseconds)
                {
                    lastRequest = Environment.TickCount64;
                    if (connection.Queue.Writer.TryWrite(BvlcSc.ToArray(ScMessages.HeartbeatRequest(NextMessageId()))))
                        Interlocked.Increment(ref heartbeatsSent);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private static async Task CloseQuietlyAsync(WebSocket socket, HttpMessageInvoker invoker)
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, limit.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException) { }
        socket.Abort();
        socket.Dispose();
        invoker.Dispose();
    }

    private void Report(bool isPrimary, ScConnectionState newState, ScErrorCode error, string details)
    {
        lock (gate)
        {
            var report = isPrimary ? primary : failover;
            SetReport(isPrimary, report with
            {
                State = newState,
                DisconnectTime = DateTimeOffset.UtcNow,
                Error = error,
                ErrorDetails = details,
            });
        }
    }

    /// <summary>Sets a hub's report and wakes the waiters; called under the lock.</summary>
    private void SetReport(bool isPrimary, ScHubConnectionReport report)
    {
        if (isPrimary) primary = report; else failover = report;
        var signal = changed;
        changed = NewSignal();
        signal.TrySetResult();
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            try { StateChanged?.Invoke(); }
            catch (Exception) { Interlocked.Increment(ref handlerFailures); }
        }, null);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Sends Disconnect-Request and waits for Disconnect-ACK (at most the disconnect wait timeout), then closes; stops
    /// reconnecting. A second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        Connection? connection;
        lock (gate) connection = current;
        if (connection is not null && connection.Queue.Writer.TryWrite(BvlcSc.ToArray(ScMessages.DisconnectRequest(NextMessageId()))))
        {
            try { await connection.DisconnectAcked.Task.WaitAsync(options.DisconnectWaitTimeout).ConfigureAwait(false); }
            catch (TimeoutException) { }
        }
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        stop.Dispose();
    }
}
