using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using CertLsp.Bench;
using CertLsp.SiteGen;

// certlsp-bench generate <devices> <out.site.yaml> [mistakes] [seed]   write a generated manifest
// certlsp-bench stages <devices> [rounds]                              stopwatch profile of each layer
// certlsp-bench total <devices> [rounds]                              warm Parse + Check: median wall and CPU ms, allocation
// certlsp-bench large <devices>                                      which large-object-heap allocations a warm check makes
// certlsp-bench review <devices> <changed> [rounds] [out-folder]    warm SiteReviewer.Review of a site with <changed> devices renamed
// certlsp-bench review-stages <devices> <changed> [rounds]          the review's layers, one after another: CPU ms, allocation
// certlsp-bench hostile [megabytes] [rounds]                          warm check of each hostile input of the core's tests (large ones:
// megabytes)
// certlsp-bench dump <files...>                                       every diagnostic and YAML node, for comparing builds
// certlsp-bench [BenchmarkDotNet arguments]                            the warm check benchmark (short job)
switch (args.FirstOrDefault())
{
    case "generate" when args.Length >= 3:
        {
            int devices = int.Parse(args[1], CultureInfo.InvariantCulture);
            int mistakes = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
            int seed = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1;
            var site = SiteGenerator.Generate(new SiteOptions(devices, mistakes, seed));
            File.WriteAllText(args[2], site.Text);
            return 0;
        }
    case "stages" when args.Length >= 2:
        {
            int devices = int.Parse(args[1], CultureInfo.InvariantCulture);
            int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 21;
            Stages.Run(SiteGenerator.Generate(new SiteOptions(devices)).Text, rounds, Console.Out);
            return 0;
        }
    case "total" when args.Length >= 2:
        {
            int devices = int.Parse(args[1], CultureInfo.InvariantCulture);
            int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 11;
            Stages.RunTotal(SiteGenerator.Generate(new SiteOptions(devices)).Text, devices, rounds, Console.Out);
            return 0;
        }
    case "large" when args.Length >= 2:
        {
            int devices = int.Parse(args[1], CultureInfo.InvariantCulture);
            LargeObjects.Run(SiteGenerator.Generate(new SiteOptions(devices)).Text, Console.Out);
            return 0;
        }
    case "review" when args.Length >= 3:
        {
            int devices = int.Parse(args[1], CultureInfo.InvariantCulture);
            int changed = int.Parse(args[2], CultureInfo.InvariantCulture);
            int rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 11;
            ReviewBench.Run(SiteGenerator.Generate(new SiteOptions(devices)).Text, changed, rounds, args.Length > 4 ? args[4] : null,
                Console.Out);
            return 0;
        }
    case "review-stages" when args.Length >= 3:
        {
            int devices = int.Parse(args[1], CultureInfo.InvariantCulture);
            int changed = int.Parse(args[2], CultureInfo.InvariantCulture);
            int rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 11;
            ReviewStages.Run(SiteGenerator.Generate(new SiteOptions(devices)).Text, changed, rounds, Console.Out);
            return 0;
        }
    case "hostile":
        {
            int megabytes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;
            int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
            HostileBench.Run(megabytes, rounds, Console.Out);
            return 0;
        }
    case "dump" when args.Length >= 2:
        Dump.Run(args.Skip(1), Console.Out);
        return 0;
    case "generate" or "stages" or "total" or "large" or "review" or "dump":
        Console.Error.WriteLine(
            "usage: certlsp-bench generate <devices> <out.site.yaml> [mistakes] [seed] | stages <devices> [rounds] | total <devices> " +
            "[rounds] | large <devices> | review <devices> <changed> [rounds] [out-folder] | hostile [megabytes] [rounds] | dump " +
            "<files...> | [BenchmarkDotNet arguments]");
        return 2;
}

// A short job keeps the whole benchmark within minutes on a 2-core machine: one launch, 3 warm-ups, 9 measured iterations.
// Twice: with the server GC, what `certlsp` runs with (server/CertLsp.Cli/CertLsp.Cli.csproj), and with the runtime's
// default (concurrent workstation) GC, for comparison.
var shortJob = Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(9);
var config = ManualConfig.CreateMinimumViable()
    .AddJob(shortJob.WithGcServer(true).WithId("server-gc"))
    .AddJob(shortJob.WithGcServer(false).WithGcConcurrent(true).WithId("workstation-gc"))
    .AddColumn(StatisticColumn.Median)
    .AddExporter(MarkdownExporter.GitHub)
    .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
var summaries = BenchmarkSwitcher.FromAssembly(typeof(CheckBenchmarks).Assembly).Run(args, config).ToList();

// For bench/run-check.sh: one line per case, "<job>\t<devices>\t<median ns>\t<allocated bytes per operation>".
if (Environment.GetEnvironmentVariable("CERTLSP_BENCH_SUMMARY") is { Length: > 0 } summaryPath)
{
    using var writer = new StreamWriter(summaryPath);
    foreach (var report in summaries.SelectMany(s => s.Reports))
    {
        if (report.ResultStatistics is not { } statistics) continue;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{report.BenchmarkCase.Job.Id}\t{report.BenchmarkCase.Parameters["Devices"]}\t{statistics.Median:F0}\t" +
                $"{report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase)}"));
    }
}
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
