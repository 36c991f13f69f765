using System.Net;

namespace CertLsp.Bacnet.Link;

/// <summary>A BACnet/IP address: an IPv4 address and a UDP port (the 6-byte B/IP MAC of Annex J).</summary>
public readonly record struct BipEndpoint(uint Address, ushort Port)
{
    public const ushort DefaultPort = 47808;

    public static BipEndpoint From(IPEndPoint endpoint)
    {
        if (endpoint.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException("BACnet/IP endpoints are IPv4", nameof(endpoint));
        Span<byte> b = stackalloc byte[4];
        endpoint.Address.TryWriteBytes(b, out _);
        return new((uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]), (ushort)endpoint.Port);
    }

    public static BipEndpoint Parse(string address, ushort port = DefaultPort) => From(new IPEndPoint(IPAddress.Parse(address), port));

    public IPAddress IPAddress => new([(byte)(Address >> 24), (byte)(Address >> 16), (byte)(Address >> 8), (byte)Address]);

    public IPEndPoint ToIPEndPoint() => new(IPAddress, Port);

    /// <summary>The 6-byte B/IP MAC address (address then port, big-endian).</summary>
    public byte[] ToMac() => [(byte)(Address >> 24), (byte)(Address >> 16), (byte)(Address >> 8), (byte)Address, (byte)(Port >> 8),
        (byte)Port];

    public static BipEndpoint FromMac(ReadOnlySpan<byte> mac) =>
        new((uint)(mac[0] << 24 | mac[1] << 16 | mac[2] << 8 | mac[3]), (ushort)(mac[4] << 8 | mac[5]));

    public bool IsLoopback => Address >> 24 == 127;

    public override string ToString() => $"{IPAddress}:{Port}";
}
