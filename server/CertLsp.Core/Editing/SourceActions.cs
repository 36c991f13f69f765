using System.Collections.Immutable;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Text;

namespace CertLsp.Core.Editing;

/// <summary>
/// A CSR request an editor can offer: which devices (scope all, batch or devices), what to do with pending CSRs, whether devices with a
/// valid certificate are renewed too, and the devices it will request (<see cref="Requests"/>, named in the title).
/// </summary>
public sealed record CsrRequestChoice(string Title, string Scope, string? Batch, ImmutableArray<string> Devices, string? Pending,
    bool Renew = false,
    ImmutableArray<string> Requests = default);

/// <summary>
/// The "Generate CSRs" actions for a position or selection: all devices, the batch under the cursor, the devices in the
/// selection; where any of those devices has a pending CSR, a keep and an overwrite variant instead of the plain one. Each title
/// says which devices it will request: devices with a valid certificate outside its warning window are left out (as
/// <c>certlsp csr</c> does) unless the action renews them ("renewing N valid") or names them (the selected devices).
/// </summary>
public static class SourceActions
{
    /// <summary>Device names a title lists before it abbreviates ("A, B, C, … (120 devices)").</summary>
    private const int NamesInTitle = 3;

    public static ImmutableArray<CsrRequestChoice> Requests(SiteManifest manifest, SiteLedger? ledger, TextSpan selection,
        DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        var result = ImmutableArray.CreateBuilder<CsrRequestChoice>();
        void Offer(string what, string scope, string? batch, ImmutableArray<string> devices, IEnumerable<DeviceEntry> members)
        {
            var (due, pending, valid) = Split(manifest, ledger, members, named: scope == "devices", at);
            void Add(string variant, string? policy, bool renew, IReadOnlyList<string> requests)
            {
                if (requests.Count == 0) return;
                string skipped = !renew && valid.Count > 0 ? $"; {valid.Count} with a valid certificate not requested" : "";
                result.Add(new CsrRequestChoice($"Generate CSRs: {what}{variant}: requests {Names(requests)}{skipped}", scope, batch,
                    devices, policy, renew, [.. requests]));
            }
            string renewing = $", renewing {valid.Count} valid";
            if (pending.Count == 0)
            {
                Add("", null, false, due);
                if (valid.Count > 0) Add(renewing, null, true, [.. due, .. valid]);
                return;
            }
            Add($", keeping {pending.Count} pending", "keep", false, due);
            Add($", overwriting {pending.Count} pending (voids them)", "overwrite", false, [.. due, .. pending]);
            if (valid.Count > 0) Add($", keeping {pending.Count} pending{renewing}", "keep", true, [.. due, .. valid]);
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

    /// <summary>
    /// The devices a request would make (no usable certificate, no pending CSR), those with a pending CSR, and those with a valid
    /// certificate outside its warning window (requested only when renewed or <paramref name="named"/>: then they count as due).
    /// </summary>
    public static (List<string> Due, List<string> Pending, List<string> Valid) Split(SiteManifest manifest, SiteLedger? ledger,
        IEnumerable<DeviceEntry> members, bool named, DateTimeOffset now)
    {
        List<string> due = [], pending = [], valid = [];
        foreach (var device in members)
        {
            if (device.Name?.Value is not { } name) continue;
            var entry = ledger?.Find(name);
            if (entry?.Pending is not null) pending.Add(name);
            else if (!named && StatusReport.Usable(entry, manifest.Certificates.WarningDayCount, now) is not null) valid.Add(name);
            else due.Add(name);
        }
        return (due, pending, valid);
    }

    private static string Names(IReadOnlyList<string> names) =>
        names.Count <= NamesInTitle ? string.Join(", ", names)
            : $"{string.Join(", ", names.Take(NamesInTitle))}, … ({names.Count} devices)";
}
