using CertLsp.Core.Tests.Certificates;
using CertLsp.Reliability.Tests.Support;
using CertLsp.Workflows.Ledger;
using Xunit.Abstractions;

namespace CertLsp.Reliability.Tests;

/// <summary>
/// A disk that fills up during <c>certlsp csr</c> and <c>certlsp import</c> (a tmpfs of 4 KiB steps in a private mount namespace),
/// and folders mounted read-only: each run ends with a clear message (no stack trace), leaves nothing half-written (*.tmp), a ledger
/// that reads, and a state that a re-run on a disk with room completes, with ledger, keys and zips in agreement.
/// </summary>
[Collection(nameof(ChildProcesses))]
public sealed class DiskFaultTests(ITestOutputHelper output)
{
    private const int Devices = 6;

    /// <summary>
    /// Copies the site into a tmpfs of the given size (exit 99 when it does not even fit), optionally remounts a folder of it
    /// read-only, runs the CLI there (paths in the site become relative ones), and copies what it left back into the site folder.
    /// </summary>
    private const string Script = """
        mount -t tmpfs -o size=$SIZE tmpfs "$MNT" || exit 98
        cp -a "$SITE/." "$MNT/" 2>/dev/null || exit 99
        if [ -n "$READONLY" ]; then mkdir -p "$MNT/$READONLY"; mount --bind "$MNT/$READONLY" "$MNT/$READONLY" && mount -o remount,bind,ro "$MNT/$READONLY" || exit 97; fi
        cd "$MNT" && $CERTLSP $ARGS >"$OUT/stdout" 2>"$OUT/stderr"
        echo $? >"$OUT/exit"
        find "$SITE" -mindepth 1 -delete && cp -a "$MNT/." "$SITE/"
        """;

    private sealed record Outcome(int Exit, string Stdout, string Stderr);

