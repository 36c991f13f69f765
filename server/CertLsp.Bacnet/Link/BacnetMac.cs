using CertLsp.Bacnet.SecureConnect;

namespace CertLsp.Bacnet.Link;

/// <summary>Which datalink a <see cref="BacnetMac"/> belongs to.</summary>
public enum BacnetMacKind : byte
{
    /// <summary>A BACnet/IP endpoint: IPv4 address and UDP port (Annex J).</summary>
    Bip = 0,
    /// <summary>A BACnet/SC virtual MAC address (Annex AB.1.5.2).</summary>
    SecureConnect = 1,
}

/// <summary>
/// A BACnet MAC address of 6 octets on the datalink it came from: a B/IP endpoint (IP and port) or an SC VMAC. A value that
/// compares and hashes without allocating; a B/IP endpoint or a VMAC converts to it implicitly.
/// </summary>
public readonly record struct BacnetMac
{
    private readonly ulong value;

    private BacnetMac(BacnetMacKind kind, ulong value)
    {
        Kind = kind;
        this.value = value;
    }

    public BacnetMacKind Kind { get; }

    public bool IsBip => Kind == BacnetMacKind.Bip;

    public bool IsSecureConnect => Kind == BacnetMacKind.SecureConnect;

    public static BacnetMac FromBip(BipEndpoint endpoint) => new(BacnetMacKind.Bip, (ulong)endpoint.Address << 16 | endpoint.Port);

    public static BacnetMac FromVmac(Vmac vmac) => new(BacnetMacKind.SecureConnect, vmac.Value);

    public static implicit operator BacnetMac(BipEndpoint endpoint) => FromBip(endpoint);

    public static implicit operator BacnetMac(Vmac vmac) => FromVmac(vmac);

    /// <summary>The B/IP endpoint; throws when this is an SC VMAC.</summary>
    public BipEndpoint Bip => IsBip ? new BipEndpoint((uint)(value >> 16), (ushort)value)
        : throw new InvalidOperationException($"{this} is a BACnet/SC VMAC, not a BACnet/IP endpoint");

    /// <summary>The SC VMAC; throws when this is a B/IP endpoint.</summary>
    public Vmac Vmac => IsSecureConnect ? new Vmac(value)
        : throw new InvalidOperationException($"{this} is a BACnet/IP endpoint, not a BACnet/SC VMAC");

    /// <summary>Whether a unicast may be sent to it: a B/IP endpoint that is not 0.0.0.0, 255.255.255.255 or port 0; a VMAC that
    /// is not the broadcast VMAC.</summary>
    public bool IsUnicastSendable => IsBip ? Transport.UdpEndpoint.IsSendable(Bip) : !Vmac.IsBroadcast;

    /// <summary>The six octets of the MAC (B/IP: address then port, big-endian; SC: the VMAC's octets).</summary>
    public byte[] ToOctets() => IsBip ? Bip.ToMac() : Vmac.ToOctets();

    public override string ToString() => IsBip ? Bip.ToString() : $"vmac {Vmac}";
}
