using System.Diagnostics;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Reliability.Tests.Support;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using Xunit.Abstractions;

namespace CertLsp.Reliability.Tests;

/// <summary>
/// SIGKILL at random moments of real <c>certlsp csr</c> and <c>certlsp import</c> processes (200 kills in the default run; ×10 with
/// CERTLSP_SOAK=1). After every kill the ledger must still be readable and every key file owner-only; after the final re-run, ledger,
/// key folder, zips and bundles must agree (<see cref="SiteConsistency"/>), no device may be requested twice, and nothing printed or
/// written outside the key folder may hold private-key material.
/// </summary>
[Collection(nameof(ChildProcesses))]
public sealed class KillTests(ITestOutputHelper output)
{
    private const int Devices = 6;

    /// <summary>Six ECDSA P-256 devices: one zip, a run writes for a few hundred milliseconds.</summary>
    private static TempSite NewSite() => new(TempSite.Manifest(Devices));

    private static string LockFile(TempSite site) => Path.Combine(site.Folder, "." + Path.GetFileName(site.LedgerPath) + ".lock");

    /// <summary>Starts the CLI; once <paramref name="begun"/> shows it has started writing, waits a random part of the expected work time
    /// and SIGKILLs it.</summary>
    private static KillAttempt KillDuringWork(string[] args, Func<bool> begun, Random random, double expectedWorkMs) =>
        SigKill.During(CliProcess.Info(args), begun, random.NextDouble() * expectedWorkMs);

