namespace CertLsp.Bacnet.SecureConnect;

/// <summary>
/// The Max-BVLC-Length and Max-NPDU-Length of Connect-Request, Connect-Accept and Advertisement, and how a received value
/// becomes a usable limit.
/// </summary>
/// <remarks>
/// The standard writes these lengths big-endian, and so does the decoder. bacnet-stack writes them in host byte order, so from
/// an x86 peer 1500 arrives as <c>dc 05</c> and reads as 56325. Such a value is never rejected (the connection would drop for
/// nothing); <see cref="Usable"/> applies this rule instead:
/// <list type="number">
/// <item>A value above 16383 or below the floor cannot be right (no known peer announces more than 16 KiB, and nothing useful
/// fits below the floor). If its byte-swapped reading lies within [floor, 16383], that reading is taken (the peer wrote host
/// order).</item>
/// <item>The result is clamped into [floor, own maximum]: never less than the smallest message BACnet allows, never more than
/// this node sends anyway.</item>
/// </list>
/// Misreading a conformant peer by this rule can only make this node send smaller messages, never larger ones than the peer
/// announced (except below the floor, which no conformant peer announces).
/// </remarks>
public static class ScLengths
{
    /// <summary>The largest BVLC-SC message this node accepts and sends: a largest NPDU with both VMACs and room for options.
    /// </summary>
    public const ushort OwnMaxBvlcLength = 1600;
    /// <summary>The largest NPDU: a 1476-octet APDU under the largest NPDU header, as on BACnet/IP.</summary>
    public const ushort OwnMaxNpduLength = 1497;
    /// <summary>The smallest NPDU a BACnet node must accept: a 50-octet APDU (the least Max_APDU_Length_Accepted) under the
    /// largest NPDU header of 21 octets.</summary>
    public const ushort MinimumNpduLength = 71;
    /// <summary>That NPDU in a BVLC-SC message with both VMACs.</summary>
    public const ushort MinimumBvlcLength = MinimumNpduLength + BvlcSc.HeaderLength + 2 * Vmac.Length;
    /// <summary>The largest length any known peer announces; above it a value is taken for a byte-swapped one.</summary>
    public const ushort Implausible = 0x3FFF;

    /// <summary>The Max-BVLC-Length to honour toward a peer that announced <paramref name="wire"/>.</summary>
    public static ushort UsableBvlc(ushort wire, ushort ownMaximum = OwnMaxBvlcLength) => Usable(wire, MinimumBvlcLength, ownMaximum);

    /// <summary>The Max-NPDU-Length to honour toward a peer that announced <paramref name="wire"/>.</summary>
    public static ushort UsableNpdu(ushort wire, ushort ownMaximum = OwnMaxNpduLength) => Usable(wire, MinimumNpduLength, ownMaximum);

    /// <summary>The rule of the remarks: take the byte-swapped reading of an implausible value when that one is plausible, then
    /// clamp into [<paramref name="floor"/>, <paramref name="ownMaximum"/>].</summary>
    public static ushort Usable(ushort wire, ushort floor, ushort ownMaximum)
    {
        var value = wire;
        if (value > Implausible || value < floor)
        {
            var swapped = (ushort)(value << 8 | value >> 8);
            if (swapped >= floor && swapped <= Implausible) value = swapped;
        }
        return Math.Clamp(value, floor, Math.Max(floor, ownMaximum));
    }
}
