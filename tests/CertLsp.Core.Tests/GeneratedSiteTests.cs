using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.SiteGen;

namespace CertLsp.Core.Tests;

/// <summary>The benchmark's manifest generator (bench/CertLsp.SiteGen): clean sites are clean, planted mistakes are found where
/// planted.</summary>
public class GeneratedSiteTests
{
    [Theory]
    [InlineData(7, true)]
    [InlineData(1_000, true)]
    [InlineData(1_000, false)]
    public void A_clean_site_only_gets_the_request_plan(int devices, bool domain)
    {
        var site = SiteGenerator.Generate(new SiteOptions(devices, Domain: domain));
        var result = ManifestChecker.Check("gen.site.yaml", site.Text);
        var diagnostic = Assert.Single(result.All);
        Assert.Equal("CL0302", diagnostic.Code);
        Assert.StartsWith($"{devices} devices will be requested in", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1_000, 300, 3, true)]
    [InlineData(1_000, 300, 3, false)]
    [InlineData(500, 11, 42, true)]
    public void Planted_mistakes_are_found_on_their_devices_and_nothing_else_is(int devices, int mistakes, int seed, bool domain)
    {
        var site = SiteGenerator.Generate(new SiteOptions(devices, mistakes, seed, domain));
        Assert.Equal(mistakes, site.Mistakes.Length);
        Assert.Equal(Enum.GetValues<MistakeKind>().Length, site.Mistakes.Select(m => m.Kind).Distinct().Count());

        var result = ManifestChecker.Check("gen.site.yaml", site.Text);
        var found = result.All.Where(d => d.Code != "CL0302")
            .GroupBy(d => d.Code).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(site.ExpectedCodes, found.OrderBy(kv => kv.Key, StringComparer.Ordinal));

        var manifest = result.Documents[0].Manifest!;
        Assert.Equal(devices, manifest.Devices.Length);
        foreach (var mistake in site.Mistakes)
        {
            var span = manifest.Devices[mistake.Device].Node.Span;
            Assert.Contains(result.All, d => d.Code == mistake.Codes[0] && span.Contains(d.Span.Start));
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_text_and_another_seed_another()
    {
        var a = SiteGenerator.Generate(new SiteOptions(200, 20, Seed: 5));
        Assert.Equal(a.Text, SiteGenerator.Generate(new SiteOptions(200, 20, Seed: 5)).Text);
        Assert.NotEqual(a.Text, SiteGenerator.Generate(new SiteOptions(200, 20, Seed: 6)).Text);
        Assert.True(result(a).All.Count(d => d.Severity == DiagnosticSeverity.Error) > 0);

        static CheckResult result(GeneratedSite site) => ManifestChecker.Check("gen.site.yaml", site.Text);
    }
}
