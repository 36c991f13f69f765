using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Text;

namespace CertLsp.Core.Rules;

/// <summary>CL0102: subject fields at most 64 characters (C at most 2); the CN of a site without a domain at most 64.</summary>
public sealed class SubjectFieldLengthRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        foreach (var (field, value) in SubjectScalars.All(manifest))
        {
            if (field == SubjectField.Country)
            {
                // Too long is CL0102's; one letter is no ISO 3166-1 alpha-2 code (CL0103).
                if (value.Value.Length > 2 && !string.IsNullOrWhiteSpace(value.Value)) diagnostics.Add(
                    builder.CountryTooLong(value, value.Value));
                continue;
            }
            int length = CharacterCount(value.Value);
            if (length > field.MaxLength) diagnostics.Add(builder.SubjectFieldTooLong(value.Span, field.Label, value.Value, length,
                field.MaxLength));
        }
        if (manifest.DomainName is not null) return; // with a domain, CL0203 judges the full CN
        foreach (var device in manifest.Devices)
        {
            var source = device.CommonName ?? device.Name;
            if (source is null) continue;
            int length = CharacterCount(source.Value.Trim());
            if (length > SubjectField.CommonName.MaxLength)
            {
                diagnostics.Add(builder.SubjectFieldTooLong(source.Span, SubjectField.CommonName.Label, source.Value, length,
                    SubjectField.CommonName.MaxLength));
            }
        }
    }

    /// <summary>Length as X.520 upper bounds count it: characters (Unicode scalar values), not bytes or UTF-16 units.</summary>
    public static int CharacterCount(string value) => Characters.Count(value);
}
