using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Simulator;

/// <summary>
/// Many simulated devices in one process: each on its own loopback address, plus one socket on the broadcast
/// address that hands every broadcast to every device (on Linux a socket bound to a unicast address gets none).
/// <para>The entry point is <see cref="StartAsync"/>: with <see cref="SimulatedScOptions"/> the site is a BACnet/SC site that runs
/// its hub (<see cref="Hub"/>, an <see cref="ScHubHost"/> on a 127.x address) and whose devices join their hub, once they have an
/// active operational certificate, with their own key and that certificate, serving the same application layer through it.
/// Devices that are <see cref="SimulatedDeviceSpec.ScOnly"/> have no BACnet/IP socket. <see cref="Start"/> is the BACnet/IP-only
/// site.</para>
/// </summary>
public sealed class SimulatedSite : IAsyncDisposable
{
    private readonly SimulatedDevice[] devices;
    private readonly DeviceEndpoint?[] endpoints;  // replaced when a device restarts; null: SC only; the broadcast listener reads it
    private readonly UdpEndpoint? broadcast;
    private readonly List<DeviceEndpoint> retired = [];  // endpoints replaced by restarts: their counts still count
    private readonly SimulatedHubConnection?[] hubConnections;  // per device on an SC site
    private volatile bool disposed;

    private SimulatedSite(SimulatedDevice[] devices, DeviceEndpoint?[] endpoints, UdpEndpoint? broadcast)
    {
        this.devices = devices;
        this.endpoints = endpoints;
        this.broadcast = broadcast;
        hubConnections = new SimulatedHubConnection?[devices.Length];
    }

    /// <summary>The hub the site runs (null: a BACnet/IP-only site, or an SC site whose devices join a hub run elsewhere).</summary>
    public ScHubHost? Hub { get; private set; }

    public IReadOnlyList<SimulatedDevice> Devices => devices;

    public SimulatedDevice this[uint instance] => devices[IndexOf(instance)];

    private int IndexOf(uint instance) =>
        Array.FindIndex(devices, d => d.Spec.Instance == instance) is >= 0 and var index ? index
            : throw new ArgumentException($"no simulated device {instance}", nameof(instance));

    /// <summary>Every endpoint that has answered for the site: the current ones and those replaced by restarts.</summary>
    private IEnumerable<DeviceEndpoint> AllEndpoints()
    {
        lock (retired)
        {
            return [.. endpoints.OfType<DeviceEndpoint>(), .. retired,
                .. hubConnections.OfType<SimulatedHubConnection>().SelectMany(h => h.Endpoints)];
        }
    }

    /// <summary>Datagrams the devices could not decode (dropped or answered with reject/abort).</summary>
    public long MalformedReceived => AllEndpoints().Sum(e => e.MalformedReceived);

    /// <summary>Datagrams one device dropped: undecodable, or received while it was <see cref="SimulatedDevice.Unresponsive"/>.</summary>
    public long MalformedReceivedBy(uint instance)
    {
        var index = IndexOf(instance);
        return (Volatile.Read(ref endpoints[index])?.MalformedReceived ?? 0)
            + (hubConnections[index]?.Endpoints.Sum(e => e.MalformedReceived) ?? 0);
    }

    /// <summary>I-Ams one device has sent in answer to Who-Is, over BACnet/IP and its hub connection (since its last restart).
    /// </summary>
    public long IAmsSentBy(uint instance)
    {
        var index = IndexOf(instance);
        return (Volatile.Read(ref endpoints[index])?.IAmsSent ?? 0) + (hubConnections[index]?.Endpoints.Sum(e => e.IAmsSent) ?? 0);
    }

    /// <summary>NPDUs the devices did not process: addressed to a remote network, or confirmed requests sent by broadcast.</summary>
    public long Discarded => AllEndpoints().Sum(e => e.Discarded);

    /// <summary>Datagrams the devices' own sockets sent and received (broadcasts heard on the shared socket not counted).</summary>
    public long Datagrams => AllEndpoints().Sum(e => e.Datagrams);

    /// <summary>APDUs the devices dropped because they exceeded the device's Max APDU.</summary>
    public long OversizedDropped => AllEndpoints().Sum(e => e.OversizedDropped);

    /// <summary>Datagrams whose handling threw in a receive loop (a bug: bad datagrams are decode results, never exceptions).</summary>
    public long ReceiveFailures => AllEndpoints().Sum(e => e.ReceiveFailures) + (broadcast?.HandlerFailures ?? 0);

    /// <summary>
    /// Restarts a device: it stops answering (its socket and its hub connection close), loses what was pending
    /// (<see cref="SimulatedDevice.Restart"/>), and answers again (and rejoins its hub) after <paramref name="downtime"/>.
    /// </summary>
    public async Task RestartAsync(uint instance, TimeSpan downtime)
    {
        var index = IndexOf(instance);
        var device = devices[index];
        var old = endpoints[index];
        if (old is not null) await old.DisposeAsync().ConfigureAwait(false);
        if (hubConnections[index] is { } hub) await hub.DisconnectAsync().ConfigureAwait(false);
        device.Restart();
        await Task.Delay(downtime).ConfigureAwait(false);
        if (disposed) return; // the site closed meanwhile: no new socket
        lock (retired)
        {
            if (old is not null) retired.Add(old);
            Volatile.Write(ref endpoints[index], Answering(device));
        }
        if (hubConnections[index] is { } again) await again.ConnectAsync().ConfigureAwait(false);
    }

