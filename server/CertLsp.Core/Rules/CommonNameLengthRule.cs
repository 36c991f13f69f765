using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Rules;

/// <summary>CL0203: with the site's domain appended, a CN may have at most 64 characters.</summary>
public sealed class CommonNameLengthRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (manifest.DomainName is not { } domain) return;
        foreach (var device in manifest.Devices)
        {
            var source = device.CommonName ?? device.Name;
            // Never more characters than UTF-16 units: most CNs are judged by their length alone, without being built.
            if (source is null || CommonNames.ComposedLength(source.Value, domain) <= SubjectField.CommonName.MaxLength) continue;
            var cn = CommonNames.For(manifest, device)!;
            if (SubjectFieldLengthRule.CharacterCount(cn.Value) > SubjectField.CommonName.MaxLength)
            {
                diagnostics.Add(builder.CommonNameTooLong(cn.Source.Span, cn.Value, domain));
            }
        }
    }
}
