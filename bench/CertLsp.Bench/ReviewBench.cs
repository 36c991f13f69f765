using System.Diagnostics;
using System.Globalization;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Core.Review;

namespace CertLsp.Bench;

/// <summary>
/// <c>review &lt;devices&gt; &lt;changed&gt; [rounds] [out-folder]</c>: times <see cref="SiteReviewer.Review"/> of a generated site whose
/// every device holds a valid certificate against a head where <c>changed</c> devices are renamed, moved to other batches or new
/// (<see cref="Change"/>). With an out-folder, also writes base/ and head/ (manifest and ledger) for timing the whole
/// <c>certlsp review</c> process (bench/run-review.sh commits them to a git repository).
/// </summary>
public static class ReviewBench
{
    public static void Run(string baseText, int changed, int rounds, string? outFolder, TextWriter output)
    {
        var now = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
        var (headText, renamed, moved, added) = Change(baseText, changed);
        var manifest = ManifestDocument.Parse("site.site.yaml", baseText).Manifest!;
        string ledgerText = LedgerText(baseText, now);
        var before = new ReviewFile("site.site.yaml", baseText, new LedgerInput("site.site.ledger", ledgerText));
        var after = new ReviewFile("site.site.yaml", headText, new LedgerInput("site.site.ledger", ledgerText));
        if (outFolder is not null)
        {
            foreach (var (side, text) in new[] { ("base", baseText), ("head", headText) })
            {
                Directory.CreateDirectory(Path.Combine(outFolder, side));
                File.WriteAllText(Path.Combine(outFolder, side, "site.site.yaml"), text);
                File.WriteAllText(Path.Combine(outFolder, side, "site.site.ledger"), ledgerText);
            }
        }

        var times = new List<double>();
        var cpu = new List<double>();
        SiteReview? review = null;
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < rounds + 1; r++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            review = SiteReviewer.Review([before], [after], now);
            watch.Stop();
            process.Refresh();
            if (r == 0) continue;
            times.Add(watch.Elapsed.TotalMilliseconds);
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
        }
        cpu.Sort();
        times.Sort();
        // What the comparison adds to the two checks it runs: the checks alone, with their ledgers.
        var checks = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            var watch = Stopwatch.StartNew();
            ManifestChecker.Check([ManifestDocument.Parse(before.Path, before.Text, before.Ledger, now)]);
            ManifestChecker.Check([ManifestDocument.Parse(after.Path, after.Text, after.Ledger, now)]);
            checks.Add(watch.Elapsed.TotalMilliseconds);
        }
        checks.Sort();
        var m = review!.Manifests[0];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"review of {manifest.Devices.Length:N0} devices ({baseText.Length / 1e6:F1} MB manifest, {ledgerText.Length / 1e6:F1} MB " +
                $"ledger), {renamed:N0} renamed, {moved:N0} moved, {added:N0} new: "
            + $"median {times[times.Count / 2]:F1} ms wall, {cpu[cpu.Count / 2]:F1} ms CPU (all threads), min {times[0]:F1} ms wall over " +
                $"{rounds} warm rounds; {m.Renamed.Length:N0} renamed, {m.NewRequests:N0} new requests found; "
            + $"the two checks alone (with ledgers): median {checks[checks.Count / 2]:F1} ms"));
    }

    /// <summary>The ledger of the site's base: every device holds a valid certificate.</summary>
    public static string LedgerText(string baseText, DateTimeOffset now)
    {
        var manifest = ManifestDocument.Parse("site.site.yaml", baseText).Manifest!;
        var ledger = SiteLedger.Empty;
        int serial = 1;
        foreach (var device in manifest.Devices)
        {
            if (device.Name is null || Core.Naming.CommonNames.For(manifest, device) is not { } cn) continue;
            ledger = ledger.With(new LedgerEntry(device.Name.Value, cn.Value, null,
                new IssuedCertificate((serial++).ToString(CultureInfo.InvariantCulture), "CN=Issuing CA", now.AddDays(-10),
                    now.AddDays(355), $"sha256:c{serial}", $"sha256:k{serial}")));
        }
        return LedgerFormat.Write(ledger, "site.site.yaml", now);
    }

    /// <summary>
    /// The head of a change of <paramref name="changed"/> devices, spread over the site: two fifths renamed (each voids its
    /// certificate), two fifths moved to other batches (zips) of at most 50, the rest new devices at the end (each a new request).
    /// </summary>
    public static (string Head, int Renamed, int Moved, int Added) Change(string baseText, int changed)
    {
        var lines = baseText.Split('\n').ToList();
        var starts = Enumerable.Range(0, lines.Count).Where(i => lines[i].StartsWith("  - name: ", StringComparison.Ordinal)).ToList();
        int toRename = changed * 2 / 5, toMove = changed * 2 / 5, toAdd = changed - toRename - toMove;
        int every = Math.Max(1, starts.Count / Math.Max(1, toRename + toMove));
        int renamed = 0, moved = 0;
        // From the end, so that inserting a line leaves the earlier starts where they are.
        var picked = starts.Where((_, k) => k % every == 0).Take(toRename + toMove).ToList();
        for (int k = picked.Count - 1; k >= 0; k--)
        {
            int at = picked[k];
            if ((k % 2 == 0 && renamed < toRename) || moved >= toMove)
            {
                // A new name of its own (appending to an xn-- name would make it invalid punycode: a finding, not a rename).
                lines[at] = $"  - name: Renamed-{++renamed}";
                continue;
            }
            int end = at + 1;
            while (end < lines.Count && lines[end].StartsWith("    ", StringComparison.Ordinal)) end++;
            string batch = $"    batch: moved-{moved / 50 + 1}";
            int existing = lines.FindIndex(at + 1, end - at - 1, l => l.StartsWith("    batch: ", StringComparison.Ordinal));
            if (existing >= 0) lines[existing] = batch;
            else lines.Insert(at + 1, batch);
            moved++;
        }
        string head = string.Join('\n', lines).TrimEnd('\n') + "\n";
        var sb = new System.Text.StringBuilder(head);
        for (int k = 0; k < toAdd; k++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  - name: New-Device-{k + 1}\n    instance: {4_000_000 + k}\n")
                .Append(CultureInfo.InvariantCulture, $"    address: 10.{k / 62_500 % 250}.{k / 250 % 250}.{k % 250 + 1}\n");
        }
        return (sb.ToString(), renamed, moved, toAdd);
    }
}
