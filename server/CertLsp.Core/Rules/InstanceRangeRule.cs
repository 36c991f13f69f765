using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>CL0602: a device instance is 0..4194302 (22 bits; 4194303 is the wildcard).</summary>
public sealed class InstanceRangeRule : IManifestRule
{
    public const long MaxInstance = 4194302;

    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        foreach (var device in manifest.Devices)
        {
            if (device.Instance is not { } instance) continue;
            if (!instance.TryGetInt64(out long value) || value < 0 || value > MaxInstance)
            {
                diagnostics.Add(builder.InstanceOutOfRange(instance.Span, instance.Value));
            }
        }
    }
}
