using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Simulator;

/// <summary>
/// Many simulated devices in one process: each on its own loopback address, plus one socket on the broadcast
/// address that hands every broadcast to every device (on Linux a socket bound to a unicast address gets none).
/// </summary>
public sealed class SimulatedSite : IAsyncDisposable
{
    private readonly SimulatedDevice[] devices;
    private readonly DeviceEndpoint[] endpoints;  // replaced when a device restarts; the broadcast listener reads it too
    private readonly UdpEndpoint? broadcast;
    private readonly List<DeviceEndpoint> retired = [];  // endpoints replaced by restarts: their counts still count
    private volatile bool disposed;

    private SimulatedSite(SimulatedDevice[] devices, DeviceEndpoint[] endpoints, UdpEndpoint? broadcast)
    {
        this.devices = devices;
        this.endpoints = endpoints;
        this.broadcast = broadcast;
    }

    public IReadOnlyList<SimulatedDevice> Devices => devices;

    public SimulatedDevice this[uint instance] => devices[IndexOf(instance)];

    private int IndexOf(uint instance) =>
        Array.FindIndex(devices, d => d.Spec.Instance == instance) is >= 0 and var index ? index
            : throw new ArgumentException($"no simulated device {instance}", nameof(instance));

    /// <summary>Every endpoint that has answered for the site: the current ones and those replaced by restarts.</summary>
    private IEnumerable<DeviceEndpoint> AllEndpoints()
    {
        lock (retired) return [.. endpoints, .. retired];
    }

    /// <summary>Datagrams the devices could not decode (dropped or answered with reject/abort).</summary>
    public long MalformedReceived => AllEndpoints().Sum(e => e.MalformedReceived);

    /// <summary>Datagrams one device dropped: undecodable, or received while it was <see cref="SimulatedDevice.Unresponsive"/>.</summary>
    public long MalformedReceivedBy(uint instance) => Volatile.Read(ref endpoints[IndexOf(instance)]).MalformedReceived;

    /// <summary>NPDUs the devices did not process: addressed to a remote network, or confirmed requests sent by broadcast.</summary>
    public long Discarded => AllEndpoints().Sum(e => e.Discarded);

    /// <summary>Datagrams the devices' own sockets sent and received (broadcasts heard on the shared socket not counted).</summary>
    public long Datagrams => AllEndpoints().Sum(e => e.Datagrams);

    /// <summary>APDUs the devices dropped because they exceeded the device's Max APDU.</summary>
    public long OversizedDropped => AllEndpoints().Sum(e => e.OversizedDropped);

    /// <summary>Datagrams whose handling threw in a receive loop (a bug: bad datagrams are decode results, never exceptions).</summary>
    public long ReceiveFailures => AllEndpoints().Sum(e => e.ReceiveFailures) + (broadcast?.HandlerFailures ?? 0);

    /// <summary>
    /// Restarts a device: it stops answering (its socket closes), loses what was pending (<see cref="SimulatedDevice.Restart"/>),
    /// and answers again after <paramref name="downtime"/>.
    /// </summary>
    public async Task RestartAsync(uint instance, TimeSpan downtime)
    {
        var index = IndexOf(instance);
        var device = devices[index];
        var old = endpoints[index];
        await old.DisposeAsync().ConfigureAwait(false);
        device.Restart();
        await Task.Delay(downtime).ConfigureAwait(false);
        if (disposed) return; // the site closed meanwhile: no new socket
        lock (retired)
        {
            retired.Add(old);
            Volatile.Write(ref endpoints[index], Answering(device));
        }
    }

    // Loopback only: a Forwarded-NPDU naming another original source gets no answer; an unresponsive device answers no one.
    private static DeviceEndpoint Answering(SimulatedDevice device) =>
        new(device.Endpoint, device, peer => UdpEndpoint.IsSendable(peer) && peer.IsLoopback && !device.Unresponsive);

    /// <param name="broadcast">The directed broadcast address to listen on (for example 127.255.255.255); null = unicast only.</param>
    public static SimulatedSite Start(IEnumerable<SimulatedDeviceSpec> specs, ushort port, System.Net.IPAddress? broadcast)
    {
        var devices = new List<(SimulatedDevice Device, DeviceEndpoint Endpoint)>();
        try
        {
            foreach (var spec in specs)
            {
                UdpEndpoint.RefuseUnsafe(spec.Address, "device");
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
                        if (endpoint.Local != source) endpoint.Receive(datagram, source, broadcast: true);
                    }
                });
            }
            return new SimulatedSite([.. devices.Select(d => d.Device)], endpoints, listener);
        }
        catch
        {
            // Each socket closes at once (before DisposeAsync first waits); its device is disposed once its receive loop has ended.
            foreach (var (device, endpoint) in devices) _ = endpoint.DisposeAsync().AsTask().ContinueWith(_ => device.Dispose(),
                TaskScheduler.Default);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        if (broadcast is not null) await broadcast.DisposeAsync().ConfigureAwait(false);
        for (var i = 0; i < devices.Length; i++)
        {
            await Volatile.Read(ref endpoints[i]).DisposeAsync().ConfigureAwait(false);
            devices[i].Dispose();
        }
    }
}
