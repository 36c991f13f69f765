using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Network;

namespace CertLsp.Bacnet.Transport;

/// <summary>
/// Where a device is: its B/IP endpoint, or a router's endpoint plus the remote network address behind it
/// (sent as DNET/DADR, answered with SNET/SADR).
/// </summary>
public readonly record struct BacnetAddress(BipEndpoint Endpoint, NetworkAddress? Remote = null)
{
    public static implicit operator BacnetAddress(BipEndpoint endpoint) => new(endpoint);
    public override string ToString() => Remote is { } r ? $"{Endpoint}/{r}" : Endpoint.ToString();
}

/// <summary>An APDU received for a transaction, copied out of the receive buffer.</summary>
public sealed record IncomingApdu(Application.ApduHeader Header, byte[] Data);
