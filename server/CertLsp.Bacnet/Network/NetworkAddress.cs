namespace CertLsp.Bacnet.Network;

/// <summary>
/// A remote station: a network number and a MAC address of up to 8 bytes, held inline so the value is immutable
/// and compares by content. An empty MAC with a network number is that network's broadcast;
/// network 0xFFFF with an empty MAC is the global broadcast.
/// </summary>
public readonly record struct NetworkAddress
{
    public const ushort GlobalNetwork = 0xFFFF;
    public const int MaxMacLength = 8;

    private readonly ulong mac;

    public NetworkAddress(ushort network, ReadOnlySpan<byte> mac)
    {
        if (mac.Length > MaxMacLength) throw new ArgumentException($"a MAC address has at most {MaxMacLength} bytes", nameof(mac));
        Network = network;
        MacLength = (byte)mac.Length;
        foreach (var b in mac) this.mac = (this.mac << 8) | b;
    }

    public ushort Network { get; }
    public byte MacLength { get; }

    public static NetworkAddress GlobalBroadcast => new(GlobalNetwork, []);

    public bool IsBroadcast => MacLength == 0;

    public byte[] Mac
    {
        get
        {
            var bytes = new byte[MacLength];
            for (var i = 0; i < MacLength; i++) bytes[i] = (byte)(mac >> (8 * (MacLength - 1 - i)));
            return bytes;
        }
    }

    public override string ToString() => $"{Network}:{Convert.ToHexString(Mac)}";
}
