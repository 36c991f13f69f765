using System.Diagnostics;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Core.Tests.Certificates;
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

    [Fact]
    public void Killed_runs_are_finished_by_a_rerun_with_ledger_keys_and_zips_in_agreement()
    {
        Assert.True(File.Exists(Cli), $"the built CLI is expected at {Cli}");
        // Calibrate: how long a whole run takes on this machine now.
        var clock = Stopwatch.StartNew();
        using (var calibration = NewSite()) Assert.Equal(0, RunToEnd(calibration.ManifestPath).Exit);
        long full = clock.ElapsedMilliseconds;
        output.WriteLine($"a whole run of {Devices} RSA-2048 devices takes {full} ms");

        var random = new Random(Environment.TickCount);
        int kills = 0;
        for (int round = 1; round <= 3; round++)
        {
            using var site = NewSite();
            var keys = KeyStore.ForManifest(site.ManifestPath, null);
            int attempts = random.Next(1, 3);
            for (int attempt = 1; attempt <= attempts; attempt++)
            {
                using var process = Start(site.ManifestPath);
                int delay = (int)(full * (0.1 + 0.85 * random.NextDouble()));
                if (process.WaitForExit(delay))
                {
                    output.WriteLine($"round {round}, run {attempt}: finished before the kill at {delay} ms (exit {process.ExitCode})");
                    break;
                }
                process.Kill();
                process.WaitForExit();
                kills++;
                output.WriteLine($"round {round}, run {attempt}: killed after {delay} ms; {keys.Files().Count()} key file(s), {site.Zips.Count} zip(s), ledger {(File.Exists(site.LedgerPath) ? "present" : "absent")}");
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
