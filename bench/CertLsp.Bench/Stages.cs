using System.Diagnostics;
using System.Globalization;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Rules;
using CertLsp.Core.Schema;
using CertLsp.Core.Yaml;
using YamlDotNet.Core;

namespace CertLsp.Bench;

/// <summary>
/// A quick stopwatch profile: the median wall and CPU time (CPU time is steadier on a busy machine), allocated bytes and GC work of each
/// layer of the check (YamlDotNet's parser alone,
/// our YamlReader, the schema check, the binder, each rule, the workspace rules) so the hot layer stands out.
/// </summary>
public static class Stages
{
    public static void Run(string text, int rounds, TextWriter output)
    {
        var builder = new DiagnosticBuilder("bench.site.yaml", text);
        var root = YamlReader.Read(text, "bench.site.yaml").Root;
        var manifest = ManifestBinder.Bind(root);
        var document = ManifestDocument.Parse("bench.site.yaml", text);
        // The language server's case: a one-character edit near the top shifts every piece after it.
        int line = text.IndexOf("\ndomain:", StringComparison.Ordinal) + 1;
        string edited = line > 0 ? text.Insert(line + "domain: ".Length, "x") : text;
        var earlier = YamlReader.Read(text, "bench.site.yaml");

        var stages = new List<(string Name, Action Body)>
        {
            ("YamlDotNet scanner (tokens only)", () => { var p = new Scanner(new StringReader(text)); while (p.MoveNext()) { } }),
            ("YamlDotNet parser (events only)", () => { var p = new Parser(new StringReader(text)); while (p.MoveNext()) { } }),
            ("YamlReader.Read", () => YamlReader.Read(text, "bench.site.yaml")),
            ("YamlReader.Read, one character edited (earlier read re-used)", () => YamlReader.Read(edited, "bench.site.yaml", earlier)),
            ("SchemaValidator.Validate", () => SchemaValidator.Validate(root, ManifestSchema.Root, builder, [])),
            ("ManifestBinder.Bind", () => ManifestBinder.Bind(root)),
        };
        foreach (var rule in RuleSet.ManifestRules)
        {
            stages.Add(("  " + rule.GetType().Name, () => rule.Check(manifest, builder, [])));
        }
        stages.Add(("ManifestChecker.Check (workspace rules, sort)", () => ManifestChecker.Check([document])));
        stages.Add(("total: Parse + Check", () => ManifestChecker.Check([ManifestDocument.Parse("bench.site.yaml", text)])));
        stages.Add(("total after a one-character edit (earlier parse re-used)", () =>
            ManifestChecker.Check([ManifestDocument.Parse("bench.site.yaml", edited, previous: document)])));

        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        var kept = ManifestDocument.Parse("bench.site.yaml", text);
        long retained = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        GC.KeepAlive(kept);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"a parsed document retains {retained / 1024.0 / 1024.0:F1} MB ({retained / Math.Max(1, manifest.Devices.Length)} bytes per " +
            $"device)"));
        output.WriteLine($"{"stage",-48} {"median ms",10} {"CPU ms",8} {"alloc KB",10} {"GC ms/op",9} {"GCs/op g0/1/2",14}");
        foreach (var (name, body) in stages)
        {
            var m = Measure(body, rounds);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-48} {m.WallMs,10:F2} {m.CpuMs,8:F1} {m.AllocatedBytes / 1024,10:N0} {m.GcPauseMs,9:F2} {m.Collections,14}"));
        }
    }

    /// <summary>The warm Parse + Check alone: "devices, median wall ms, median CPU ms, allocated bytes, GC pause ms per check, collections
    /// per check (gen 0+/1+/2)", tab-separated.</summary>
    public static void RunTotal(string text, int devices, int rounds, TextWriter output)
    {
        var m = Measure(() => ManifestChecker.Check([ManifestDocument.Parse("bench.site.yaml", text)]), rounds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{devices}\t{m.WallMs:F2}\t{m.CpuMs:F2}\t{m.AllocatedBytes}\t{m.GcPauseMs:F2}\t{m.Collections}"));
    }

    internal sealed record Measurement(double WallMs, double CpuMs, long AllocatedBytes, double GcPauseMs, string Collections);

    internal static Measurement Measure(Action body, int rounds)
    {
        // Warm up until the JIT has promoted the hot code (tiered compilation, whose background compiles lag on a busy
        // machine): 50 calls or 1.5 seconds, but at least 3 calls.
        long warmStart = Stopwatch.GetTimestamp();
        for (int w = 0; w < 3 || (w < 50 && Stopwatch.GetElapsedTime(warmStart).TotalMilliseconds < 1500); w++) body();
        var times = new double[rounds];
        var cpu = new double[rounds];
        using var process = Process.GetCurrentProcess();
        long allocated = 0;
        var pauseBefore = GC.GetTotalPauseDuration();
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        for (int r = 0; r < rounds; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            body();
            times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            process.Refresh();
            cpu[r] = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        double pause = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds / rounds;
        string collections = string.Create(CultureInfo.InvariantCulture,
            $"{(GC.CollectionCount(0) - gen0) / (double)rounds:F1}/{(GC.CollectionCount(1) - gen1) / (double)rounds:F1}/" +
                $"{(GC.CollectionCount(2) - gen2) / (double)rounds:F1}");
        Array.Sort(times);
        Array.Sort(cpu);
        return new Measurement(times[rounds / 2], cpu[rounds / 2], allocated, pause, collections);
    }
}
