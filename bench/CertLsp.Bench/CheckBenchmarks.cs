using BenchmarkDotNet.Attributes;
using CertLsp.Core.Checking;
using CertLsp.SiteGen;

namespace CertLsp.Bench;

/// <summary>The warm, in-process check of one generated manifest: ManifestDocument.Parse + ManifestChecker.Check.</summary>
[MemoryDiagnoser]
public class CheckBenchmarks
{
    private string text = "";

    [Params(1_000, 10_000, 100_000)]
    public int Devices { get; set; }

    [GlobalSetup]
    public void Setup() => text = SiteGenerator.Generate(new SiteOptions(Devices)).Text;

    [Benchmark]
    public int ParseAndCheck() => ManifestChecker.Check([ManifestDocument.Parse("bench.site.yaml", text)]).ByPath.Count;
}
