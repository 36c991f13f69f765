using System.Diagnostics;
using System.Globalization;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Core.Review;

namespace CertLsp.Bench;

/// <summary>
/// <c>review &lt;devices&gt; &lt;changed&gt; [rounds] [out-folder]</c>: times <see cref="SiteReviewer.Review"/> of a generated site whose
/// every
/// device holds a valid certificate against a head where <c>changed</c> devices are renamed (each voids its certificate). With an
/// out-folder, also writes base/ and head/ (manifest and ledger) for timing the whole <c>certlsp review</c> process.
/// </summary>
public static class ReviewBench
{
    public static void Run(string baseText, int changed, int rounds, string? outFolder, TextWriter output)
    {
        var now = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
        var lines = baseText.Split('\n');
        int seen = 0, renamed = 0;
        int every = Math.Max(1, lines.Count(l => l.StartsWith("  - name: ", StringComparison.Ordinal)) / Math.Max(1, changed));
        var head = (string[])lines.Clone();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("  - name: ", StringComparison.Ordinal)) continue;
            if (seen++ % every == 0 && renamed < changed)
            {
                head[i] = lines[i] + "-r";
                renamed++;
            }
        }
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
        string ledgerText = LedgerFormat.Write(ledger, "site.site.yaml", now);
        string headText = string.Join('\n', head);
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
                $"ledger), {renamed:N0} renamed: "
            + $"median {times[times.Count / 2]:F1} ms wall, {cpu[cpu.Count / 2]:F1} ms CPU (all threads), min {times[0]:F1} ms wall over " +
                $"{rounds} warm rounds; {m.Renamed.Length:N0} renamed, {m.NewRequests:N0} new requests found; "
            + $"the two checks alone (with ledgers): median {checks[checks.Count / 2]:F1} ms"));
    }
}
