using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Rules;

/// <summary>
/// CL0605: each BACnet/SC hub URI (“bacnet.secureConnect.primaryHub”, “failoverHub”) is an absolute <c>wss://</c> URI naming a host,
/// without user name, query or fragment (Annex AB nodes connect over TLS only; RFC 6455 URIs have no fragment); a path is allowed (a
/// hub behind a reverse proxy). CL0606: the failover hub is not the primary again.
/// </summary>
public sealed class HubUriRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (manifest.Bacnet.SecureConnect is not { } sc) return;
        bool primaryValid = Judge(sc.PrimaryHub, builder, diagnostics);
        bool failoverValid = Judge(sc.FailoverHub, builder, diagnostics);
        if (sc.PrimaryHub is { } primary && sc.FailoverHub is { } failover && primaryValid && failoverValid && Same(primary.Value,
            failover.Value))
        {
            diagnostics.Add(builder.FailoverSameAsPrimary(failover, primary));
        }
    }

    private static bool Judge(YamlScalar? hub, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (hub is null || Problem(hub.Value) is not var (reason, corrected)) return hub is not null;
        diagnostics.Add(builder.InvalidHubUri(hub, reason, corrected is not null && Problem(corrected) is null ? corrected : null));
        return false;
    }

    /// <summary>Why the text is not a hub URI, with a corrected URI when one is obvious (to be checked again); null when it is
    /// one.</summary>
    public static (string Reason, string? Corrected)? Problem(string value)
    {
        if (value.Trim().Length == 0) return ("it is empty", null);
        if (value != value.Trim()) return ("it has spaces around it", value.Trim());
        int schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return ("it has no scheme", "wss://" + value.TrimStart('/'));
        string scheme = value[..schemeEnd].ToLowerInvariant();
        string rest = value[(schemeEnd + 3)..];
        switch (scheme)
        {
            case "wss":
                break;
            case "ws":
                return ("“ws://” is WebSocket without TLS, and BACnet/SC connects only over TLS with mutual authentication",
                    "wss://" + rest);
            case "https" or "http":
                return ($"“{scheme}://” is not a WebSocket scheme", "wss://" + rest);
            default:
                return ($"its scheme “{value[..schemeEnd]}” is not wss", null);
        }
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)) return ("it is not a valid absolute URI", null);
        if (uri.Host.Length == 0) return ("it names no host", null);
        if (uri.UserInfo.Length > 0) return ("it has a user name (…@): a hub authenticates nodes by their certificates",
            $"wss://{uri.Authority}{uri.PathAndQuery}{uri.Fragment}");
        if (uri.Fragment.Length > 0 || value.Contains('#', StringComparison.Ordinal))
            return ("it has a fragment (#…), which a WebSocket URI cannot have", value[..value.IndexOf('#', StringComparison.Ordinal)]);
        if (uri.Query.Length > 0)
            return ("it has a query (?…), which a hub does not use", value[..value.IndexOf('?', StringComparison.Ordinal)]);
        return null;
    }

    /// <summary>Whether two valid hub URIs name the same hub: host case-insensitive, an omitted port is 443.</summary>
    public static bool Same(string a, string b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y)
            ? string.Equals(x.IdnHost, y.IdnHost, StringComparison.OrdinalIgnoreCase) && Port(x) == Port(y)
                && string.Equals(x.AbsolutePath.TrimEnd('/'), y.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal)
            : string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static int Port(Uri uri) => uri.IsDefaultPort || uri.Port < 0 ? 443 : uri.Port;
}