    // Loopback only: a Forwarded-NPDU naming another original source gets no answer; an unresponsive device answers no one.
    // A device without BACnet/IP has no endpoint.
    private static DeviceEndpoint? Answering(SimulatedDevice device) => device.Spec.ScOnly ? null :
        new(device.Endpoint, device, peer => UdpEndpoint.IsSendable(peer) && peer.IsLoopback && device.Answers());

    /// <summary>
    /// Starts a site: the BACnet/IP devices as <see cref="Start"/> does and, with <paramref name="secureConnect"/>, the site's hub
    /// (when <see cref="SimulatedScOptions.Hub"/> names one) and every device's BACnet/SC port, which joins its hub as soon as the
    /// device has an active certificate (at once for a device with an <see cref="SimulatedDeviceSpec.InitialCertificate"/>). It
    /// returns without waiting for the devices to join: wait on <see cref="SimulatedDevice.HubConnector"/> or the hub's connections.
    /// </summary>
    /// <param name="port">The UDP port of the BACnet/IP devices.</param>
    /// <param name="broadcast">The directed broadcast address to listen on (for example 127.255.255.255); null = unicast only.</param>
    /// <param name="secureConnect">Null: a BACnet/IP-only site (no device may then be SC only).</param>
    public static async Task<SimulatedSite> StartAsync(IEnumerable<SimulatedDeviceSpec> specs, ushort port,
        System.Net.IPAddress? broadcast, SimulatedScOptions? secureConnect, CancellationToken cancellation = default)
    {
        var list = specs.ToList();
        if (secureConnect is null) return Start(list, port, broadcast);
        if (secureConnect.Issuers.Count == 0) throw new ArgumentException("an SC site needs its issuer certificates",
            nameof(secureConnect));
        if (secureConnect.Hub is null && secureConnect.PrimaryHub is null && list.Any(s => s.PrimaryHubUri is null))
            throw new ArgumentException("an SC site needs a hub to run or a primary hub URI for its devices", nameof(secureConnect));
        var site = Create(list, port, list.All(s => s.ScOnly) ? null : broadcast);
        try
        {
            if (secureConnect.Hub is { } hubOptions) site.Hub = await ScHubHost.StartAsync(hubOptions, cancellation).ConfigureAwait(false);
            for (var i = 0; i < site.devices.Length; i++)
            {
                var device = site.devices[i];
                var primary = device.Spec.PrimaryHubUri ?? secureConnect.PrimaryHub ?? site.Hub!.Uri;
                var connection = new SimulatedHubConnection(device, secureConnect, primary,
                    device.Spec.FailoverHubUri ?? secureConnect.FailoverHub);
                if (device.Spec.InitialCertificate is not null) device.InstallIssuers(secureConnect.Issuers);
                device.Hub = connection;
                site.hubConnections[i] = connection;
            }
            foreach (var connection in site.hubConnections) await connection!.ConnectAsync().ConfigureAwait(false);
            return site;
        }
        catch
        {
            await site.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <param name="broadcast">The directed broadcast address to listen on (for example 127.255.255.255); null = unicast only.</param>
    public static SimulatedSite Start(IEnumerable<SimulatedDeviceSpec> specs, ushort port, System.Net.IPAddress? broadcast)
    {
        var list = specs.ToList();
        if (list.FirstOrDefault(s => s.ScOnly) is { } scOnly)
            throw new ArgumentException($"device {scOnly.Instance} is SC only: start an SC site (StartAsync with SC options)",
                nameof(specs));
        return Create(list, port, broadcast);
    }

    private static SimulatedSite Create(IReadOnlyList<SimulatedDeviceSpec> specs, ushort port, System.Net.IPAddress? broadcast)
    {
        var devices = new List<(SimulatedDevice Device, DeviceEndpoint? Endpoint)>();
        try
        {
            foreach (var spec in specs)
            {
                if (!spec.ScOnly) UdpEndpoint.RefuseUnsafe(spec.Address, "device");
                var device = new SimulatedDevice(spec, port);
                devices.Add((device, Answering(device)));
            }
            var endpoints = devices.Select(d => d.Endpoint).ToArray();
            UdpEndpoint? listener = null;
            if (broadcast is not null)
            {
                listener = UdpEndpoint.BindBroadcastListener(BipEndpoint.From(new System.Net.IPEndPoint(broadcast, port)),
                    (datagram, source, _) =>
                {
                    for (var i = 0; i < endpoints.Length; i++)
                    {
                        var endpoint = Volatile.Read(ref endpoints[i]);
                        if (endpoint is not null && endpoint.Local != source) endpoint.Receive(datagram, source, broadcast: true);
                    }
                });
            }
            return new SimulatedSite([.. devices.Select(d => d.Device)], endpoints, listener);
        }
        catch
        {
            // Each socket closes at once (before DisposeAsync first waits); its device is disposed once its receive loop has ended.
            foreach (var (device, endpoint) in devices)
            {
                if (endpoint is null) device.Dispose();
                else _ = endpoint.DisposeAsync().AsTask().ContinueWith(_ => device.Dispose(), TaskScheduler.Default);
            }
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        if (broadcast is not null) await broadcast.DisposeAsync().ConfigureAwait(false);
        // the devices leave the hub in order (Disconnect-Request) before it stops
        await Task.WhenAll(hubConnections.OfType<SimulatedHubConnection>().Select(h => h.DisposeAsync().AsTask())).ConfigureAwait(false);
        if (Hub is not null) await Hub.DisposeAsync().ConfigureAwait(false);
        for (var i = 0; i < devices.Length; i++)
        {
            if (Volatile.Read(ref endpoints[i]) is { } endpoint) await endpoint.DisposeAsync().ConfigureAwait(false);
            devices[i].Dispose();
        }
    }
}
