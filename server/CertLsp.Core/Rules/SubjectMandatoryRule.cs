using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Text;

namespace CertLsp.Core.Rules;

/// <summary>CL0101: C, ST, L, O and OU must be set for every device, by the site defaults or the device itself, and not be empty.</summary>
public sealed class SubjectMandatoryRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        foreach (var (field, value) in SubjectScalars.All(manifest))
        {
            // An empty mandatory field is as good as missing (the length and country rules leave empty values to this one).
            if (field.Mandatory && string.IsNullOrWhiteSpace(value.Value))
            {
                diagnostics.Add(builder.EmptySubjectField(value, field.Label, field.Key));
            }
        }
        if (manifest.Devices.IsEmpty) return;
        foreach (var field in SubjectField.Configurable)
        {
            if (!field.Mandatory || manifest.Subject.Get(field) is not null) continue;
            var lacking = manifest.Devices.Where(d => d.Subject.Get(field) is null).ToList();
            if (lacking.Count == 0) continue;
            if (lacking.Count == manifest.Devices.Length)
            {
                // Nobody sets it: one finding where the defaults belong, not one per device.
                var span = manifest.SubjectPair?.Key.Span ?? FirstKeySpan(manifest);
                diagnostics.Add(builder.MissingSubjectField(span, field.Label, field.Key, null, lacking.Count, manifest.Subject.Node,
                    manifest.Root));
                continue;
            }
            foreach (var device in lacking)
            {
                diagnostics.Add(builder.MissingSubjectField(device.AnchorSpan, field.Label, field.Key, device.DisplayName, 1,
                    manifest.Subject.Node, manifest.Root));
            }
        }
    }

    private static TextSpan FirstKeySpan(SiteManifest manifest) =>
        manifest.Root is { Pairs.IsEmpty: false } root ? root.Pairs[0].Key.Span : new TextSpan(0, 0);
}
