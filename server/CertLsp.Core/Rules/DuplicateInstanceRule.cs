using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Text;

namespace CertLsp.Core.Rules;

/// <summary>CL0601: BACnet device instances must be unique on the site.</summary>
public sealed class DuplicateInstanceRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        using var lease = ScratchDictionary<long, TextSpan>.Rent();
        var seen = lease.Table;
        foreach (var device in manifest.Devices)
        {
            if (device.Instance is not { } instance || !instance.TryGetInt64(out long value)) continue;
            if (seen.TryGetValue(value, out var first)) diagnostics.Add(
                builder.DuplicateInstance(instance, value, new SourceLocation(builder.Path, first)));
            else seen[value] = instance.Span;
        }
    }
}
