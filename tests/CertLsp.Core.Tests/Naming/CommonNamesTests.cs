using CertLsp.Core.Checking;
using CertLsp.Core.Naming;
using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Naming;

/// <summary>The one place CNs are computed: name or commonName, the domain appended once, compared case-insensitively.</summary>
public sealed class CommonNamesTests
{
    [Theory]
    [InlineData("AHU-1", "bms.example", "AHU-1.bms.example")]
    [InlineData("AHU-1.bms.example", "bms.example", "AHU-1.bms.example")]
    [InlineData("AHU-1.BMS.Example", "bms.example", "AHU-1.BMS.Example")]
    [InlineData("bms.example", "bms.example", "bms.example")]
    [InlineData("xbms.example", "bms.example", "xbms.example.bms.example")]
    [InlineData("AHU-1.bms.example.org", "bms.example", "AHU-1.bms.example.org.bms.example")]
    [InlineData(" AHU-1 ", "bms.example", "AHU-1.bms.example")]
    [InlineData("AHU-1", null, "AHU-1")]
    [InlineData("AHU-1", "", "AHU-1")]
    public void The_domain_is_appended_once(string name, string? domain, string expected) =>
        Assert.Equal(expected, CommonNames.Compose(name, domain));

    [Fact]
    public void The_CN_comes_from_commonName_else_name_with_the_domain_s_trailing_dot_dropped()
    {
        string text = Sites.With(("domain: bms.test.example", "domain: bms.test.example."),
            ("  - name: AHU-2\n", "  - name: AHU-2\n    commonName: air-2\n"));
        var manifest = ManifestDocument.Parse("cn.site.yaml", text).Manifest!;
        var first = CommonNames.For(manifest, manifest.Devices[0])!;
        var second = CommonNames.For(manifest, manifest.Devices[1])!;
        Assert.Equal("AHU-1.bms.test.example", first.Value);
        Assert.Same(manifest.Devices[0].Name, first.Source);
        Assert.Equal("air-2.bms.test.example", second.Value);
        Assert.Same(manifest.Devices[1].CommonName, second.Source);
    }

    [Fact]
    public void A_device_without_a_name_has_no_CN()
    {
        var manifest = ManifestDocument.Parse("cn.site.yaml", Sites.With(("  - name: AHU-2\n", "  - batch: x\n"))).Manifest!;
        Assert.Null(CommonNames.For(manifest, manifest.Devices[1]));
    }

    [Theory]
    [InlineData("AHU-1.bms.example", "ahu-1.BMS.EXAMPLE")]
    [InlineData("Kältemaschine-1", "KÄLTEMASCHINE-1")]
    [InlineData("ÉCOLE", "école")]
    public void Comparison_ignores_case(string a, string b)
    {
        Assert.True(CommonNames.Comparer.Equals(a, b));
        Assert.Equal(CommonNames.Comparer.GetHashCode(a), CommonNames.Comparer.GetHashCode(b));
        var source = new Yaml.YamlScalar(default, a, Yaml.ScalarStyle.Plain, Yaml.ScalarType.String);
        Assert.Equal(new CommonName(a, source).ComparisonKey, new CommonName(b, source).ComparisonKey);
    }

    [Theory]
    [InlineData("AHU-1", "AHU-2")]
    [InlineData("AHU-1", "AHU-1.")]
    [InlineData("Kältemaschine", "Kaltemaschine")]
    public void Different_names_stay_different(string a, string b) => Assert.False(CommonNames.Comparer.Equals(a, b));
}
