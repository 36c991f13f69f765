using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Simulator;

/// <summary>
/// Many simulated devices in one process: each on its own loopback address, plus one socket on the broadcast
/// address that hands every broadcast to every device (on Linux a socket bound to a unicast address gets none).
/// </summary>
public sealed class SimulatedSite : IAsyncDisposable
{
    private readonly List<(SimulatedDevice Device, DeviceEndpoint Endpoint)> _devices;
    private readonly UdpEndpoint? _broadcast;

    private SimulatedSite(List<(SimulatedDevice, DeviceEndpoint)> devices, UdpEndpoint? broadcast)
    {
        _devices = devices;
        _broadcast = broadcast;
    }

    public IReadOnlyList<SimulatedDevice> Devices => [.. _devices.Select(d => d.Device)];

    public SimulatedDevice this[uint instance] => _devices.First(d => d.Device.Spec.Instance == instance).Device;

    /// <summary>Datagrams the devices could not decode or would not answer (dropped or answered with reject/abort).</summary>
    public long MalformedReceived => _devices.Sum(d => d.Endpoint.MalformedReceived);

    /// <param name="broadcast">The directed broadcast address to listen on (for example 127.255.255.255); null = unicast only.</param>
    public static SimulatedSite Start(IEnumerable<SimulatedDeviceSpec> specs, ushort port, System.Net.IPAddress? broadcast)
    {
        var devices = new List<(SimulatedDevice, DeviceEndpoint)>();
        try
        {
            foreach (var spec in specs)
            {
                UdpEndpoint.RefuseUnsafe(spec.Address, "device");
                var device = new SimulatedDevice(spec, port);
                // Loopback only: a Forwarded-NPDU naming another original source gets no answer; an unresponsive device answers no one.
                devices.Add((device, new DeviceEndpoint(device.Endpoint, device, peer => UdpEndpoint.IsSendable(peer) && peer.IsLoopback && !device.Unresponsive)));
            }
            UdpEndpoint? listener = null;
            if (broadcast is not null)
            {
                var all = devices.Select(d => d.Item2).ToArray();
                listener = UdpEndpoint.BindBroadcastListener(BipEndpoint.From(new System.Net.IPEndPoint(broadcast, port)), (datagram, source, _) =>
                {
                    foreach (var endpoint in all)
                        if (endpoint.Local != source) endpoint.Receive(datagram, source);
                });
            }
            return new SimulatedSite(devices, listener);
        }
        catch
        {
            foreach (var (device, endpoint) in devices) { endpoint.DisposeAsync().AsTask().Wait(); device.Dispose(); }
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_broadcast is not null) await _broadcast.DisposeAsync().ConfigureAwait(false);
        foreach (var (device, endpoint) in _devices)
        {
            await endpoint.DisposeAsync().ConfigureAwait(false);
            device.Dispose();
        }
    }
}
