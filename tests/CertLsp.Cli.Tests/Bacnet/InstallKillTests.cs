using System.Diagnostics;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using Xunit;
using Xunit.Abstractions;

namespace CertLsp.Cli.Tests;

/// <summary>
/// SIGKILL of a real <c>certlsp import --bind</c> process at random moments of its device installs (the simulated devices live in this
/// process, the CLI is a child in the same network namespace). Right after each kill the ledger reads and never says a certificate is
/// installed that its device does not hold; a re-run installs what is missing and then ledger and devices agree on every device.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class InstallKillTests(ITestOutputHelper output)
{
    private const int Devices = 50;
    private const ushort Port = 47816;

    private static string Cli => Path.Combine(AppContext.BaseDirectory, "certlsp.dll");

    private static ProcessStartInfo Import(DeviceKeySite site, string answer)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Cli, "import", site.ManifestPath, answer, "--bind", DeviceKeySite.Bind }) info.ArgumentList.Add(a);
        info.Environment.Remove(KeyStore.PassphraseVariable);
        return info;
    }

    /// <summary>A fresh site with every CSR requested and signed; returns the answer zip.</summary>
    private static async Task<string> PreparedAsync(DeviceKeySite site)
    {
        var (exit, stdout, stderr) = await DeviceKeySite.RunAsync("csr", site.ManifestPath, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, stdout + stderr);
        return site.SignAll();
    }

    private static bool InstallsBegun(DeviceKeySite site) =>
        File.Exists(LedgerFile.PathFor(site.ManifestPath)) && File.ReadAllText(LedgerFile.PathFor(site.ManifestPath)).Contains("install: ",
            StringComparison.Ordinal);

    /// <summary>Whether the device holds (activated) the certificate the ledger records for it.</summary>
    private static bool Holds(SimulatedDevice device, LedgerEntry entry) =>
        device.ActiveCertificate is { } active && Fingerprints.Of(active.RawData) == entry.Certificate?.Fingerprint
            && !device.ChangesPending;

    /// <summary>Runs import --bind; once the ledger shows the installs have begun, waits <paramref name="delayMs"/> and SIGKILLs
    /// it.</summary>
    private static KillAttempt ImportKilledAfter(DeviceKeySite site, string answer, double delayMs) =>
        SigKill.During(Import(site, answer), () => InstallsBegun(site), delayMs);

    [NeedsFact(Needs.Namespace)]
    public async Task Import_killed_during_device_installs_is_finished_by_a_rerun_and_ledger_and_devices_agree()
    {
        LoopbackNamespace.Require();
        int seed = Environment.GetEnvironmentVariable("CERTLSP_SEED") is { } s
            ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        var random = new Random(seed);

        // Calibration: how long an uninterrupted run installs for (from the ledger's install lines to its end); the faster of two, since
        // the
        // first also warms the simulator up. A run below that finishes before its kill narrows the window to its own time.
        double window = double.PositiveInfinity;
        for (int i = 0; i < 2; i++)
        {
            await using var site = DeviceKeySite.Start(Devices, Port, 9, firstInstance: 9001 + (uint)(i * 100));
            var run = ImportKilledAfter(site, await PreparedAsync(site), double.PositiveInfinity);
            Assert.True(!run.Killed && run.Exit == 0, run.Stdout + run.Stderr);
            window = Math.Min(window, run.WorkMs);
        }
        output.WriteLine(
            $"seed {seed}: an uninterrupted import installs {Devices} devices in {window:F0} ms; kills are spread over that window");

        var histogram = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int kills = 0, attempts = 0;
        for (int round = 0; round < 10; round++)
        {
            await using var site = DeviceKeySite.Start(Devices, Port, 9, firstInstance: 9201 + (uint)(round * 100));
            string answer = await PreparedAsync(site);
            var run = ImportKilledAfter(site, answer, random.NextDouble() * window);
            attempts++;
            if (run.Killed)
            {
                kills++;
            }
            else
            {
                Assert.True(run.Exit == 0, run.Stdout + run.Stderr);
                window = Math.Min(window, run.WorkMs);
            }

            // Right after the kill: the ledger reads; every certificate it records is imported; it never claims an install the device
            // lacks.
            var ledger = LedgerFile.Load(LedgerFile.PathFor(site.ManifestPath));
            Assert.Equal(Devices, ledger.Entries.Values.Count(e => e.Certificate is not null));
            int recorded = 0, held = 0;
            for (int i = 0; i < Devices; i++)
            {
                var entry = ledger.Find(DeviceKeySite.Name(i))!;
                bool holds = Holds(site.Device(i), entry);
                if (holds) held++;
                if (entry.InstallStateOfCertificate == InstallState.Installed)
                {
                    recorded++;
                    Assert.True(holds, $"the ledger says {entry.Device} is installed, the device does not hold its certificate");
                }
            }
            string state = run.Killed ? $"killed: {held} device(s) holding, {recorded} recorded installed" : "finished before the kill";
            histogram[state] = histogram.GetValueOrDefault(state) + 1;

            // The re-run installs what the ledger does not record as installed, and then both agree on every device.
            var (exit, stdout, stderr) = await DeviceKeySite.RunAsync("import", site.ManifestPath, answer, "--bind", DeviceKeySite.Bind);
            Assert.True(exit == 0, stdout + stderr);
            Assert.Contains(recorded == Devices ? "Installs: none due" : $"Installs: {Devices - recorded} installed, 0 failed.", stdout);
            ledger = LedgerFile.Load(LedgerFile.PathFor(site.ManifestPath));
            for (int i = 0; i < Devices; i++)
            {
                var entry = ledger.Find(DeviceKeySite.Name(i))!;
                Assert.Equal(InstallState.Installed, entry.InstallStateOfCertificate);
                Assert.True(Holds(site.Device(i), entry), $"{entry.Device} does not hold the certificate the ledger records");
            }
        }
        foreach (var (state, count) in histogram) output.WriteLine($"  {state}: {count}");
        Assert.True(kills >= attempts / 3, $"only {kills} of {attempts} runs were killed during their installs");
    }
}
