using System.Collections.Immutable;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Rules;

/// <summary>CL0201: CNs must be unique (case-insensitive) within a manifest and across every manifest of the workspace.</summary>
public sealed class DuplicateCommonNameRule : IWorkspaceRule
{
    public void Check(IReadOnlyList<ManifestInWorkspace> manifests, ICollection<Diagnostic> diagnostics)
    {
        var byName = new Dictionary<string, List<(ManifestInWorkspace Owner, Manifest.DeviceEntry Device, CommonName Cn)>>(CommonNames.Comparer);
        foreach (var owner in manifests)
        {
            foreach (var device in owner.Manifest.Devices)
            {
                if (CommonNames.For(owner.Manifest, device) is not { } cn) continue;
                if (!byName.TryGetValue(cn.Value, out var list)) byName[cn.Value] = list = [];
                list.Add((owner, device, cn));
            }
        }
        var proposed = new HashSet<string>(CommonNames.Comparer);
        foreach (var group in byName.Values)
        {
            if (group.Count < 2) continue;
            var locations = group.Select(g => new SourceLocation(g.Owner.Builder.Path, g.Cn.Source.Span)).ToImmutableArray();
            for (int i = 0; i < group.Count; i++)
            {
                var (owner, device, cn) = group[i];
                Fix? fix = null;
                if (i > 0)
                {
                    // The first keeps its name; each later one is offered the first free "<name>-2", "-3", ...
                    string unique = UniqueName(cn.Source.Value, owner.Manifest.DomainName, byName, proposed);
                    fix = owner.Builder.MakeCommonNameUnique(device.Node, unique);
                }
                diagnostics.Add(owner.Builder.DuplicateCommonName(cn.Source.Span, cn.Value, locations.RemoveAt(i), fix));
            }
        }
    }

    /// <summary>The first "name-N" whose CN no device has and no other fix of this check proposes (so applying every fix leaves no duplicate).</summary>
    private static string UniqueName(string name, string? domain, Dictionary<string, List<(ManifestInWorkspace, Manifest.DeviceEntry, CommonName)>> taken, HashSet<string> proposed)
    {
        string stem = name.Trim();
        if (domain is not null && stem.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase)) stem = stem[..^(domain.Length + 1)];
        for (int n = 2; ; n++)
        {
            string candidate = $"{stem}-{n}";
            string cn = CommonNames.Compose(candidate, domain);
            if (!taken.ContainsKey(cn) && proposed.Add(cn)) return candidate;
        }
    }
}
