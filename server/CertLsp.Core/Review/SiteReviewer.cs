using System.Collections.Immutable;
using CertLsp.Core.Certificates;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;
using CertLsp.Core.Requests;

namespace CertLsp.Core.Review;

/// <summary>
/// Compares two states of a site (base and head: each a set of manifest texts with their ledger texts) and says what the change
/// does: devices added, removed and renamed, the certificates it voids, the zips devices move between, what the ledger recorded,
/// the findings it introduces and fixes, and the certificates about to expire. Pure: no files, no git.
/// </summary>
public static class SiteReviewer
{
    public static SiteReview Review(IReadOnlyList<ReviewFile> baseFiles, IReadOnlyList<ReviewFile> headFiles, DateTimeOffset now)
    {
        // The two states are read and checked at the same time: they share nothing, and a review of one large manifest
        // has one file a side, which Read's own Parallel.For cannot spread (bench/run-review.sh).
        var states = new (Side[] Sides, CheckResult Check)[2];
        var ledgers = new SharedLedgers(baseFiles, headFiles);
        Parallel.Invoke(ledgers.ReadAll, () => states[0] = ReadAndCheck(baseFiles, ledgers, now),
            () => states[1] = ReadAndCheck(headFiles, ledgers, now));
        var (baseSide, baseCheck) = states[0];
        var (headSide, headCheck) = states[1];
        var manifests = new List<ManifestReview>();
        foreach (var (b, h) in PairManifests(baseSide, headSide))
        {
            manifests.Add(ManifestComparison.Compare(b, h, b is null ? [] : baseCheck.ByPath[b.Document.Path], h is null ? []
                : headCheck.ByPath[h.Document.Path], now));
        }
        return new SiteReview([.. manifests.OrderBy(m => m.Path, StringComparer.Ordinal)], headCheck, now);
    }

    /// <summary>
    /// The renamed devices of one manifest (matched as <see cref="Review"/> matches them: by instance, then address) with what the
    /// rename does to their certificate, without the checker: the editor's lenses, on every change of the open text. The
    /// certificates are those of <paramref name="ledger"/> (what the devices hold now).
    /// </summary>
    public static ImmutableArray<RenamedDevice> Renamed(ManifestDocument baseDocument, ManifestDocument headDocument, SiteLedger ledger,
        DateTimeOffset now)
    {
        if (baseDocument.Manifest is not { } baseManifest || headDocument.Manifest is not { } headManifest) return [];
        var b = new Side(baseDocument, ledger, null);
        var h = new Side(headDocument, ledger, null);
        var renamed = ImmutableArray.CreateBuilder<RenamedDevice>();
        foreach (var p in ManifestComparison.Pair(b, baseManifest, h, headManifest, now).Where(p => p.Pairing.IsRenamed))
        {
            renamed.Add(new RenamedDevice(p.HeadEntry!, ManifestComparison.Impact(baseManifest, headManifest, p, ledger, now)!));
        }
        return renamed.ToImmutable();
    }

    private static (Side[] Sides, CheckResult Check) ReadAndCheck(IReadOnlyList<ReviewFile> files, SharedLedgers ledgers,
        DateTimeOffset now)
    {
        var sides = Read(files, ledgers, now);
        return (sides, ManifestChecker.Check(sides.Select(s => s.Document)));
    }

    private static Side[] Read(IReadOnlyList<ReviewFile> files, SharedLedgers ledgers, DateTimeOffset now)
    {
        var sides = new Side[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            var file = files[i];
            var document = ManifestDocument.Parse(file.Path, file.Text, file.Ledger, now, settings: file.Settings,
                readLedger: ledgers.Read);
            var ledger = document.Ledger;
            var error = document.LedgerError;
            // An unreadable manifest is parsed without its ledger: read the ledger here, so its changes are still compared.
            if (document.Manifest is null && file.Ledger is { Unreadable: { } unreadable })
            {
                error = unreadable;
            }
            else if (document.Manifest is null && file.Ledger is { } input)
            {
                try
                {
                    ledger = ledgers.Read(input);
                }
                catch (LedgerFormatException ex)
                {
                    error = ex;
                }
            }
            sides[i] = new Side(document, ledger ?? (error is null ? SiteLedger.Empty : null), error);
        });
        return sides;
    }

    /// <summary>
    /// Pairs the manifests of the two states: same path and same site name first, then the same site name under another path
    /// (a moved manifest, or two swapped), then the same path. What is left is added or deleted.
    /// </summary>
    private static List<(Side? Base, Side? Head)> PairManifests(Side[] baseSide, Side[] headSide)
    {
        var pairs = new List<(Side?, Side?)>();
        var baseLeft = baseSide.ToList();
        var headLeft = headSide.ToList();
        void Pass(Func<Side, Side, bool> same, bool uniqueSite)
        {
            foreach (var h in headLeft.ToList())
            {
                var candidates = baseLeft.Where(b => same(b, h)).ToList();
                if (candidates.Count == 0 || (uniqueSite && (candidates.Count > 1
                    || headLeft.Count(o => same(candidates[0], o)) > 1))) continue;
                pairs.Add((candidates[0], h));
                baseLeft.Remove(candidates[0]);
                headLeft.Remove(h);
            }
        }
        Pass((b, h) => b.Document.Path == h.Document.Path && b.SiteName == h.SiteName, uniqueSite: false);
        Pass((b, h) => b.SiteName is not null && b.SiteName == h.SiteName, uniqueSite: true);
        Pass((b, h) => b.Document.Path == h.Document.Path, uniqueSite: false);
        pairs.AddRange(headLeft.Select(h => ((Side?)null, (Side?)h)));
        pairs.AddRange(baseLeft.Select(b => ((Side?)b, (Side?)null)));
        return pairs;
    }
}

