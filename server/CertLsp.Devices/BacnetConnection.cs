using System.Net;
using System.Net.Sockets;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;

namespace CertLsp.Devices;

/// <summary>Why a BACnet client could not be set up from what the engineer named (an address that is not IPv4, one this machine cannot
/// bind).</summary>
public sealed class BacnetSetupException(string message) : Exception(message);

/// <summary>
/// The engineer's end of BACnet/IP, the same for the command line and the editor: a client bound to the local address they
/// named (never defaulted), for talking to known devices or for discovery on the broadcast address they named.
/// </summary>
public static class BacnetConnection
{
    /// <summary>An IPv4 address, or a <see cref="BacnetSetupException"/> that names where it was given (an option, a setting) and quotes
    /// it.</summary>
    public static IPAddress Ipv4(string value, string givenAs) =>
        IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetwork
            ? address
            : throw new BacnetSetupException($"{givenAs} “{value}” is not an IPv4 address");

    /// <summary>A client for the devices' own addresses (device CSRs, certificate installs); each request gets <paramref
    /// name="timeoutSeconds"/> (<see cref="DeviceTimeout"/>).</summary>
    public static BacnetClient ForDevices(IPAddress bind, double timeoutSeconds = DeviceTimeout.DefaultSeconds) =>
        Start(bind, DeviceTimeout.Apply(new BacnetClientOptions(BipEndpoint.From(new IPEndPoint(bind, 0)), null), timeoutSeconds));

    /// <summary>A client that sends Who-Is to the broadcast address on the site's port and hears broadcast I-Ams.</summary>
    public static BacnetClient ForDiscovery(IPAddress bind, IPAddress broadcast, int port, double timeoutSeconds =
        DeviceTimeout.DefaultSeconds) =>
        Start(bind, DeviceTimeout.Apply(new BacnetClientOptions(BipEndpoint.From(new IPEndPoint(bind, 0)),
            BipEndpoint.From(new IPEndPoint(broadcast, port)))
        {
            ListenForBroadcasts = true,
        }, timeoutSeconds));

    private static BacnetClient Start(IPAddress bind, BacnetClientOptions options)
    {
        try
        {
            return BacnetClient.Start(options);
        }
        catch (Exception e) when (e is ArgumentException or SocketException)
        {
            throw new BacnetSetupException($"cannot use {bind}{(options.Broadcast is { } b ? $" / {b}" : "")}: {e.Message}");
        }
    }
}
