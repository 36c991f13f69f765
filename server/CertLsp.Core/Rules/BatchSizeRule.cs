using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Requests;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Rules;

/// <summary>CL0301: a named batch goes into one CSR zip, so it may hold at most 50 devices (fix: split it).</summary>
public sealed class BatchSizeRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        var batches = new Dictionary<string, List<YamlScalar>>(StringComparer.Ordinal);
        foreach (var device in manifest.Devices)
        {
            if (device.Batch is not { } batch) continue;
            if (!batches.TryGetValue(batch.Value, out var list)) batches[batch.Value] = list = [];
            list.Add(batch);
        }
        var names = batches.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var (name, members) in batches)
        {
            if (members.Count <= RequestPlanner.MaxDevicesPerZip) continue;
            var overflow = members.Skip(RequestPlanner.MaxDevicesPerZip).ToList();
            diagnostics.Add(builder.BatchTooLarge(overflow[0].Span, name, members.Count, members[0].Span, overflow, names));
        }
    }
}
