using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Requests;

namespace CertLsp.Core.Rules;

/// <summary>CL0302: tells how many zips a request for every device makes (at most 50 devices each, batches kept together).</summary>
public sealed class RequestPlanRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (manifest.Devices.IsEmpty || manifest.DevicesPair is not { } devices) return;
        var zips = RequestPlanner.Plan(manifest.Devices);
        diagnostics.Add(builder.RequestPlan(devices.Key.Span, manifest.Devices.Length, [.. zips.Select(z => z.Length)]));
    }
}
