using System.Collections.Immutable;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Text;

namespace CertLsp.Core.Editing;

/// <summary>A CSR request an editor can offer: which devices (scope all, batch or devices) and what to do with pending CSRs.</summary>
public sealed record CsrRequestChoice(string Title, string Scope, string? Batch, ImmutableArray<string> Devices, string? Pending);

/// <summary>
/// The "Generate CSRs" actions for a position or selection: all devices, the batch under the cursor, the devices in the
/// selection; where any of those devices has a pending CSR, a keep and an overwrite variant instead of the plain one.
/// </summary>
public static class SourceActions
{
    public static ImmutableArray<CsrRequestChoice> Requests(SiteManifest manifest, SiteLedger? ledger, TextSpan selection)
    {
        var result = ImmutableArray.CreateBuilder<CsrRequestChoice>();
        void Offer(string what, string scope, string? batch, ImmutableArray<string> devices, IEnumerable<DeviceEntry> members)
        {
            int pending = ledger is null ? 0 : members.Count(d => d.Name is { } n && ledger.Find(n.Value)?.Pending is not null);
            if (pending == 0)
            {
                result.Add(new CsrRequestChoice($"Generate CSRs: {what}", scope, batch, devices, null));
                return;
            }
            result.Add(new CsrRequestChoice($"Generate CSRs: {what}, keeping {pending} pending", scope, batch, devices, "keep"));
            result.Add(new CsrRequestChoice($"Generate CSRs: {what}, overwriting {pending} pending (voids them)", scope, batch, devices, "overwrite"));
        }

        var named = manifest.Devices.Where(d => d.Name is not null).ToList();
        Offer($"all {named.Count} devices", "all", null, [], named);

        var touched = named.Where(d => d.Node.Span.IntersectsOrTouches(selection)).ToList();
        var batches = touched.Select(d => d.Batch?.Value).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        foreach (var batch in batches)
        {
            var members = named.Where(d => d.Batch?.Value == batch).ToList();
            Offer($"batch {batch} ({members.Count} devices)", "batch", batch, [], members);
        }
        if (touched.Count > 0)
        {
            string what = touched.Count == 1 ? $"device {touched[0].Name!.Value}" : $"{touched.Count} selected devices";
            Offer(what, "devices", null, [.. touched.Select(d => d.Name!.Value)], touched);
        }
        return result.ToImmutable();
    }
}