/// <summary>
/// The ledgers of a review read once where both states hold the same text (a change to a manifest alone leaves its ledger as it
/// was: reading 10,000 devices' blocks twice was a sixth of a large review). <see cref="ReadAll"/> reads the shared ones beside the
/// manifests' YAML; a state that needs one before it is read waits for that one read (or does it). A ledger that cannot be read is
/// read again under each state's own path, so its error names the state it is in.
/// </summary>
internal sealed class SharedLedgers
{
    private readonly Dictionary<string, Lazy<SiteLedger?>> shared = new(StringComparer.Ordinal);

    public SharedLedgers(IReadOnlyList<ReviewFile> baseFiles, IReadOnlyList<ReviewFile> headFiles)
    {
        var baseTexts = baseFiles.Select(f => f.Ledger).OfType<LedgerInput>().Where(l => l.Unreadable is null).Select(l => l.Text)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var ledger in headFiles.Select(f => f.Ledger).OfType<LedgerInput>())
        {
            if (ledger.Unreadable is not null || !baseTexts.Contains(ledger.Text) || shared.ContainsKey(ledger.Text)) continue;
            shared[ledger.Text] = new Lazy<SiteLedger?>(() =>
            {
                try
                {
                    return LedgerFormat.Read(ledger.Path, ledger.Text);
                }
                catch (LedgerFormatException)
                {
                    return null;
                }
            }, LazyThreadSafetyMode.ExecutionAndPublication);
        }
    }

    /// <summary>Reads every shared ledger (each once, whoever asks first).</summary>
    public void ReadAll()
    {
        foreach (var ledger in shared.Values) _ = ledger.Value;
    }

    public SiteLedger Read(LedgerInput input) =>
        (shared.TryGetValue(input.Text, out var read) ? read.Value : null) ?? LedgerFormat.Read(input.Path, input.Text);
}

/// <summary>One manifest of one state: its parsed document, its ledger (empty when it has none; null when it could not be read) and why
/// not.</summary>
internal sealed record Side(ManifestDocument Document, SiteLedger? Ledger, LedgerFormatException? LedgerError)
{
    public string? SiteName => Document.Manifest?.Site?.Value;
}