    /// <summary>What must hold right after any kill: the ledger reads, every key is owner-only.</summary>
    private static void AssertSurvivable(TempSite site)
    {
        LedgerFile.Load(site.LedgerPath);
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        foreach (var file in keys.Files()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    /// <summary>
    /// The window kills are spread over: the time from the first write to the end of an uninterrupted run, the slowest of three at
    /// the start, measured again every few sites and the slowest kept. A machine that gets busier during the test (other test
    /// classes run beside these) stretches the runs, and a window measured while it was quiet put every kill of a CI run before the
    /// first key was written.
    /// </summary>
    private sealed class KillWindow(Func<Task<KillAttempt>> uninterrupted)
    {
        /// <summary>Sites between two measurements.</summary>
        public const int SitesPerMeasurement = 6;

        public double Ms { get; private set; }

        public int Measurements { get; private set; }

        public async Task MeasureAsync(int runs = 1)
        {
            for (int i = 0; i < runs; i++)
            {
                var attempt = await uninterrupted();
                Assert.False(attempt.Killed);
                Assert.True(attempt.Exit == 0, attempt.Stdout + attempt.Stderr);
                Ms = Math.Max(Ms, attempt.WorkMs);
                Measurements++;
            }
        }
    }

    private async Task<KillWindow> CalibrateAsync(Func<Task<KillAttempt>> run)
    {
        var window = new KillWindow(run);
        await window.MeasureAsync(runs: 3);
        output.WriteLine($"an uninterrupted run writes for {window.Ms:F0} ms; kills are spread over that window");
        return window;
    }

    /// <summary>What a kill can leave in each folder a run writes to (the temporaries of atomic writes) is cleared by the next
    /// run.</summary>
    [Fact]
    public async Task Temporaries_a_killed_run_left_in_any_folder_are_cleared_by_the_next_run()
    {
        using var site = await Sites.SignedAsync(Devices);
        string signed = Sites.SignedZip(site);
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        string bundles = Path.Combine(site.Folder, "certificates", KeyStore.ManifestStem(site.ManifestPath));
        Directory.CreateDirectory(bundles);
        string Leftover(string folder, string file) => Path.Combine(folder, $".{file}.{Guid.NewGuid():N}.tmp");
        var forCsr = new[]
        {
            Leftover(Path.GetDirectoryName(keys.Folder)!, ".gitignore"), Leftover(keys.Folder, ".gitignore"),
                Leftover(keys.Folder, "dev-01.0123456789abcdef.key.pem"),
            Leftover(site.Folder, Path.GetFileName(site.Zips[0])), Leftover(site.Folder, Path.GetFileName(site.LedgerPath)),
        };
        foreach (var file in forCsr) File.WriteAllText(file, "half");
        var (exit, stdout, stderr) = CliProcess.Run("csr", site.ManifestPath, "--keep-pending");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains($"{forCsr.Length} temporary file(s) removed", stdout);
        var forImport = new[] { Leftover(bundles, "dev-01.p12"), Leftover(bundles, "dev-02.chain.pem"),
            Leftover(site.Folder, Path.GetFileName(site.LedgerPath)) };
        foreach (var file in forImport) File.WriteAllText(file, "half");
        (exit, stdout, stderr) = CliProcess.Run("import", site.ManifestPath, signed);
        Assert.True(exit == 0, stdout + stderr);
        SiteConsistency.Assert(site);
    }

    [Fact]
    public async Task Csr_killed_at_random_moments_is_finished_by_a_rerun_with_nothing_lost()
    {
        int target = Soak.Scale(120), kills = 0, sites = 0, finishedFirst = 0, removedKeys = 0;
        int seed = Soak.Seed();
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        var window = await CalibrateAsync(() =>
        {
            using var site = NewSite();
            string lockFile = LockFile(site);
            return Task.FromResult(KillDuringWork(["csr", site.ManifestPath], () => File.Exists(lockFile), random,
                double.PositiveInfinity));
        });
        var histogram = new SortedDictionary<string, int>(StringComparer.Ordinal);
        while (kills < target)
        {
            if (sites > 0 && sites % KillWindow.SitesPerMeasurement == 0) await window.MeasureAsync();
            using var site = NewSite();
            sites++;
            var texts = new List<string>();
            string lockFile = LockFile(site);
            var keys = KeyStore.ForManifest(site.ManifestPath, null);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int attempt = 0; attempt < 6 && kills < target; attempt++)
            {
                var run = KillDuringWork(["csr", site.ManifestPath], () => File.Exists(lockFile), random, window.Ms);
                texts.Add(run.Stdout + run.Stderr);
                if (!run.Killed)
                {
                    finishedFirst++;
                    Assert.True(run.Exit is 0 or 1, $"exit {run.Exit}: {run.Stderr}");
                    break;
                }
                kills++;
                seen.UnionWith(keys.Files().Select(File.ReadAllText)); // a re-run may remove them: still searched for at the end
                var ledger = LedgerFile.Load(site.LedgerPath);
                int writing = Directory.Exists(keys.Folder) ? Directory.GetFiles(keys.Folder, "*.tmp").Length : 0;
                string state =
                    $"{keys.Files().Count()} key(s){(writing > 0 ? " (a file being written)" : "")}, {site.Zips.Count} zip(s), " +
                    $"{ledger.Entries.Count} ledger entries{(ledger.RunOpen is null ? "" : ", run open")}";
                histogram[state] = histogram.GetValueOrDefault(state) + 1;
                AssertSurvivable(site);
            }

            var (exit, stdout, stderr) = CliProcess.Run("csr", site.ManifestPath);
            texts.Add(stdout + stderr);
            if (exit == 1) Assert.Contains("pending CSR", stderr); // a run above finished the job: this one writes nothing
            else Assert.True(exit == 0 && stdout.Contains($"Summary: {Devices} requested, 0 no action taken, 0 failed.",
                StringComparison.Ordinal), $"exit {exit}\n{stdout}\n{stderr}");
            Assert.Equal(Devices, LedgerFile.Load(site.LedgerPath).Entries.Count);
            SiteConsistency.Assert(site);
            Assert.Equal(Devices, site.Zips.Sum(z => TempSite.Entries(z).Count(e => e.Key.EndsWith(".pem", StringComparison.Ordinal)
                && !e.Key.Contains("issuer/", StringComparison.Ordinal))));
            int removed = seen.Except(keys.Files().Select(File.ReadAllText)).Count();
            removedKeys += removed;
            Leaks.AssertNone(site, texts, seen);
        }
        output.WriteLine(
            $"seed {seed}: {kills} SIGKILLs of certlsp csr over {sites} sites ({finishedFirst} runs finished before their kill), " +
            $"{clock.Elapsed.TotalSeconds:F0} s; {removedKeys} orphan keys removed by re-runs, searched for too; window {window.Ms:F0} " +
            $"ms after {window.Measurements} measurements");
        foreach (var (state, count) in histogram) output.WriteLine($"  killed with {state}: {count}");
        Assert.True(histogram.Count >= 3, "the kills should land at several different moments of the run");
    }

    /// <summary>
    /// Issue 12 item 9: a csr run of 120 devices (three zips) SIGKILLed once its first zip is recorded; the re-run, and status,
    /// name every zip that still awaits the CA with all its devices, the killed run's included, and a numbering with gaps
    /// ("1-of-3" without "3-of-3") says the run was interrupted.
    /// </summary>
    [Fact]
    public void After_a_killed_run_every_zip_awaiting_the_ca_is_named_with_its_devices()
    {
        const int devices = 120;
        for (int attempt = 0; ; attempt++)
        {
            using var site = new TempSite(TempSite.Manifest(devices));
            var run = SigKill.During(CliProcess.Info("csr", site.ManifestPath),
                () => File.Exists(site.LedgerPath) && File.ReadAllText(site.LedgerPath).Contains("pending-zip: ",
                    StringComparison.Ordinal), 0);
            if (!run.Killed || !File.ReadAllText(site.LedgerPath).Contains("run-open: ", StringComparison.Ordinal))
            {
                Assert.True(attempt < 5, "the run finished before it could be killed after its first zip, five times");
                continue;
            }
            var killedZips = site.Zips.Select(Path.GetFileName).ToList();
            output.WriteLine($"killed with {killedZips.Count} zip(s) written: {string.Join(", ", killedZips)}");
            Assert.Contains(killedZips, z => z!.EndsWith("_1-of-3.zip", StringComparison.Ordinal));

            var (exit, stdout, stderr) = CliProcess.Run("csr", site.ManifestPath);
            Assert.True(exit == 0, stdout + stderr);
            Assert.Contains($"Summary: {devices} requested, 0 no action taken, 0 failed.", stdout);
            var (statusExit, status, statusErr) = CliProcess.Run("status", site.ManifestPath);
            Assert.True(statusExit == 0, statusErr);
            var ledger = LedgerFile.Load(site.LedgerPath);
            var byZip = ledger.Entries.Values.GroupBy(e => e.Pending!.Zip).ToList();
            Assert.Equal(devices, byZip.Sum(g => g.Count()));
            foreach (var printed in new[] { stdout, status })
            {
                int listed = printed.IndexOf("Zips awaiting the CA's answer", StringComparison.Ordinal);
                Assert.True(listed >= 0, $"no list of the zips awaiting the CA:\n{printed}");
                string awaiting = printed[listed..];
                Assert.Contains($"({byZip.Count} zip(s), {devices} device(s);", awaiting);
                foreach (var zip in byZip)
                {
                    int at = awaiting.IndexOf(zip.Key + ": ", StringComparison.Ordinal);
                    Assert.True(at >= 0, $"{zip.Key} is not named:\n{awaiting}");
                    string devicesLine = awaiting[at..].Split('\n').First(l => l.StartsWith("    dev-", StringComparison.Ordinal));
                    Assert.Equal(zip.Select(e => e.Device).Order(StringComparer.Ordinal),
                        devicesLine.Trim().Split(", ").Order(StringComparer.Ordinal));
                }
            }
            // The killed run's numbering has gaps (its later zips were never written): said so in the listing.
            var killedRun = byZip.Select(g => g.Key).Where(z => z.Contains("-of-3.zip", StringComparison.Ordinal)).ToList();
            if (killedRun.Count < 3) Assert.Contains("was interrupted", stdout);
            Assert.Contains("recovered from an interrupted run", stdout);
            SiteConsistency.Assert(site);
            return;
        }
    }

    [Fact]
    public async Task Import_killed_at_random_moments_is_finished_by_a_rerun_with_nothing_lost()
    {
        int target = Soak.Scale(80), kills = 0, sites = 0, finishedFirst = 0;
        int seed = Soak.Seed();
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        var window = await CalibrateAsync(async () =>
        {
            using var site = await Sites.SignedAsync(Devices);
            string signed = Sites.SignedZip(site);
            return KillDuringWork(["import", site.ManifestPath, signed], () => Directory.Exists(Path.Combine(site.Folder, "certificates")),
                random, double.PositiveInfinity);
        });
        var histogram = new SortedDictionary<string, int>(StringComparer.Ordinal);
        while (kills < target)
        {
            if (sites > 0 && sites % KillWindow.SitesPerMeasurement == 0) await window.MeasureAsync();
            using var site = await Sites.SignedAsync(Devices);
            string signed = Sites.SignedZip(site);
            sites++;
            string bundles = Path.Combine(site.Folder, "certificates");
            var texts = new List<string>();
            for (int attempt = 0; attempt < 6 && kills < target; attempt++)
            {
                var run = KillDuringWork(["import", site.ManifestPath, signed], () => Directory.Exists(bundles), random, window.Ms);
                texts.Add(run.Stdout + run.Stderr);
                if (!run.Killed)
                {
                    finishedFirst++;
                    Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Stderr}");
                    break;
                }
                kills++;
                int files = Directory.Exists(bundles) ? Directory.GetFiles(bundles, "*", SearchOption.AllDirectories).Length : 0;
                int recorded = LedgerFile.Load(site.LedgerPath).Entries.Values.Count(e => e.Certificate is not null);
                string state = $"{files / 3 * 3}+ bundle files, {recorded} recorded";
                histogram[state] = histogram.GetValueOrDefault(state) + 1;
                AssertSurvivable(site);
            }

            var (exit, stdout, stderr) = CliProcess.Run("import", site.ManifestPath, signed);
            texts.Add(stdout + stderr);
            Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
            var ledger = LedgerFile.Load(site.LedgerPath);
            Assert.All(ledger.Entries.Values, e => Assert.True(e.Certificate is not null && e.Pending is null,
                $"{e.Device} is not imported"));
            SiteConsistency.Assert(site);
            Leaks.AssertNone(site, texts);
        }
        output.WriteLine(
            $"seed {seed}: {kills} SIGKILLs of certlsp import over {sites} sites ({finishedFirst} runs finished before their kill), " +
            $"{clock.Elapsed.TotalSeconds:F0} s; window {window.Ms:F0} ms after {window.Measurements} measurements");
        foreach (var (state, count) in histogram) output.WriteLine($"  killed with {state}: {count}");
        Assert.True(histogram.Count >= 2, "the kills should land at several different moments of the run");
    }
}

/// <summary>Tests that run many child processes: one at a time, so they do not starve each other of the two cores.</summary>
[CollectionDefinition(nameof(ChildProcesses))]
public sealed class ChildProcesses;