    private static Outcome? RunConstrained(TempSite site, int sizeBytes, string? readOnly, params string[] args)
    {
        string mount = Directory.CreateTempSubdirectory("certlsp-mnt-").FullName, outFolder =
            Directory.CreateTempSubdirectory("certlsp-out-").FullName;
        try
        {
            var (exit, text) = PrivateMount.Run(Script, new Dictionary<string, string>
            {
                ["ARGS"] = string.Join(' ', args.Select(a => a.StartsWith(site.Folder, StringComparison.Ordinal)
                    ? Path.GetRelativePath(site.Folder, a) : a)),
                ["SIZE"] = sizeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), ["MNT"] = mount, ["SITE"] = site.Folder,
                ["OUT"] = outFolder, ["READONLY"] = readOnly ?? "",
            });
            if (exit == 99) return null; // the site itself does not fit
            Assert.True(exit == 0, $"the namespace script failed ({exit}): {text}");
            return new Outcome(int.Parse(File.ReadAllText(Path.Combine(outFolder, "exit")).Trim(),
                System.Globalization.CultureInfo.InvariantCulture),
                File.ReadAllText(Path.Combine(outFolder, "stdout")), File.ReadAllText(Path.Combine(outFolder, "stderr")));
        }
        finally
        {
            Directory.Delete(mount);
            Directory.Delete(outFolder, recursive: true);
        }
    }

    /// <summary>What any failed write must leave: a clear message, no trace, nothing half-written, a ledger that reads.</summary>
    private static void AssertCleanFailure(TempSite site, Outcome run, string what)
    {
        string all = run.Stdout + run.Stderr;
        Assert.DoesNotContain("Unhandled exception", all);
        Assert.DoesNotContain("   at ", all);
        Assert.True(run.Exit is 0 or 1 or 2, $"{what}: exit {run.Exit}\n{all}");
        Assert.Empty(Directory.GetFiles(site.Folder, "*.tmp", SearchOption.AllDirectories));
        LedgerFile.Load(site.LedgerPath);
    }

    [NeedsFact(Needs.Root)]
    public void Csr_on_a_disk_that_fills_up_fails_clearly_and_a_rerun_completes()
    {
        var failures = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int runs = 0;
        for (int pages = 1; pages <= 24; pages++)
        {
            using var site = new TempSite(TempSite.Manifest(Devices));
            var run = RunConstrained(site, pages * 4096, null, "csr", site.ManifestPath);
            if (run is null) continue;
            runs++;
            AssertCleanFailure(site, run, $"{pages * 4} KiB");
            string first = run.Exit == 0 ? "completed" : FirstProblem(run.Stderr + run.Stdout);
            failures[first] = failures.GetValueOrDefault(first) + 1;
            output.WriteLine($"{pages * 4} KiB: exit {run.Exit}: {first}");
            if (run.Exit != 0) Assert.Contains("No space left on device", run.Stdout + run.Stderr);

            var (exit, stdout, stderr) = CliProcess.Run("csr", site.ManifestPath);
            Assert.True(exit == 0 || exit == 1 && stderr.Contains("pending CSR", StringComparison.Ordinal),
                $"{pages * 4} KiB, re-run: exit {exit}\n{stdout}\n{stderr}");
            Assert.Equal(Devices, LedgerFile.Load(site.LedgerPath).Entries.Count);
            SiteConsistency.Assert(site);
            Leaks.AssertNone(site, [run.Stdout, run.Stderr, stdout, stderr]);
        }
        Assert.True(failures.Count >= 3, $"the disk should fill at several moments: {string.Join("; ", failures.Keys)}");
        Assert.True(failures.ContainsKey("completed"), "the largest disk should be big enough to finish");
        output.WriteLine($"{runs} runs on a full disk");
    }

    [NeedsFact(Needs.Root)]
    public async Task Import_on_a_disk_that_fills_up_fails_clearly_and_a_rerun_completes()
    {
        int runs = 0, failed = 0;
        for (int pages = 8; pages <= 48; pages += 2)
        {
            using var site = await Sites.SignedAsync(Devices);
            string signed = Sites.SignedZip(site);
            var run = RunConstrained(site, pages * 4096, null, "import", site.ManifestPath, signed);
            if (run is null) continue;
            runs++;
            AssertCleanFailure(site, run, $"{pages * 4} KiB");
            output.WriteLine($"{pages * 4} KiB: exit {run.Exit}: {(run.Exit == 0 ? "completed" : FirstProblem(run.Stderr + run.Stdout))}");
            if (run.Exit != 0) failed++;

            var (exit, stdout, stderr) = CliProcess.Run("import", site.ManifestPath, signed);
            Assert.True(exit == 0, $"{pages * 4} KiB, re-run: exit {exit}\n{stdout}\n{stderr}");
            Assert.All(LedgerFile.Load(site.LedgerPath).Entries.Values, e => Assert.NotNull(e.Certificate));
            SiteConsistency.Assert(site);
            Leaks.AssertNone(site, [run.Stdout, run.Stderr, stdout, stderr]);
        }
        output.WriteLine($"{runs} imports on a small disk, {failed} of them ran out of space");
        Assert.True(failed >= 2);
    }

    [NeedsTheory(Needs.Root)]
    [InlineData(".")]
    [InlineData(".certlsp-keys")]
    public void Csr_in_a_read_only_folder_fails_clearly_and_writes_nothing(string readOnly)
    {
        using var site = new TempSite(TempSite.Manifest(Devices));
        var run = RunConstrained(site, 1 << 20, readOnly, "csr", site.ManifestPath)!;
        output.WriteLine(run.Stdout + run.Stderr);
        AssertCleanFailure(site, run, readOnly);
        Assert.NotEqual(0, run.Exit);
        Assert.Contains("Read-only file system", run.Stdout + run.Stderr);
        Assert.DoesNotContain("another certlsp run", run.Stderr);
        Assert.Empty(site.Zips);
        var (exit, stdout, stderr) = CliProcess.Run("csr", site.ManifestPath);
        Assert.True(exit == 0, stdout + stderr);
        SiteConsistency.Assert(site);
    }

    [NeedsFact(Needs.Root)]
    public async Task Import_in_a_read_only_folder_fails_clearly_and_records_nothing()
    {
        using var site = await Sites.SignedAsync(Devices);
        string signed = Sites.SignedZip(site);
        string ledgerBefore = File.ReadAllText(site.LedgerPath);
        var run = RunConstrained(site, 1 << 20, ".", "import", site.ManifestPath, signed)!;
        output.WriteLine(run.Stdout + run.Stderr);
        AssertCleanFailure(site, run, "read-only");
        Assert.Equal(2, run.Exit);
        Assert.Contains("Read-only file system", run.Stdout + run.Stderr);
        Assert.Equal(ledgerBefore, File.ReadAllText(site.LedgerPath));
    }

    /// <summary>The bundle folder read-only: certificates are recorded without bundles; the next import writes the missing
    /// bundles.</summary>
    [NeedsFact(Needs.Root)]
    public async Task Bundles_that_could_not_be_written_are_written_by_the_next_import()
    {
        using var site = await Sites.SignedAsync(Devices);
        string signed = Sites.SignedZip(site);
        var run = RunConstrained(site, 1 << 20, "certificates/site.site", "import", site.ManifestPath, signed)!;
        output.WriteLine(run.Stdout + run.Stderr);
        AssertCleanFailure(site, run, "read-only bundles");
        Assert.Contains("accepted; no bundle: ", run.Stdout);
        Assert.Contains("Read-only file system", run.Stdout);
        Assert.All(LedgerFile.Load(site.LedgerPath).Entries.Values, e => Assert.NotNull(e.Certificate));

        var (exit, stdout, stderr) = CliProcess.Run("import", site.ManifestPath, signed);
        output.WriteLine(stdout + stderr);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains($"Summary: 0 accepted, {Devices} already imported", stdout);
        Assert.Contains("missing bundle", stdout);
        SiteConsistency.Assert(site);
        Leaks.AssertNone(site, [run.Stdout, run.Stderr, stdout, stderr]);
    }

    private static string FirstProblem(string text) =>
        text.Split('\n').FirstOrDefault(l => l.Contains("space", StringComparison.Ordinal)
            || l.Contains("certlsp:", StringComparison.Ordinal))?.Trim() ?? text.Trim();
}
