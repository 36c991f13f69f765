using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.SecureConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace CertLsp.Bacnet.Simulator;

/// <summary>Where and how <see cref="ScHubHost"/> listens.</summary>
/// <param name="Address">The address to bind: a 127.0.0.0/8 address unless <see cref="AllowNonLoopback"/>.</param>
/// <param name="Port">The TCP port (0: one the system picks; <see cref="ScHubHost.Uri"/> tells it).</param>
/// <param name="Certificate">The hub's certificate with its private key (serverAuth, the host in its SAN).</param>
/// <param name="Verifier">Checks every node's client certificate (clientAuth, the site's issuers).</param>
public sealed record ScHubHostOptions(IPAddress Address, int Port, X509Certificate2? Certificate, ScPeerVerifier? Verifier)
{
    /// <summary>Lets the hub bind an address outside 127.0.0.0/8: only when a user asked for that address explicitly.</summary>
    public bool AllowNonLoopback { get; init; }

    /// <summary>Plain ws:// without TLS, for a test that captures the BVLC-SC traffic for Wireshark. Never for a site.</summary>
    public bool PlainTextForCapture { get; init; }

    public Vmac Vmac { get; init; } = Vmac.NewRandom();

    public Guid DeviceUuid { get; init; } = Guid.NewGuid();

    /// <summary>Where Kestrel's log lines go (warnings and above; debug too when <see cref="Debug"/>), for a host or a test to show.
    /// </summary>
    public Action<string>? Log { get; init; }

    public bool Debug { get; init; }

    /// <summary>How long one message to a node may take to be sent before the hub drops the node
    /// (<see cref="ScHubFunction.SendTimeout"/>; null: its default).</summary>
    public TimeSpan? SendTimeout { get; init; }
}

/// <summary>Kestrel's log lines as text to a delegate.</summary>
internal sealed class DelegateLoggerProvider(Action<string> log, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(log, minimum, categoryName);

    public void Dispose() { }

    private sealed class Logger(Action<string> log, LogLevel minimum, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            log($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: " +
                $"{exception.Message}{(exception.InnerException is { } inner ? $"; {inner.Message}" : "")})")}");
        }
    }
}

/// <summary>
/// A BACnet/SC hub listening with Kestrel: HTTPS with the hub's certificate, TLS 1.3 only, a client certificate required and
/// checked by <see cref="ScPeerVerifier"/> (clientAuth, signed by one of the site's issuers), a WebSocket with the subprotocol
/// <c>hub.bsc.bacnet.org</c> on any path, served by a <see cref="ScHubFunction"/>. It binds only the address and port it is given,
/// and an address outside 127.0.0.0/8 only when <see cref="ScHubHostOptions.AllowNonLoopback"/> says so. A refused handshake is
/// recorded in <see cref="ScHubFunction.Connections"/> with the reason.
/// </summary>
public sealed class ScHubHost : IAsyncDisposable
{
    public const string SubProtocol = "hub.bsc.bacnet.org";

    /// <summary>The ALPN protocol name libwebsockets 4.1 clients (bacnet-stack's nodes) send: one name, "h2;http/1.1".</summary>
    private static readonly SslApplicationProtocol LibwebsocketsAlpn = new("h2;http/1.1"u8.ToArray());

    private readonly WebApplication app;
    private readonly CancellationTokenSource stopping;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, X509Certificate2> certificates;

    private ScHubHost(WebApplication app, CancellationTokenSource stopping, ScHubFunction hub, Uri uri,
        System.Collections.Concurrent.ConcurrentDictionary<string, X509Certificate2> certificates)
    {
        this.app = app;
        this.stopping = stopping;
        this.certificates = certificates;
        Hub = hub;
        Uri = uri;
    }

    public ScHubFunction Hub { get; }

    /// <summary>The client certificate (no key) a node presented on the connection from <paramref name="peerAddress"/> (as
    /// <see cref="ScHubFunctionConnection.PeerAddress"/> names it); null when none was seen from there.</summary>
    public X509Certificate2? CertificateOf(string peerAddress) => certificates.GetValueOrDefault(peerAddress);

    /// <summary>The certificate the node now connected with <paramref name="vmac"/> presented (null: no such connection).</summary>
    public X509Certificate2? CertificateOf(Vmac vmac) =>
        Hub.Connections.FirstOrDefault(c => c.State == ScConnectionState.Connected && c.PeerVmac == vmac) is { } connection
            ? CertificateOf(connection.PeerAddress) : null;

