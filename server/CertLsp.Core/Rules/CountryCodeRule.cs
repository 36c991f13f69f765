using CertLsp.Core.Data;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>CL0103: a country of one or two characters must be an ISO 3166-1 alpha-2 code in capitals (fixes: upper-case, UK →
/// GB).</summary>
public sealed class CountryCodeRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        foreach (var value in SubjectScalars.Of(manifest, SubjectField.Country))
        {
            if (string.IsNullOrWhiteSpace(value.Value)) continue;
            if (value.Value.Length == 1)
            {
                diagnostics.Add(builder.CountryTooShort(value, value.Value));
            }
            else if (value.Value.Length == 2 && !Countries.IsAlpha2(value.Value))
            {
                diagnostics.Add(builder.CountryNotIso(value, value.Value));
            }
        }
    }
}
