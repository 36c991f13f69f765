using System.Net.WebSockets;
using System.Threading.Channels;

namespace CertLsp.Bacnet.SecureConnect;

/// <summary>
/// One entry of SC_Hub_Function_Connection_Status (BACnetSCHubFunctionConnection): state, connect and disconnect time, the peer's
/// address, VMAC and Device UUID (once its Connect-Request said them) and, for the states with errors, the error and its details.
/// </summary>
public sealed record ScHubFunctionConnection(
    ScConnectionState State, DateTimeOffset? ConnectTime, DateTimeOffset? DisconnectTime, string PeerAddress, Vmac? PeerVmac,
    Guid? PeerUuid, ScErrorCode? Error = null, string? ErrorDetails = null);

/// <summary>
/// The hub function of a BACnet/SC hub (Annex AB.5.3), over WebSocket connections whose TLS handshake (and client certificate
/// check) the listening host already made: each connection must open with a Connect-Request, answered with a Connect-Accept
/// echoing its Message-ID, or with a NAK NODE_DUPLICATE_VMAC when another connected node (another Device UUID) holds the VMAC.
/// Then Encapsulated-NPDUs and the other addressed messages are relayed: unicast to the connection of the destination VMAC with the
/// originating VMAC added and the destination removed, broadcast to every other connection with the originating VMAC added and the
/// destination FF..FF kept. Heartbeat-Request and Disconnect-Request are acknowledged. A node's message that carries an
/// originating VMAC is NAKed, as bacnet-stack's hub does; a connection that sends what cannot be decoded (or a text frame, or a
/// message longer than its maximum) is dropped with a NAK when the function and Message-ID were readable.
/// <para>
/// One connection never holds up another (AB.5.3: the hub relays between its connections independently): every connection has
/// a bounded queue of messages to send and a writer of its own, so reading a node's messages and relaying them never waits for
/// another node's socket. A message for a node whose queue is full is dropped (counted in <see cref="RelaysDropped"/>), as a
/// datalink drops what it cannot carry; a node whose socket accepts no message for <see cref="SendTimeout"/> is dropped.
/// </para>
/// </summary>
public sealed class ScHubFunction
{
    /// <summary>How many ended connections <see cref="Connections"/> keeps beside the open ones.</summary>
    public const int EndedKept = 64;

    /// <summary>How many messages a connection's send queue holds.</summary>
    public const int SendQueue = 1024;

    private readonly object gate = new();
    private readonly Dictionary<Vmac, Connection> byVmac = [];
    private readonly HashSet<Connection> open = [];
    private readonly Queue<ScHubFunctionConnection> ended = new();
    private readonly TimeProvider clock;
    private readonly TimeSpan connectWait;
    private readonly ScMessageIds messageIds = new();
    private long droppedForBadInput, relaysDropped;

