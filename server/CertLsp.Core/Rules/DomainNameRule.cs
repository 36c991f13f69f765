using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>CL0204: the site's domain must be a valid DNS name (RFC 1035 labels: letters, digits, hyphens; 1-63 each; 253 in all).</summary>
public sealed class DomainNameRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (manifest.Domain is not { } domain) return;
        if (Problem(domain.Value) is not { } reason) return;
        string corrected = domain.Value.Trim().Trim('.').ToLowerInvariant();
        diagnostics.Add(builder.InvalidDomain(domain, domain.Value, reason, corrected != domain.Value && Problem(corrected) is null ? corrected : null));
    }

    public static string? Problem(string domain)
    {
        if (domain.Length == 0) return "it is empty";
        if (domain != domain.Trim()) return "it has spaces around it";
        if (domain.StartsWith('.')) return "it starts with a dot";
        string name = domain.EndsWith('.') ? domain[..^1] : domain;
        if (name.Length > 253) return $"it has {name.Length} characters (at most 253)";
        foreach (var label in name.Split('.'))
        {
            if (label.Length == 0) return "it has an empty label (two dots in a row)";
            if (label.Length > 63) return $"the label “{label[..(char.IsHighSurrogate(label[19]) ? 19 : 20)]}…” has {label.Length} characters (at most 63)";
            if (label.StartsWith('-') || label.EndsWith('-')) return $"the label “{label}” starts or ends with a hyphen";
            foreach (char c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-')) return $"“{c}” is not allowed (letters, digits and hyphens only; use the punycode form of an international name)";
            }
        }
        if (name.Split('.')[^1].All(char.IsAsciiDigit)) return "its last label is all digits (an IP address is not a domain)";
        return null;
    }
}
