using System.Diagnostics;
using System.Text.RegularExpressions;
using CertLsp.Core.Tests.Certificates;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Reliability.Tests.Support;
using Xunit.Abstractions;

namespace CertLsp.Reliability.Tests;

/// <summary>
/// A workspace of 100 manifests with 1,000 devices each (100,000 devices; CN uniqueness is checked across all of them): the server
/// indexes it, its memory stays within a bound, and edits to an open manifest are still answered with fresh diagnostics in time.
/// </summary>
[Collection(nameof(ChildProcesses))]
public sealed partial class LspLoadTests(ITestOutputHelper output)
{
    private const int Manifests = 100, DevicesEach = 1000;

    [GeneratedRegex(@"instance: (\d+)")]
    private static partial Regex Instance();

    /// <summary>Manifest k: its own domain (so CNs differ across files) and instances k·1000+i (unique on the internetwork).</summary>
    private static string Manifest(int k) =>
        Instance().Replace(TempSite.Manifest(DevicesEach, domain: $"m{k:D3}.test.example").Replace("site: Test Site", $"site: Site {k:D3}",
            StringComparison.Ordinal),
            m => $"instance: {k * DevicesEach + int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1000}");

    [Fact]
    public async Task A_100000_device_workspace_stays_within_memory_and_answers_edits()
    {
        var folder = Directory.CreateTempSubdirectory("certlsp-load-");
        try
        {
            for (int k = 0; k < Manifests; k++) File.WriteAllText(Path.Combine(folder.FullName, $"m{k:D3}.site.yaml"), Manifest(k));
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = GC.GetTotalMemory(forceFullCollection: true);

            var clock = Stopwatch.StartNew();
            await using var client = await LspTestClient.StartInitializedAsync(folder.FullName);
            while (client.Server.Context.Workspace.Snapshot.Disk.Count < Manifests)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3),
                    $"indexed {client.Server.Context.Workspace.Snapshot.Disk.Count} of {Manifests} manifests in 3 minutes");
                await Task.Delay(20);
            }
            double indexSeconds = clock.Elapsed.TotalSeconds;
            Assert.Equal(Manifests * DevicesEach, client.Server.Context.Workspace.Snapshot.Disk.Values.Sum(d =>
                d.Manifest!.Devices.Length));

            string path = Path.Combine(folder.FullName, "m042.site.yaml"), uri = UriPaths.FromPath(path), text = File.ReadAllText(path);
            clock.Restart();
            var opened = await client.OpenAsync(uri, text);
            double openSeconds = clock.Elapsed.TotalSeconds;
            Assert.DoesNotContain(opened.Diagnostics, d => d.Severity == 1);

            // Edits: the open manifest's domain switched to another manifest's and back. With the other domain, its 1,000 CNs clash
            // with that manifest's (CL0201, found by the workspace rule across all 100,000 devices); switched back, they do not.
            var latencies = new List<double>();
            int version = 1, edits = Soak.Scale(40), domainRow = Array.IndexOf(text.Split('\n'), "domain: m042.test.example");
            for (int n = 0; n < edits; n++)
            {
                bool clash = n % 2 == 0;
                string from = clash ? "m042" : "m041", to = clash ? "m041" : "m042";
                clock.Restart();
                var published = await client.ChangeAsync(uri, ++version,
                    LspTestClient.Replace(domainRow, "domain: ".Length, domainRow, "domain: ".Length + 4, to));
                latencies.Add(clock.Elapsed.TotalMilliseconds);
                text = text.Replace($"domain: {from}", $"domain: {to}", StringComparison.Ordinal);
                Assert.Equal(clash, published.Diagnostics.Any(d => d.Code == "CL0201"));
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long after = GC.GetTotalMemory(forceFullCollection: true);
            double heapMb = (after - before) / 1048576.0, peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
            latencies.Sort();
            output.WriteLine(
                $"{Manifests} manifests, {Manifests * DevicesEach:N0} devices: indexed in {indexSeconds:F1} s, first diagnostics of the " +
                $"open manifest in {openSeconds:F1} s");
            output.WriteLine(
                $"{edits} edits answered with fresh diagnostics: median {latencies[latencies.Count / 2]:F0} ms, slowest " +
                $"{latencies[^1]:F0} ms");
            output.WriteLine(
                $"managed heap held by the server after a full GC: {heapMb:F0} MB; peak working set of the test process: {peakMb:F0} MB");
            Assert.True(heapMb < 512, $"the server holds {heapMb:F0} MB for 100,000 devices");
            Assert.True(latencies[^1] < 15_000, $"an edit waited {latencies[^1]:F0} ms for its diagnostics");
            Assert.True(latencies[latencies.Count / 2] < 5_000,
                $"edits wait {latencies[latencies.Count / 2]:F0} ms (median) for their diagnostics");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