    /// <param name="vmac">The hub's own VMAC (a node may not take it).</param>
    /// <param name="deviceUuid">The Device UUID of the hub's device.</param>
    /// <param name="connectWait">How long a new connection has to send its Connect-Request (SC_Connect_Wait_Timeout).</param>
    /// <param name="sendTimeout">How long one message to a node may take to be sent before the node is dropped
    /// (<see cref="SendTimeout"/>).</param>
    public ScHubFunction(Vmac vmac, Guid deviceUuid, TimeSpan? connectWait = null, TimeProvider? clock = null,
        TimeSpan? sendTimeout = null)
    {
        Vmac = vmac;
        DeviceUuid = deviceUuid;
        this.connectWait = connectWait ?? TimeSpan.FromSeconds(10);
        this.clock = clock ?? TimeProvider.System;
        SendTimeout = sendTimeout ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>How long one message to a node may take to be sent (its socket accepting it) before the hub drops the node: a
    /// node that stopped reading, or whose connection died unnoticed, is then disconnected (TCP_ERROR) instead of holding a full
    /// queue forever.</summary>
    public TimeSpan SendTimeout { get; }

    /// <summary>Messages the hub did not relay because the destination's send queue was full (a node that reads slower than
    /// others send to it).</summary>
    public long RelaysDropped => Interlocked.Read(ref relaysDropped);

    public Vmac Vmac { get; }

    /// <summary>The SC_Hub_Connector_State of the hub's own device, which an Advertisement reports (AB.3.2): a hub that is not
    /// itself a node connected to a hub says no-hub-connection.</summary>
    public Func<ScHubConnectionStatus> HubConnectorState { get; init; } = () => ScHubConnectionStatus.NoHubConnection;

    public Guid DeviceUuid { get; }

    /// <summary>Connections dropped for what they sent: a message that does not decode, a text message, one longer than the hub
    /// accepts (each such message ends its connection, so this is also the count of those messages).</summary>
    public long DroppedForBadInput => Interlocked.Read(ref droppedForBadInput);

    /// <summary>The open connections and the last <see cref="EndedKept"/> ended or refused ones, oldest first.</summary>
    public IReadOnlyList<ScHubFunctionConnection> Connections
    {
        get
        {
            lock (gate) return [.. ended, .. open.OrderBy(c => c.ConnectTime).Select(c => c.Status())];
        }
    }

    /// <summary>Records a connection refused before it reached the hub function (its TLS handshake failed: the listening host
    /// says why).</summary>
    public void RecordRefused(string peerAddress, ScErrorCode error, string details) =>
        End(new ScHubFunctionConnection(ScConnectionState.FailedToConnect, null, clock.GetUtcNow(), peerAddress, null, null, error,
            details));

    /// <summary>Serves one accepted WebSocket until it closes, the node disconnects, the hub drops it or
    /// <paramref name="cancellation"/> fires. Never throws for anything the peer does.</summary>
    public async Task RunAsync(WebSocket socket, string peerAddress, CancellationToken cancellation)
    {
        var connection = new Connection(this, socket, peerAddress, cancellation);
        try
        {
            if (await ConnectAsync(connection, cancellation)) await RelayAsync(connection, cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            connection.Fail(ScConnectionState.DisconnectedWithErrors, ScErrorCode.TcpClosedByLocal, "the hub is stopping");
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            connection.Fail(connection.Accepted ? ScConnectionState.DisconnectedWithErrors : ScConnectionState.FailedToConnect,
                ScErrorCode.WebsocketClosedAbnormally, e.Message);
        }
        finally
        {
            lock (gate)
            {
                if (open.Remove(connection) && connection.Vmac is { } v && byVmac.GetValueOrDefault(v) == connection) byVmac.Remove(v);
            }
            End(connection.Status());
            await connection.FinishAsync();
        }
    }

    private async Task<bool> ConnectAsync(Connection connection, CancellationToken cancellation)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        wait.CancelAfter(connectWait);
        Received first;
        try
        {
            first = await connection.ReceiveAsync(ScLengths.OwnMaxBvlcLength, wait.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            connection.Fail(ScConnectionState.FailedToConnect, ScErrorCode.Other,
                $"no Connect-Request within {connectWait.TotalSeconds} s");
            return false;
        }
        if (first.Problem is { } problem)
        {
            Interlocked.Increment(ref droppedForBadInput);
            connection.Fail(ScConnectionState.FailedToConnect, problem.Code, problem.Details);
            if (problem.Nak is { } nak) connection.Post(nak);
            return false;
        }
        if (first.Message is not { Payload: ScPayload.ConnectRequest request } message)
        {
            connection.Fail(ScConnectionState.FailedToConnect, ScErrorCode.UnexpectedData,
                first.Message is null ? "the connection closed before a Connect-Request"
                    : $"{first.Message.Function} before a Connect-Request");
            return false;
        }
        connection.Identify(request);
        Connection? replaced = null;
        lock (gate)
        {
            if (request.Vmac == Vmac || request.Vmac.IsBroadcast
                || byVmac.TryGetValue(request.Vmac, out var holder) && holder.Uuid != request.DeviceUuid)
            {
                connection.Fail(ScConnectionState.FailedToConnect, ScErrorCode.NodeDuplicateVmac, $"VMAC {request.Vmac} is already in use");
            }
            else
            {
                // The same device (VMAC and Device UUID) connecting again replaces its old connection (AB.6.2.2).
                if (byVmac.TryGetValue(request.Vmac, out var old)) replaced = old;
                byVmac[request.Vmac] = connection;
                open.Add(connection);
                connection.Accept(clock.GetUtcNow());
                // queued before any relay can reach the connection (it is open now): the node hears Connect-Accept first
                connection.Post(ScMessages.ConnectAccept(message, Vmac, DeviceUuid));
            }
        }
        if (!connection.Accepted)
        {
            connection.Post(ScMessages.Nak(message, ScErrorCode.NodeDuplicateVmac, connection.ErrorDetails ?? ""));
            return false;
        }
        if (replaced is not null)
        {
            replaced.Fail(ScConnectionState.DisconnectedWithErrors, ScErrorCode.NodeDuplicateVmac,
                "replaced by a new connection of the device");
            replaced.Abort();
        }
        return true;
    }

    private async Task RelayAsync(Connection connection, CancellationToken cancellation)
    {
        while (true)
        {
            var received = await connection.ReceiveAsync(ScLengths.OwnMaxBvlcLength, cancellation);
            if (received.Problem is { } problem)
            {
                Interlocked.Increment(ref droppedForBadInput);
                if (problem.Nak is { } nak) connection.Post(nak);
                connection.Fail(ScConnectionState.DisconnectedWithErrors, problem.Code, problem.Details);
                return;
            }
            if (received.Message is not { } message)
            {
                connection.Fail(ScConnectionState.DisconnectedWithErrors, ScErrorCode.WebsocketClosedByPeer,
                    "the node closed the WebSocket without a Disconnect-Request");
                return;
            }
            switch (message.Payload)
            {
                case ScPayload.DisconnectRequest:
                    connection.Post(ScMessages.DisconnectAck(message));
                    connection.Disconnected(clock.GetUtcNow());
                    return;
                case ScPayload.HeartbeatRequest:
                    connection.Post(ScMessages.HeartbeatAck(message));
                    break;
                case ScPayload.HeartbeatAck or ScPayload.DisconnectAck or ScPayload.ConnectAccept:
                    break;
                default:
                    Route(connection, message);
                    break;
            }
        }
    }

    /// <summary>Answers or relays one message: only queues, never waits for a socket (the sender's or another's).</summary>
    private void Route(Connection from, ScMessage message)
    {
        if (message.Originating is not null)
        {
            // bacnet-stack's hub answers so (bsc-socket.c); a node omits its VMAC toward the hub, which adds it.
            from.Post(ScMessages.Nak(message with { Originating = null }, ScErrorCode.HeaderEncodingError,
                "'Originating Virtual Address' field must be absent"));
            return;
        }
        if (message.Destination is not { } destination || destination == Vmac)
        {
            // Addressed to the hub itself: it answers what AB.3 asks of every node, it relays, it serves nothing else.
            if (Answer(from, message)) return;
            if (message.Payload is not ScPayload.Result)
                from.Post(ScMessages.Nak(message, message.Function == ScFunction.ConnectRequest
                    ? ScErrorCode.UnexpectedData : ScErrorCode.BvlcFunctionUnknown,
                    $"the hub does not serve {message.Function}"));
            return;
        }
        if (from.Vmac is not { } origin) return;
        if (destination.IsBroadcast)
        {
            List<Connection> others;
            lock (gate) others = [.. open.Where(c => c != from && c.Accepted)];
            var relayed = message with { Originating = origin };
            foreach (var other in others) other.Forward(relayed);
            return;
        }
        Connection? target;
        lock (gate) target = byVmac.GetValueOrDefault(destination);
        // A unicast to a VMAC no connection holds is dropped, as on any datalink.
        if (target is not null && target != from) target.Forward(message with { Originating = origin, Destination = null });
    }

    /// <summary>
    /// Answers the node-to-node requests of AB.3 addressed to the hub itself; false for anything else. This hub accepts no direct
    /// connections, so Address-Resolution gets the BVLC-Result NAK (communication, OPTIONAL_FUNCTIONALITY_NOT_SUPPORTED) that
    /// AB.3.3 prescribes for a node that does not accept them, not an empty Address-Resolution-ACK (which says it does, at no
    /// URI); bacnet-stack (bsc-node.c) and bac-py answer the same. Advertisement-Solicitation gets an Advertisement (AB.3.2):
    /// the hub connector state, direct connections not accepted, the hub's maximum lengths; it is a new message, not a response
    /// (AB.3.1.4), so it carries a new Message-ID.
    /// </summary>
    private bool Answer(Connection from, ScMessage message)
    {
        switch (message.Payload)
        {
            case ScPayload.AddressResolution:
                from.Post(ScMessages.Nak(message, ScErrorCode.OptionalFunctionalityNotSupported,
                    "this hub does not accept direct connections"));
                return true;
            case ScPayload.AdvertisementSolicitation:
                from.Post(new ScMessage(messageIds.Next(), new ScPayload.Advertisement(HubConnectorState(), false,
                    ScLengths.OwnMaxBvlcLength, ScLengths.OwnMaxNpduLength)));
                return true;
            default:
                return false;
        }
    }

    private void End(ScHubFunctionConnection status)
    {
        lock (gate)
        {
            ended.Enqueue(status);
            while (ended.Count > EndedKept) ended.Dequeue();
        }
    }

    private readonly record struct Problem(ScErrorCode Code, string Details, ScMessage? Nak);

    /// <summary>A received message, or why the connection must be dropped, or neither (the peer closed).</summary>
    private readonly record struct Received(ScMessage? Message, Problem? Problem);

    /// <summary>One node's WebSocket: its identity once connected, its state, and its send queue with the writer that empties
    /// it (started at once; <paramref name="lifetime"/> is the connection's own, never another connection's).</summary>
    private sealed class Connection
    {
        private readonly ScHubFunction hub;
        private readonly WebSocket socket;
        private readonly string peerAddress;
        private readonly CancellationToken lifetime;
        private readonly Channel<byte[]> outgoing = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(SendQueue)
        {
            // Wait, used only through TryWrite: false when full (DropWrite would drop and still say true)
            FullMode = BoundedChannelFullMode.Wait, SingleReader = true,
        });
        private readonly Task writer;
        private readonly object statusGate = new();
        private ScConnectionState state = ScConnectionState.NotConnected;
        private DateTimeOffset? disconnectTime;
        private ScErrorCode? error;
        private ushort usableBvlc = ScLengths.OwnMaxBvlcLength;
        private byte[]? receiveBuffer;  // one per connection: the decoder copies what it keeps

        public Connection(ScHubFunction hub, WebSocket socket, string peerAddress, CancellationToken lifetime)
        {
            this.hub = hub;
            this.socket = socket;
            this.peerAddress = peerAddress;
            this.lifetime = lifetime;
            writer = WriteAsync();
        }

        public Vmac? Vmac { get; private set; }

        public Guid? Uuid { get; private set; }

        public DateTimeOffset? ConnectTime { get; private set; }

        public bool Accepted => state == ScConnectionState.Connected;

        public string? ErrorDetails { get; private set; }

        public void Identify(ScPayload.ConnectRequest request)
        {
            Vmac = request.Vmac;
            Uuid = request.DeviceUuid;
            usableBvlc = ScLengths.UsableBvlc(request.MaxBvlcLength);
        }

        public void Accept(DateTimeOffset now)
        {
            state = ScConnectionState.Connected;
            ConnectTime = now;
        }

        public void Disconnected(DateTimeOffset now)
        {
            state = ScConnectionState.NotConnected;
            disconnectTime = now;
        }

        /// <summary>Records the first failure (later ones are consequences of it).</summary>
        public void Fail(ScConnectionState failed, ScErrorCode code, string details)
        {
            lock (statusGate)  // the reader and the writer may both fail it
            {
                if (error is not null || disconnectTime is not null) return;
                state = failed;
                error = code;
                ErrorDetails = details;
                disconnectTime = hub.clock.GetUtcNow();
            }
        }

        public ScHubFunctionConnection Status()
        {
            lock (statusGate) return new(state, ConnectTime, disconnectTime, peerAddress, Vmac, Uuid, error, ErrorDetails);
        }

        public async Task<Received> ReceiveAsync(int maxLength, CancellationToken cancellation)
        {
            var buffer = receiveBuffer is { } kept && kept.Length == maxLength ? kept : receiveBuffer = new byte[maxLength];
            var (kind, length) = await ScFrameReader.ReceiveAsync(socket, buffer, cancellation);
            switch (kind)
            {
                case ScFrameKind.Closed:
                    return default;
                case ScFrameKind.Text:
                    return new(null, new(ScErrorCode.WebsocketDataNotAccepted, "a text frame (BVLC-SC messages are binary)", null));
                case ScFrameKind.TooLong:
                    return new(null, new(ScErrorCode.WebsocketFrameTooLong, $"a message longer than {maxLength} octets", null));
            }
            var decoded = BvlcSc.Decode(buffer.AsSpan(0, length), maxLength);
            if (decoded.Ok) return new(decoded.Value, null);
            var details = decoded.Error!.ToString();
            // NAK what can be answered: a request whose function and Message-ID were readable (never a BVLC-Result).
            ScMessage? nak = length >= BvlcSc.HeaderLength && buffer[0] is > 0 and <= (byte)ScFunction.ProprietaryMessage
                ? ScMessages.Nak((ScFunction)buffer[0], (ushort)(buffer[2] << 8 | buffer[3]), ScErrorCode.InvalidDataEncoding, details)
                : null;
            return new(null, new(buffer[0] > (byte)ScFunction.ProprietaryMessage ? ScErrorCode.BvlcFunctionUnknown
                : ScErrorCode.InvalidDataEncoding, details, nak));
        }

        /// <summary>Queues a message to this node; false when its queue is full (the message is dropped) or closed.</summary>
        public bool Post(ScMessage message) => outgoing.Writer.TryWrite(BvlcSc.ToArray(message));

        /// <summary>Relays a message to this node: dropped when longer than the node accepts, when the node is gone or when its
        /// queue is full (counted).</summary>
        public void Forward(ScMessage message)
        {
            if (BvlcSc.EncodedLength(message) > usableBvlc) return;
            if (!Post(message) && !outgoing.Reader.Completion.IsCompleted) Interlocked.Increment(ref hub.relaysDropped);
        }

        /// <summary>Sends what is queued, one message at a time, each within the hub's send timeout; a send that takes longer
        /// drops the node (the WebSocket is aborted, which also ends the connection's reader).</summary>
        private async Task WriteAsync()
        {
            await Task.Yield();  // the constructor returns at once
            var timeout = new CancellationTokenSource();
            try
            {
                await foreach (var frame in outgoing.Reader.ReadAllAsync(lifetime))
                {
                    if (socket.State != WebSocketState.Open) continue;  // gone: what is queued is dropped
                    timeout.CancelAfter(hub.SendTimeout);
                    // the failure is recorded before the abort, so the reader's own failure (a consequence) does not win
                    using (timeout.Token.UnsafeRegister(static c => ((Connection)c!).SendTimedOut(), this))
                        await socket.SendAsync(frame, WebSocketMessageType.Binary, true, lifetime);
                    if (timeout.TryReset()) continue;
                    timeout.Dispose();  // it fired just after the send ended
                    timeout = new CancellationTokenSource();
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
            {
                // the connection is ending; its reader reports why
            }
            finally
            {
                timeout.Dispose();
            }
        }

        private void SendTimedOut()
        {
            Fail(ScConnectionState.DisconnectedWithErrors, ScErrorCode.TcpError,
                $"a message to the node was not sent within {hub.SendTimeout.TotalSeconds:0.###} s (it does not read)");
            socket.Abort();
        }

        /// <summary>Aborts the WebSocket from another connection's task (a device that connected again replaces it).</summary>
        public void Abort()
        {
            outgoing.Writer.TryComplete();
            socket.Abort();
        }

        /// <summary>Ends the connection from its own task: what was queued last (a NAK, a Disconnect-ACK) is sent, within the
        /// send timeout and two seconds at most, then the WebSocket is closed with the close handshake.</summary>
        public async Task FinishAsync()
        {
            outgoing.Writer.TryComplete();
            if (await Task.WhenAny(writer, Task.Delay(TimeSpan.FromSeconds(2))) != writer)
            {
                socket.Abort();
                return;
            }
            await CloseAsync();
        }

        /// <summary>Closes the WebSocket with the close handshake (two seconds at most).</summary>
        private async Task CloseAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
                var buffer = new byte[256];
                while (socket.State == WebSocketState.CloseSent)
                    await socket.ReceiveAsync(buffer, timeout.Token);
            }
            catch (WebSocketException) { }
            catch (OperationCanceledException) { }
            catch (ObjectDisposedException) { }
            catch (IOException) { }
        }
    }
}
