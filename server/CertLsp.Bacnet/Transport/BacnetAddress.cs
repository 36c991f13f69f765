using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Network;

namespace CertLsp.Bacnet.Transport;

/// <summary>
/// Where a device is: its MAC on the datalink (a B/IP endpoint or an SC VMAC), or a router's MAC plus the remote network address
/// behind it (sent as DNET/DADR, answered with SNET/SADR).
/// </summary>
public readonly record struct BacnetAddress(BacnetMac Mac, NetworkAddress? Remote = null)
{
    public static implicit operator BacnetAddress(BipEndpoint endpoint) => new(endpoint);
    public static implicit operator BacnetAddress(BacnetMac mac) => new(mac);

    /// <summary>The B/IP endpoint of <see cref="Mac"/>; throws for an SC address.</summary>
    public BipEndpoint Endpoint => Mac.Bip;

    public override string ToString() => Remote is { } r ? $"{Mac}/{r}" : Mac.ToString();
}

/// <summary>An APDU received for a transaction, copied out of the receive buffer.</summary>
public sealed record IncomingApdu(Application.ApduHeader Header, byte[] Data);