/// <summary>The comparison of one manifest's two versions.</summary>
internal static class ManifestComparison
{
    public static ManifestReview Compare(Side? b, Side? h, ImmutableArray<Diagnostic> baseFindings,
        ImmutableArray<Diagnostic> headFindings, DateTimeOffset now)
    {
        var notes = new List<string>();
        var change = (b, h) switch
        {
            (null, _) => ManifestChange.Added,
            (_, null) => ManifestChange.Deleted,
            _ when b.Document.Path != h.Document.Path => ManifestChange.Renamed,
            _ => ManifestChange.Modified,
        };
        // Unreadable in both versions but the same text: nothing to say about it (its findings are neither introduced nor fixed).
        bool sameText = b is not null && h is not null && b.Document.Text == h.Document.Text;
        foreach (var (side, name) in new[] { (b, "base"), (h, "head") })
        {
            if (side is not null && side.Document.Manifest is null && !sameText)
            {
                notes.Add($"the {name} version's YAML cannot be read (see its findings): its devices were not compared");
            }
        }
        var baseManifest = b?.Document.Manifest;
        var headManifest = h?.Document.Manifest;
        bool comparable = (b is null || baseManifest is not null) && (h is null || headManifest is not null);
        var pairings = Pair(comparable ? b : null, baseManifest, comparable ? h : null, headManifest, now);

        var settings = baseManifest is not null && headManifest is not null ? Settings(baseManifest, headManifest) : [];
        var baseLedger = b?.Ledger ?? SiteLedger.Empty;
        var impacts = new List<DeviceImpact>();
        var zipMoves = new List<DevicePairing>();
        foreach (var p in pairings)
        {
            if (p.Pairing.Head is null) continue;
            if (p.Pairing.Base is null)
            {
                var known = baseLedger.Find(p.Pairing.Head.Name);
                bool alreadyHeld = known is not null && known.CommonName == p.Pairing.Head.CommonName
                    && known.StatusAt(now) is CertificateStatus.Valid or CertificateStatus.Pending;
                if (!alreadyHeld) impacts.Add(new DeviceImpact(p.Pairing, CertificateImpact.NewDevice, ["new device"],
                    CertificateStatus.None, null));
                continue;
            }
            if (Impact(baseManifest!, headManifest!, p, baseLedger, now) is { } impact) impacts.Add(impact);
            if (p.Pairing.Base.Zip != p.Pairing.Head.Zip || p.Pairing.Base.Batch != p.Pairing.Head.Batch) zipMoves.Add(p.Pairing);
        }

        var (introduced, fixedOnes) = FindingMatch.Compare(b, baseFindings, h, headFindings, pairings);
        var problems = new List<LedgerProblem>();
        foreach (var (side, name) in new[] { (b, "base"), (h, "head") })
        {
            if (side?.LedgerError is { } e) problems.Add(new LedgerProblem(name, e.Path, e.Line, e.Reason));
        }
        if (problems.Count > 0) notes.Add(
            "a ledger could not be read: the certificate impact assumes an empty ledger where it is missing, and the ledger changes were " +
            "not compared");
        var events = b?.Ledger is { } bl && h?.Ledger is { } hl ? LedgerEvents(bl, hl)
            : b is null && h?.Ledger is { } added ? LedgerEvents(SiteLedger.Empty, added)
            : h is null && b?.Ledger is { } deleted ? LedgerEvents(deleted, SiteLedger.Empty)
            : [];
        var expiring = headManifest is not null && h!.Ledger is { } headLedger
            ? StatusReport.For(headManifest, headLedger, now).Where(r => r.ExpiresSoon)
                .Select(r => new ExpiringCertificate(r.Device, r.CommonName, r.NotAfter!.Value, r.DaysLeft!.Value)).ToImmutableArray()
            : [];

        return new ManifestReview(
            (h ?? b)!.Document.Path,
            b?.Document.Path,
            change,
            [.. notes],
            [.. pairings.Where(p => p.Pairing.Base is null).Select(p => p.Pairing)],
            [.. pairings.Where(p => p.Pairing.Head is null).Select(p => p.Pairing)],
            [.. pairings.Where(p => p.Pairing.IsRenamed).Select(p => p.Pairing)],
            [.. settings],
            [.. impacts],
            [.. zipMoves],
            Oversized(baseManifest, headManifest),
            events,
            [.. problems],
            introduced,
            fixedOnes,
            expiring,
            (headManifest ?? baseManifest)?.Certificates.WarningDayCount ?? CertificateSettings.StandardWarningDays);
    }

    /// <summary>A pairing with the manifest entries it came from.</summary>
    internal sealed record Paired(DevicePairing Pairing, DeviceEntry? BaseEntry, DeviceEntry? HeadEntry);

    /// <summary>The devices of both versions, paired (a side without a readable manifest has none).</summary>
    internal static List<Paired> Pair(Side? b, SiteManifest? baseManifest, Side? h, SiteManifest? headManifest, DateTimeOffset now) =>
        Match(
        b is not null && baseManifest is not null ? Devices(b, baseManifest, now) : [],
        h is not null && headManifest is not null ? Devices(h, headManifest, now) : []);

    /// <summary>What the change does to a device of both versions (by the base ledger), or null when its next request carries nothing
    /// new.</summary>
    internal static DeviceImpact? Impact(SiteManifest baseManifest, SiteManifest headManifest, Paired p, SiteLedger baseLedger,
        DateTimeOffset now)
    {
        var reasons = Reasons(baseManifest, p.BaseEntry!, headManifest, p.HeadEntry!, p.Pairing);
        return reasons.Count > 0 ? Impact(p.Pairing, reasons, baseLedger.Find(p.Pairing.Base!.Name), now) : null;
    }

