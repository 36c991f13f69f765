using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Rules;

/// <summary>
/// CL0206: a common name the site's domain is appended to, or that has a dot of its own, must be a DNS host name
/// (letters, digits, hyphens; labels of 1-63); a “*” (a wildcard) is refused in any CN. The fix sets a sanitised label.
/// </summary>
public sealed class HostNameRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        string? domain = manifest.DomainName;
        HashSet<string>? taken = null;
        foreach (var device in manifest.Devices)
        {
            var source = device.CommonName ?? device.Name;
            if (source is null || CommonNames.DevicePart(source.Value, domain) is not { } part) continue;
            if (!HostNames.MustBeHostName(part, domain) || HostNames.DevicePartProblem(part) is not { } reason) continue;
            taken ??= [.. CommonNames.ForAll(manifest).OfType<CommonName>().Select(cn => cn.ComparisonKey)];
            string? label = UniqueLabel(HostNames.Sanitize(part), domain, taken);
            diagnostics.Add(builder.InvalidHostName(source.Span, device.Node, CommonNames.Compose(source.Value, domain), reason, label));
        }
    }

    /// <summary>The sanitised name, made unique among the manifest's CNs with “-2”, “-3” … when needed; null when nothing is left of
    /// it.</summary>
    private static string? UniqueLabel(string sanitized, string? domain, HashSet<string> taken)
    {
        if (sanitized.Length == 0) return null;
        string candidate = sanitized;
        for (int n = 2; taken.Contains(CommonNames.Compose(candidate, domain).ToUpperInvariant()); n++)
        {
            string suffix = $"-{n}";
            int lastDot = sanitized.LastIndexOf('.');
            string last = sanitized[(lastDot + 1)..];
            if (last.Length + suffix.Length > HostNames.MaxLabelLength) last =
                last[..(HostNames.MaxLabelLength - suffix.Length)].TrimEnd('-');
            candidate = sanitized[..(lastDot + 1)] + last + suffix;
        }
        taken.Add(CommonNames.Compose(candidate, domain).ToUpperInvariant());
        return candidate;
    }
}
