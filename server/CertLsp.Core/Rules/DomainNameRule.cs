using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Rules;

/// <summary>CL0204: the site's domain must be a valid DNS name (RFC 1035 labels: letters, digits, hyphens; 1-63 each; 253 in
/// all).</summary>
public sealed class DomainNameRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (manifest.Domain is not { } domain) return;
        if (Problem(domain.Value) is not { } reason) return;
        string corrected = domain.Value.Trim().Trim('.').ToLowerInvariant();
        diagnostics.Add(builder.InvalidDomain(domain, domain.Value, reason, corrected != domain.Value && Problem(corrected) is null
            ? corrected : null));
    }

    public static string? Problem(string domain)
    {
        if (domain.Length == 0) return "it is empty";
        if (domain != domain.Trim()) return "it has spaces around it";
        if (domain.StartsWith('.')) return "it starts with a dot";
        string name = domain.EndsWith('.') ? domain[..^1] : domain;
        if (HostNames.LabelsProblem(name) is { } problem) return problem;
        if (name.Split('.')[^1].All(char.IsAsciiDigit)) return "its last label is all digits (an IP address is not a domain)";
        return null;
    }
}