    /// <summary>wss://address:port/ (ws:// for a plain-text capture host).</summary>
    public Uri Uri { get; }

    public static async Task<ScHubHost> StartAsync(ScHubHostOptions options, CancellationToken cancellation = default)
    {
        if (!options.AllowNonLoopback && !IsLoopback(options.Address))
            throw new ArgumentException($"the hub binds only 127.0.0.0/8 unless an address outside is asked for: {options.Address}",
                nameof(options));
        if (!options.PlainTextForCapture && (options.Certificate is null || options.Verifier is null))
            throw new ArgumentException("a wss:// hub needs its certificate and a verifier for its nodes", nameof(options));
        var hub = new ScHubFunction(options.Vmac, options.DeviceUuid, sendTimeout: options.SendTimeout);
        // The empty builder and Kestrel's core: no configuration file, environment variable or default URL adds a binding.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        if (options.Log is { } log)
        {
            var minimum = options.Debug ? LogLevel.Debug : LogLevel.Warning;
            builder.Logging.SetMinimumLevel(minimum);
            builder.Logging.AddProvider(new DelegateLoggerProvider(log, minimum));
        }
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.Address, options.Port, listen =>
            {
                if (options.PlainTextForCapture) return;
                // Kestrel's own client-certificate options set the SslStream's validation callback before a connection is known;
                // the per-connection options here let the verifier's refusal carry the peer's address.
                var context = SslStreamCertificateContext.Create(options.Certificate!, additionalCertificates: null);
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = tls =>
                    {
                        var peer = tls.Connection.RemoteEndPoint?.ToString() ?? "?";
                        return ValueTask.FromResult(new SslServerAuthenticationOptions
                        {
                            ServerCertificateContext = context,
                            EnabledSslProtocols = SslProtocols.Tls13,
                            ClientCertificateRequired = true,
                            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                            // bacnet-stack's nodes (libwebsockets) offer the single malformed ALPN name "h2;http/1.1", and a server
                            // whose list has no match sends a fatal no_application_protocol alert: take it as HTTP/1.1 (what
                            // its WebSocket upgrade speaks). Without a list Kestrel would put its own, with the same effect.
                            ApplicationProtocols = [SslApplicationProtocol.Http11, LibwebsocketsAlpn],
                            RemoteCertificateValidationCallback = options.Verifier!.Callback(ScPeerRole.Node, refused: reason =>
                                hub.RecordRefused(peer, ErrorCode(reason), $"TLS handshake refused: {reason}")),
                        });
                    },
                });
            });
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        var stopping = new CancellationTokenSource();
        var certificates = new System.Collections.Concurrent.ConcurrentDictionary<string, X509Certificate2>(StringComparer.Ordinal);
        app.Run(async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest || !context.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync(SubProtocol);
            var peer = new IPEndPoint(context.Connection.RemoteIpAddress ?? IPAddress.None, context.Connection.RemotePort).ToString();
            if (context.Connection.ClientCertificate is { } presented)
                certificates[peer] = X509CertificateLoader.LoadCertificate(presented.RawData);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token);
            await hub.RunAsync(socket, peer, both.Token);
        });
        await app.StartAsync(cancellation);
        var port = new Uri(app.Urls.First()).Port;
        var uri = new Uri($"{(options.PlainTextForCapture ? "ws" : "wss")}://{options.Address}:{port}/");
        return new ScHubHost(app, stopping, hub, uri, certificates);
    }

    /// <summary>Whether an address is in 127.0.0.0/8 (or is ::1).</summary>
    public static bool IsLoopback(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? IsLoopback(address.MapToIPv4()) : IPAddress.IsLoopback(address);

    /// <summary>The error code for a refused client certificate (<see cref="ScPeerVerifier"/>'s reason).</summary>
    internal static ScErrorCode ErrorCode(string reason) =>
        reason.StartsWith("expired", StringComparison.Ordinal) ? ScErrorCode.TlsClientCertificateExpired
        : reason.StartsWith("revoked", StringComparison.Ordinal) ? ScErrorCode.TlsClientCertificateRevoked
        : ScErrorCode.TlsClientCertificateError;

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
        stopping.Dispose();
    }
}
