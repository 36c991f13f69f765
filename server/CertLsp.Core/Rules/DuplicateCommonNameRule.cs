using System.Collections.Immutable;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Rules;

/// <summary>CL0201: CNs must be unique (case-insensitive) within a manifest and across every manifest of the workspace.</summary>
public sealed class DuplicateCommonNameRule : IWorkspaceRule
{
    public void Check(IReadOnlyList<ManifestInWorkspace> manifests, ICollection<Diagnostic> diagnostics)
    {
        // Every CN once, with its first holder; a list only for the CNs held more than once.
        var taken = new Dictionary<string, Holder>(CommonNames.Comparer);
        var groups = new Dictionary<string, List<Holder>>(CommonNames.Comparer);
        int order = 0;
        foreach (var owner in manifests)
        {
            var names = CommonNames.ForAll(owner.Manifest);
            for (int i = 0; i < names.Length; i++)
            {
                if (names[i] is not { } cn) continue;
                var holder = new Holder(owner, owner.Manifest.Devices[i], cn, order++);
                if (taken.TryAdd(cn.Value, holder)) continue;
                if (!groups.TryGetValue(cn.Value, out var group)) groups[cn.Value] = group = [taken[cn.Value]];
                group.Add(holder);
            }
        }
        var proposed = new HashSet<string>(CommonNames.Comparer);
        // In the order the CNs first appear (the fixes proposed for one group are taken for the next).
        foreach (var group in groups.Values.OrderBy(g => g[0].Order))
        {
            var locations = group.Select(g => new SourceLocation(g.Owner.Builder.Path, g.Cn.Source.Span)).ToImmutableArray();
            for (int i = 0; i < group.Count; i++)
            {
                var (owner, device, cn, _) = group[i];
                Fix? fix = null;
                if (i > 0)
                {
                    // The first keeps its name; each later one is offered the first free "<name>-2", "-3", ...
                    string unique = UniqueName(cn.Source.Value, owner.Manifest.DomainName, taken, proposed);
                    fix = owner.Builder.MakeCommonNameUnique(device.Node, unique);
                }
                diagnostics.Add(owner.Builder.DuplicateCommonName(cn.Source.Span, cn.Value, locations.RemoveAt(i), fix));
            }
        }
    }

    private readonly record struct Holder(ManifestInWorkspace Owner, DeviceEntry Device, CommonName Cn, int Order);

    /// <summary>The first "name-N" whose CN no device has and no other fix of this check proposes (so applying every fix leaves no duplicate).</summary>
    private static string UniqueName(string name, string? domain, Dictionary<string, Holder> taken, HashSet<string> proposed)
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
