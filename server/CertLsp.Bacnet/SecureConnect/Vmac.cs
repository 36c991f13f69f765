using System.Security.Cryptography;

namespace CertLsp.Bacnet.SecureConnect;

/// <summary>
/// A BACnet/SC virtual MAC address (Annex AB.1.5.2): six octets, the node's BACnet MAC on an SC network. Held as the 48-bit
/// big-endian number of its octets, so it is a value that compares, hashes and prints without allocating.
/// </summary>
public readonly record struct Vmac
{
    public const int Length = 6;
    private const ulong Mask = 0xFFFF_FFFF_FFFF;

    public Vmac(ulong value) => Value = value & Mask;

    /// <summary>The octets as a 48-bit number, octet 0 the most significant.</summary>
    public ulong Value { get; }

    /// <summary>The broadcast VMAC FF:FF:FF:FF:FF:FF.</summary>
    public static Vmac Broadcast { get; } = new(Mask);

    public bool IsBroadcast => Value == Mask;

    /// <summary>A random local VMAC: six random octets with the low nibble of octet 0 set to 0x2 (a "random-48" VMAC).</summary>
    public static Vmac NewRandom()
    {
        Span<byte> octets = stackalloc byte[Length];
        do
        {
            RandomNumberGenerator.Fill(octets);
            octets[0] = (byte)(octets[0] & 0xF0 | 0x02);
        }
        while (FromOctets(octets).IsBroadcast);
        return FromOctets(octets);
    }

    /// <summary>Whether octet 0's low nibble is 0x2, the mark of a randomly drawn VMAC.</summary>
    public bool IsRandom48 => (Value >> 40 & 0x0F) == 0x02;

    /// <summary>Reads six octets; the caller checks that <paramref name="octets"/> has at least six.</summary>
    public static Vmac FromOctets(ReadOnlySpan<byte> octets)
    {
        ulong v = 0;
        for (var i = 0; i < Length; i++) v = v << 8 | octets[i];
        return new Vmac(v);
    }

    public void WriteTo(Span<byte> destination)
    {
        for (var i = 0; i < Length; i++) destination[i] = (byte)(Value >> (8 * (Length - 1 - i)));
    }

    public byte[] ToOctets()
    {
        var octets = new byte[Length];
        WriteTo(octets);
        return octets;
    }

    /// <summary>Parses "02:aa:bb:cc:dd:ee" or "02aabbccddee"; null when it is not six octets of hex.</summary>
    public static Vmac? TryParse(string text)
    {
        var hex = text.Replace(":", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (hex.Length != 2 * Length) return null;
        return ulong.TryParse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture,
            out var v) ? new Vmac(v) : null;
    }

    public override string ToString()
    {
        Span<byte> octets = stackalloc byte[Length];
        WriteTo(octets);
        return string.Join(':', octets.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
