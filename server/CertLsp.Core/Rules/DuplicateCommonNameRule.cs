using System.Collections.Immutable;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Rules;

/// <summary>CL0201: CNs must be unique (case-insensitive) within a manifest and across every manifest of the workspace.</summary>
public sealed class DuplicateCommonNameRule : IWorkspaceRule
{
    /// <summary>
    /// How many other holders of a CN one finding lists as related locations. Listing all of them made n copies of a name
    /// cost n² locations (3,000 copies of one device, a 60 KB file, ran the check out of memory).
    /// </summary>
    public const int MaxRelated = 10;

    public void Check(IReadOnlyList<ManifestInWorkspace> manifests, ICollection<Diagnostic> diagnostics)
    {
        // Every CN once, with its first holder; a list only for the CNs held more than once.
        using var lease = ScratchDictionary<string, Holder>.Rent(CommonNames.Comparer);
        var taken = lease.Table;
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
        var unique = new UniqueNames(taken);
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
                    fix = owner.Builder.MakeCommonNameUnique(device.Node, unique.Propose(cn.Source.Value, owner.Manifest.DomainName));
                }
                diagnostics.Add(owner.Builder.DuplicateCommonName(cn.Source.Span, cn.Value, OthersThan(locations, i), fix));
            }
        }
    }

    /// <summary>The other holders' locations, in order, at most <see cref="MaxRelated"/>.</summary>
    private static ImmutableArray<SourceLocation> OthersThan(ImmutableArray<SourceLocation> all, int index)
    {
        if (all.Length - 1 <= MaxRelated) return all.RemoveAt(index);
        var others = ImmutableArray.CreateBuilder<SourceLocation>(MaxRelated);
        for (int j = 0; others.Count < MaxRelated; j++)
        {
            if (j != index) others.Add(all[j]);
        }
        return others.MoveToImmutable();
    }

    private readonly record struct Holder(ManifestInWorkspace Owner, DeviceEntry Device, CommonName Cn, int Order);

    /// <summary>The names proposed by the fixes of one check.</summary>
    private sealed class UniqueNames(Dictionary<string, Holder> taken)
    {
        private readonly HashSet<string> proposed = new(CommonNames.Comparer);

        // Where the search for each name goes on: every "name-N" below it is taken or proposed already (both only grow),
        // so a thousand copies of one name cost a thousand steps, not half a million.
        private readonly Dictionary<(string Stem, string? Domain), int> next = [];

        /// <summary>The first "name-N" whose CN no device has and no other fix of this check proposes (so applying every fix leaves no
        /// duplicate).</summary>
        public string Propose(string name, string? domain)
        {
            string stem = name.Trim();
            if (domain is not null && stem.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase)) stem = stem[..^(domain.Length + 1)];
            // A CN that must be a host name (CL0206) is proposed as one, when one can be made of it.
            if (HostNames.MustBeHostName(stem, domain) && HostNames.DevicePartProblem(stem) is not null
                && HostNames.Sanitize(stem) is { Length: > 0 } host) stem = host;
            for (int n = next.GetValueOrDefault((stem, domain), 2); ; n++)
            {
                string candidate = $"{stem}-{n}";
                string cn = CommonNames.Compose(candidate, domain);
                if (!taken.ContainsKey(cn) && proposed.Add(cn))
                {
                    next[(stem, domain)] = n + 1;
                    return candidate;
                }
            }
        }
    }
}
