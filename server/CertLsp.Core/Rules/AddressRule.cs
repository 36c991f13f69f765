using System.Globalization;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Rules;

/// <summary>CL0603: device addresses are IPv4 with an optional port, the broadcast address IPv4; CL0604: no two devices share an address
/// and port.</summary>
public sealed class AddressRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        int sitePort = manifest.Bacnet.PortNumber;
        using var lease = ScratchDictionary<(uint, int), YamlScalar>.Rent();
        var seen = lease.Table; // the first address of each endpoint
        foreach (var device in manifest.Devices)
        {
            if (device.Address is not { } address) continue;
            if (!TryParse(address.Value, sitePort, allowPort: true, out var endpoint, out var reason))
            {
                diagnostics.Add(builder.InvalidAddress(address.Span, address.Value, reason));
                continue;
            }
            if (seen.TryGetValue(endpoint, out var first)) diagnostics.Add(
                builder.DuplicateAddress(address.Span, address.Value, new SourceLocation(builder.Path, first.Span), first.Value));
            else seen[endpoint] = address;
        }
        if (manifest.Bacnet.Broadcast is { } broadcast && !TryParse(broadcast.Value, sitePort, allowPort: false, out _, out var why))
        {
            diagnostics.Add(builder.InvalidAddress(broadcast.Span, broadcast.Value, why));
        }
    }

    /// <summary>Parses "a.b.c.d" or "a.b.c.d:port" into a 32-bit address and port.</summary>
    public static bool TryParse(string text, int defaultPort, bool allowPort, out (uint Address, int Port) endpoint, out string reason)
    {
        reason = "";
        return TryParseCommon(text, defaultPort, allowPort, out endpoint)
            || TryParseExplained(text, defaultPort, allowPort, out endpoint, out reason);
    }

    /// <summary>The full parse, which says why a text is not an address.</summary>
    internal static bool TryParseExplained(string text, int defaultPort, bool allowPort, out (uint Address, int Port) endpoint,
        out string reason)
    {
        endpoint = default;
        var host = text.AsSpan();
        int port = defaultPort;
        int colon = text.IndexOf(':');
        if (colon >= 0)
        {
            if (!allowPort) { reason = "a broadcast address has no port (the port is bacnet.port)"; return false; }
            host = host[..colon];
            if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                reason = $"the port “{text[(colon + 1)..]}” is not 1..65535";
                return false;
            }
        }
        if (host.Count('.') != 3) { reason = "an IPv4 address has four numbers separated by dots"; return false; }
        uint value = 0;
        foreach (var range in host.Split('.'))
        {
            var part = host[range];
            bool digits = part.Length is >= 1 and <= 3 && !part.ContainsAnyExceptInRange('0', '9');
            uint octet = digits ? uint.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
            if (!digits || octet > 255)
            {
                reason = $"“{part}” is not a number from 0 to 255";
                return false;
            }
            if (part.Length > 1 && part[0] == '0') { reason = $"“{part}” has a leading zero (some tools read it as octal)"; return false; }
            value = (value << 8) | octet;
        }
        if (value == 0) { reason = "0.0.0.0 names no device"; return false; }
        if (value == uint.MaxValue)
        {
            // The limited broadcast (all ones) reaches every interface: CertLsp never sends there.
            reason = allowPort ? "the limited broadcast address (all ones) names no device"
                : "the limited broadcast address (all ones) is refused; name the network's own broadcast address, such as " +
                "127.255.255.255 on loopback";
            return false;
        }
        endpoint = (value, port);
        reason = "";
        return true;
    }

    /// <summary>
    /// The common case in one pass over the characters: four octets of one to three digits without a leading zero, and a
    /// port of up to five digits. It accepts only what <see cref="TryParseExplained"/> accepts; anything else is left to that to judge and
    /// explain.
    /// </summary>
    internal static bool TryParseCommon(string text, int defaultPort, bool allowPort, out (uint Address, int Port) endpoint)
    {
        endpoint = default;
        uint value = 0;
        int i = 0;
        for (int octetIndex = 0; octetIndex < 4; octetIndex++)
        {
            if (octetIndex > 0)
            {
                if (i >= text.Length || text[i] != '.') return false;
                i++;
            }
            int begin = i;
            uint octet = 0;
            while (i < text.Length && i - begin < 3 && char.IsAsciiDigit(text[i])) octet = octet * 10 + (uint)(text[i++] - '0');
            if (i == begin || octet > 255 || (i - begin > 1 && text[begin] == '0')) return false;
            value = (value << 8) | octet;
        }
        int port = defaultPort;
        if (i < text.Length)
        {
            if (!allowPort || text[i] != ':') return false;
            int begin = ++i;
            port = 0;
            while (i < text.Length && i - begin < 5 && char.IsAsciiDigit(text[i])) port = port * 10 + (text[i++] - '0');
            if (i != text.Length || i == begin || port is < 1 or > 65535) return false;
        }
        if (value is 0 or uint.MaxValue) return false;
        endpoint = (value, port);
        return true;
    }
}
