using System.Diagnostics;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using Xunit;
using Xunit.Abstractions;

namespace CertLsp.Cli.Tests.Commands;

/// <summary>
/// kill -9 at random moments of a real <c>certlsp csr</c> process, several times, then one more run: ledger, keys and zips must agree,
/// every CSR in a zip must have its ledger entry and key, and no device may be requested twice.
/// </summary>
public sealed class CrashConsistencyTests(ITestOutputHelper output)
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "certlsp.dll");

    private static Process Start(string manifest)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Cli);
        info.ArgumentList.Add("csr");
        info.ArgumentList.Add(manifest);
        info.Environment.Remove(KeyStore.PassphraseVariable);
        return Process.Start(info)!;
    }

    private const int Devices = 8;

    private static (int Exit, string Stdout, string Stderr) RunToEnd(string manifest)
    {
        using var process = Start(manifest);
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    private static TempSite NewSite() => new(TempSite.Manifest(Devices, key: "{ algorithm: rsa, size: 2048, source: local }"));

    /// <summary>A moment of the run to kill it at, observed from outside (the files it has written so far).</summary>
    private sealed record Trigger(string Name, Func<TempSite, KeyStore, bool> Reached);

    private static Trigger KeysWritten(int count) => new($"after {count} key file(s)", (_, keys) => keys.Files().Count() >= count);

    private static readonly Trigger ZipWritten = new("as soon as the zip is in place", (site, _) => site.Zips.Count > 0);

    private static readonly Trigger RunOpened = new("as soon as the ledger marks the run open",
        (site, _) => File.Exists(site.LedgerPath) && File.ReadAllText(site.LedgerPath).Contains("run-open:", StringComparison.Ordinal));

    /// <summary>Starts a run and SIGKILLs it when the trigger is reached; false when the run finished first.</summary>
    private bool KillAt(TempSite site, KeyStore keys, Trigger trigger, int extraDelayMs)
    {
        using var process = Start(site.ManifestPath);
        var deadline = Stopwatch.StartNew();
        while (!process.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            bool reached;
            try
            {
                reached = trigger.Reached(site, keys);
            }
            catch (IOException)
            {
                reached = false; // a file being replaced at this very moment
            }
            if (reached)
            {
                if (extraDelayMs > 0) Thread.Sleep(extraDelayMs);
                if (process.HasExited) break;
                process.Kill();
                process.WaitForExit();
                output.WriteLine(
                    $"  killed {trigger.Name} (+{extraDelayMs} ms): {keys.Files().Count()} key file(s), {site.Zips.Count} zip(s)");
                return true;
            }
            Thread.Sleep(1);
        }
        process.WaitForExit();
        output.WriteLine($"  finished before the kill {trigger.Name} (exit {process.ExitCode})");
        return false;
    }

    [Fact]
    public void Killed_runs_are_finished_by_a_rerun_with_ledger_keys_and_zips_in_agreement()
    {
        Assert.True(File.Exists(Cli), $"the built CLI is expected at {Cli}");
        var random = new Random(Environment.TickCount);
        int kills = 0;
        for (int round = 1; round <= 3; round++)
        {
            using var site = NewSite();
            var keys = KeyStore.ForManifest(site.ManifestPath, null);
            output.WriteLine($"round {round}:");
            // First a kill during key generation (reliably mid-batch), then at a random moment: more keys, the zip, or the marker.
            var triggers = new List<Trigger> { KeysWritten(random.Next(1, Devices)) };
            if (random.Next(2) == 0)
            {
                triggers.Add(random.Next(3) switch { 0 => ZipWritten, 1 => RunOpened, _ => KeysWritten(random.Next(1, Devices + 1)) });
            }
            foreach (var trigger in triggers)
            {
                if (!KillAt(site, keys, trigger, random.Next(0, 3) * random.Next(0, 20))) break;
                kills++;
                foreach (var file in keys.Files()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }

            var (exit, stdout, stderr) = RunToEnd(site.ManifestPath);
            output.WriteLine(stdout + stderr);
            if (exit == 1)
            {
                // Only when a run above finished the job after all: this run then stops at the pending CSRs and writes nothing.
                Assert.Contains("pending CSR", stderr);
            }
            else
            {
                Assert.Equal(0, exit);
                Assert.Contains($"Summary: {Devices} requested, 0 no action taken, 0 failed.", stdout);
            }
            Assert.Equal(Devices, LedgerFile.Load(site.LedgerPath).Entries.Count);
            SiteConsistency.Assert(site);
            Assert.Equal(Devices, site.Zips.Sum(z => TempSite.Entries(z).Count));
        }
        Assert.True(kills >= 2, $"only {kills} run(s) were killed mid-batch");
    }
}
