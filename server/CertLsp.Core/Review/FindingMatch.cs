using System.Collections.Immutable;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Review;

/// <summary>
/// Which findings a change introduces and which it fixes. A finding is matched across versions by its code and the identity of the
/// device it lies in (the device matched by instance, address or name; findings outside any device belong to the site), not by its
/// line, so that a device inserted above leaves the findings below it unchanged. Within one code and device, findings with the same
/// message pair first, then the rest in order.
/// </summary>
internal static class FindingMatch
{
    public static (ImmutableArray<ReviewFinding> Introduced, ImmutableArray<ReviewFinding> Fixed) Compare(
        Side? b, ImmutableArray<Diagnostic> baseFindings, Side? h, ImmutableArray<Diagnostic> headFindings,
            List<ManifestComparison.Paired> pairings)
    {
        var baseIdentity = new Dictionary<int, int>();
        var headIdentity = new Dictionary<int, int>();
        for (int i = 0; i < pairings.Count; i++)
        {
            if (pairings[i].BaseEntry is { } be) baseIdentity[be.Index] = i;
            if (pairings[i].HeadEntry is { } he) headIdentity[he.Index] = i;
        }
        var olds = KeyAll(b, baseFindings, baseIdentity);
        var news = KeyAll(h, headFindings, headIdentity);
        var oldGroups = olds.GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.ToList());
        var introduced = new List<ReviewFinding>();
        foreach (var group in news.GroupBy(f => f.Key))
        {
            var candidates = oldGroups.GetValueOrDefault(group.Key) ?? [];
            var left = new List<Keyed>();
            foreach (var finding in group)
            {
                int same = candidates.FindIndex(o => o.Finding.Diagnostic.Message == finding.Finding.Diagnostic.Message);
                if (same >= 0) candidates.RemoveAt(same);
                else left.Add(finding);
            }
            foreach (var finding in left)
            {
                if (candidates.Count > 0) candidates.RemoveAt(0);
                else introduced.Add(finding.Finding);
            }
        }
        var fixedOnes = oldGroups.Values.SelectMany(g => g).Select(k => k.Finding).OrderBy(f => f.Line).ThenBy(f => f.Column);
        return ([.. introduced.OrderBy(f => f.Line).ThenBy(f => f.Column)], [.. fixedOnes]);
    }

    private sealed record Keyed((string Code, int Identity) Key, ReviewFinding Finding);

    private static List<Keyed> KeyAll(Side? side, ImmutableArray<Diagnostic> findings, Dictionary<int, int> identity)
    {
        var result = new List<Keyed>(findings.Length);
        if (side is null) return result;
        var devices = side.Document.Manifest?.Devices ?? [];
        var starts = devices.Select(d => d.Node.Span.Start).ToArray();
        foreach (var d in findings)
        {
            var device = Containing(devices, starts, d.Span.Start);
            // A device the comparison did not pair (its YAML unreadable on the other side) is known by its own position: never matched.
            int id = device is null ? -1 : identity.TryGetValue(device.Index, out int pair) ? pair : -2 - device.Index;
            var position = side.Document.Lines.GetPosition(d.Span.Start);
            result.Add(new Keyed((d.Code, id), new ReviewFinding(d, position.Line + 1, position.Character + 1, device?.DisplayName)));
        }
        return result;
    }

    private static DeviceEntry? Containing(ImmutableArray<DeviceEntry> devices, int[] starts, int offset)
    {
        int i = Array.BinarySearch(starts, offset);
        if (i < 0) i = ~i - 1;
        return i >= 0 && devices[i].Node.Span.Contains(offset) ? devices[i] : null;
    }
}