    private static (ReviewDevice Device, DeviceEntry Entry)[] Devices(Side side, SiteManifest manifest, DateTimeOffset now)
    {
        var zips = new int[manifest.Devices.Length];
        var plan = RequestPlanner.Plan(manifest.Devices);
        for (int z = 0; z < plan.Length; z++)
        {
            foreach (var d in plan[z]) zips[d.Index] = z + 1;
        }
        var names = CommonNames.ForAll(manifest);
        var ledger = side.Ledger ?? SiteLedger.Empty;
        var result = new (ReviewDevice, DeviceEntry)[manifest.Devices.Length];
        var lines = side.Document.Lines;
        for (int i = 0; i < result.Length; i++)
        {
            var d = manifest.Devices[i];
            var entry = d.Name is { } n ? ledger.Find(n.Value) : null;
            result[i] = (new ReviewDevice(d.DisplayName, names[i]?.Value, d.InstanceNumber, d.Address?.Value.Trim(), d.Batch?.Value,
                zips[i],
                lines.GetPosition(d.AnchorSpan.Start).Line + 1, entry?.StatusAt(now) ?? CertificateStatus.None,
                entry?.Certificate?.Serial), d);
        }
        return result;
    }

    /// <summary>Matches devices by BACnet instance, then address, then name (each only where the key is unique on both sides).</summary>
    private static List<Paired> Match((ReviewDevice Device, DeviceEntry Entry)[] baseDevices,
        (ReviewDevice Device, DeviceEntry Entry)[] headDevices)
    {
        var match = new int[headDevices.Length];
        Array.Fill(match, -1);
        var used = new bool[baseDevices.Length];
        void Pass(Func<ReviewDevice, string?> key, StringComparer comparer)
        {
            var baseKeys = Unique(baseDevices.Select((d, i) => (Key: used[i] ? default : key(d.Device), Index: i)), comparer);
            var headKeys = Unique(headDevices.Select((d, i) => (Key: match[i] >= 0 ? default : key(d.Device), Index: i)), comparer);
            foreach (var (k, hi) in headKeys)
            {
                if (!baseKeys.TryGetValue(k, out int bi)) continue;
                match[hi] = bi;
                used[bi] = true;
            }
        }
        Pass(d => d.Instance?.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        Pass(d => d.Address is { Length: > 0 } a ? a : null, StringComparer.OrdinalIgnoreCase);
        Pass(d => d.Name, StringComparer.Ordinal);

        var result = new List<Paired>(headDevices.Length);
        for (int i = 0; i < headDevices.Length; i++)
        {
            var b = match[i] >= 0 ? baseDevices[match[i]] : default;
            result.Add(new Paired(new DevicePairing(b.Device, headDevices[i].Device), b.Entry, headDevices[i].Entry));
        }
        for (int i = 0; i < baseDevices.Length; i++)
        {
            if (!used[i]) result.Add(new Paired(new DevicePairing(baseDevices[i].Device, null), baseDevices[i].Entry, null));
        }
        return result;
    }

    private static Dictionary<string, int> Unique(IEnumerable<(string? Key, int Index)> keyed, StringComparer comparer)
    {
        var first = new Dictionary<string, int>(comparer);
        var repeated = new HashSet<string>(comparer);
        foreach (var (key, index) in keyed)
        {
            if (key is null) continue;
            if (!first.TryAdd(key, index)) repeated.Add(key);
        }
        foreach (var key in repeated) first.Remove(key);
        return first;
    }

    /// <summary>What a device's next request would carry: its CN, its subject fields and its key.</summary>
    private static List<string> Reasons(SiteManifest baseManifest, DeviceEntry baseDevice, SiteManifest headManifest,
        DeviceEntry headDevice, DevicePairing pairing)
    {
        var reasons = new List<string>();
        if (pairing.IsRenamed) reasons.Add($"renamed from {pairing.Base!.Name} to {pairing.Head!.Name}");
        if (pairing.CommonNameChanged) reasons.Add($"CN {pairing.Base!.CommonName ?? "(none)"} → {pairing.Head!.CommonName ?? "(none)"}");
        foreach (var field in SubjectField.Configurable)
        {
            string? old = baseManifest.Effective(baseDevice, field)?.Value;
            string? now = headManifest.Effective(headDevice, field)?.Value;
            if (old != now) reasons.Add($"{field.Key} {old ?? "(none)"} → {now ?? "(none)"}");
        }
        string oldKey = KeyText(baseManifest.Key), newKey = KeyText(headManifest.Key);
        if (oldKey != newKey) reasons.Add($"key {oldKey} → {newKey}");
        return reasons;
    }

    private static string KeyText(KeySettings key) => $"{KeySpec.From(key)}{(key.DeviceHeld ? " held by the device" : "")}";

    private static DeviceImpact Impact(DevicePairing pairing, List<string> reasons, LedgerEntry? entry, DateTimeOffset now)
    {
        var status = entry?.StatusAt(now) ?? CertificateStatus.None;
        bool certificateValid = entry?.Certificate is { IsRevoked: false } c && now <= c.NotAfter;
        // The ledger keeps a device's block under its name: a renamed device starts without one, like a CN change.
        bool identityChanged = pairing.IsRenamed || pairing.CommonNameChanged;
        var impact = entry?.Pending is not null ? CertificateImpact.PendingWillNotMatch
            : certificateValid ? identityChanged ? CertificateImpact.MustRequestAgain : CertificateImpact.StillValid
            : CertificateImpact.NeededAnyway;
        return new DeviceImpact(pairing, impact, [.. reasons], status, entry?.Certificate?.Serial);
    }

    private static List<SettingChange> Settings(SiteManifest b, SiteManifest h)
    {
        var changes = new List<SettingChange>();
        void Compare(string setting, string? old, string? now)
        {
            if (old != now) changes.Add(new SettingChange(setting, old, now));
        }
        Compare("domain", b.DomainName, h.DomainName);
        foreach (var field in SubjectField.Configurable) Compare($"subject.{field.Key}", b.Subject.Get(field)?.Value,
            h.Subject.Get(field)?.Value);
        Compare("key", KeyText(b.Key), KeyText(h.Key));
        Compare("ca.profile", b.Ca.ProfileName, h.Ca.ProfileName);
        Compare("certificates.warningDays", b.Certificates.WarningDayCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            h.Certificates.WarningDayCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return changes;
    }

    private static ImmutableArray<OversizedBatch> Oversized(SiteManifest? b, SiteManifest? h)
    {
        if (h is null) return [];
        static Dictionary<string, int> Sizes(SiteManifest? m) => m is null ? [] : m.Devices.Where(d => d.Batch is not null)
            .GroupBy(d => d.Batch!.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var before = Sizes(b);
        return [.. Sizes(h).Where(kv => kv.Value > RequestPlanner.MaxDevicesPerZip).OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new OversizedBatch(kv.Key, kv.Value, before.GetValueOrDefault(kv.Key) <= RequestPlanner.MaxDevicesPerZip))];
    }

    private static ImmutableArray<LedgerEvent> LedgerEvents(SiteLedger before, SiteLedger after)
    {
        var events = ImmutableArray.CreateBuilder<LedgerEvent>();
        foreach (var entry in after.Entries.Values)
        {
            var old = before.Find(entry.Device);
            if (entry.Pending is { } p && p.PublicKey != old?.Pending?.PublicKey)
                events.Add(new LedgerEvent(entry.Device, LedgerEventKind.RequestMade, entry.CommonName,
                    $"CSR of {LedgerFormat.Time(p.Since)} in {p.Zip}"));
            if (entry.Certificate is { } c)
            {
                bool same = c.Fingerprint == old?.Certificate?.Fingerprint;
                if (!same) events.Add(new LedgerEvent(entry.Device, LedgerEventKind.CertificateImported, entry.CommonName,
                    $"serial {c.Serial}, valid until {LedgerFormat.Time(c.NotAfter)[..10]}"));
                if (c.RevokedAt is { } r && !(same && old!.Certificate!.IsRevoked))
                    events.Add(new LedgerEvent(entry.Device, LedgerEventKind.Revoked, entry.CommonName,
                        $"serial {c.Serial} revoked {LedgerFormat.Time(r)}"));
            }
            if (entry.Install is { State: not InstallState.Pending } install && install != old?.Install)
            {
                events.Add(install.State == InstallState.Installed
                    ? new LedgerEvent(entry.Device, LedgerEventKind.Installed, entry.CommonName, "certificate installed on the device")
                    : new LedgerEvent(entry.Device, LedgerEventKind.InstallFailed, entry.CommonName,
                        $"install failed: {install.Error ?? "no reason recorded"}"));
            }
        }
        foreach (var entry in before.Entries.Values)
        {
            if (after.Find(entry.Device) is null) events.Add(new LedgerEvent(entry.Device, LedgerEventKind.EntryRemoved, entry.CommonName,
                "the device's block was removed from the ledger"));
        }
        return events.ToImmutable();
    }
}
