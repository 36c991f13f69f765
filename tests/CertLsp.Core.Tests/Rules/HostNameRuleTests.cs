using CertLsp.Core.Naming;
using CertLsp.Core.Tests.Support;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0206: with a domain appended (or a dot of its own) a CN must be a host name, and never a wildcard.</summary>
public sealed class HostNameRuleTests
{
    [Theory]
    [InlineData("\"*\"", "*", null)]
    [InlineData("AHU 1/2", "AHU 1/2", "AHU-1-2")]
    [InlineData("../../escape", "../../escape", "escape")]
    [InlineData("AHU:1*", "AHU:1*", "AHU-1")]
    [InlineData("Kältemaschine", "Kältemaschine", "Kaltemaschine")]
    [InlineData("東京-😀", "東京-😀", null)]
    [InlineData("ahu_1", "ahu_1", "ahu-1")]
    [InlineData("-ahu", "-ahu", "ahu")]
    [InlineData("ahu..1", "ahu..1", "ahu.1")]
    [InlineData("xn--zz", "xn--zz", "xn-zz")]
    public void Names_that_are_not_host_labels_are_refused_on_the_name_with_a_sanitised_common_name(string yaml, string name, string? label)
    {
        string text = Sites.With(("name: AHU-1", $"name: {yaml}"));
        _ = name + ".bms.test.example";
        var d = Checks.Expect(text, "CL0206", (15, 10, 15, 10 + yaml.Length), yaml);
        if (label is null)
        {
            Assert.Empty(d.Fixes);
            return;
        }
        string fixedText = Checks.ApplyOnlyFix(text, d);
        Assert.Equal(Sites.With(("name: AHU-1", $"name: {yaml}\n    commonName: {label}")), fixedText);
        Checks.None(fixedText, "CL0206");
    }

    [Fact]
    public void A_wildcard_is_refused_without_a_domain_and_other_names_are_not_judged_as_host_names_then()
    {
        string noDomain = Sites.With(("domain: bms.test.example\n", ""));
        _ = Checks.Single(Sites.Change(noDomain, ("name: AHU-1", "name: \"AHU-*\"")), "CL0206");
        Checks.None(Sites.Change(noDomain, ("name: AHU-1", "name: Boiler Room 1/2")), "CL0206");
        // A dot makes the CN a DNS name even without a domain.
        _ = Checks.Single(Sites.Change(noDomain, ("name: AHU-1", "name: ahu 1.north")), "CL0206");
    }

    [Fact]
    public void An_existing_common_name_is_replaced_and_the_sanitised_name_is_made_unique()
    {
        string text = Sites.With(("name: AHU-1", "name: AHU-1x\n    commonName: AHU 2"));
        var d = Checks.Expect(text, "CL0206", (16, 16, 16, 21), "AHU 2");
        // “AHU-2” is the other device's CN: the fix takes “AHU-2-2”.
        Assert.Equal(Sites.With(("name: AHU-1", "name: AHU-1x\n    commonName: AHU-2-2")), Checks.ApplyOnlyFix(text, d));
    }

    [Fact]
    public void A_name_that_already_ends_with_the_domain_is_judged_by_its_own_part_and_valid_names_pass()
    {
        Checks.None(Sites.With(("name: AHU-1", "name: ahu-1.north.bms.test.example")), "CL0206");
        Checks.None(Sites.With(("name: AHU-1", "name: xn--bckerei-5wa")), "CL0206");
        Checks.None(Sites.With(("name: AHU-1", "name: \"1001\"")), "CL0206");
        _ = Checks.Single(Sites.With(("name: AHU-1", "name: ahu_1.bms.test.example")), "CL0206");
        // An invalid domain is CL0204's finding alone.
        string badDomain = Sites.With(("domain: bms.test.example", "domain: bms_test.example"));
        Checks.None(badDomain, "CL0206");
    }

    [Fact]
    public void Ranges_are_exact_with_crlf_tabs_and_non_ascii_before_the_name()
    {
        string text = Sites.With(("address: 127.0.0.3\n",
            "address: 127.0.0.3\n  - { batch: 東京😀, name: \"Käl\tte 1\", instance: 7 }  # é\n"), ("ca:", "# 😀 é\nca:")).Replace("\n",
            "\r\n", StringComparison.Ordinal);
        var d = Checks.Single(text, "CL0206");
        // Line 22 (0-based) after the added comment line; “  - { batch: 東京😀, name: ” is 25 UTF-16 units (😀 is two); the tab in the value
        // counts as one.
        Checks.AssertRange(text, d, (22, 25, 22, 35), "\"Käl\tte 1\"");
        string fixedText = Checks.ApplyOnlyFix(text, d);
        Assert.Equal("  - { batch: 東京😀, name: \"Käl\tte 1\", instance: 7, commonName: Kal-te-1 }  # é", fixedText.Split("\r\n")[22]);
    }

    [Theory]
    [InlineData("AHU 1/2", "AHU-1-2")]
    [InlineData("../../escape", "escape")]
    [InlineData("AHU:1*", "AHU-1")]
    [InlineData("Éclairage  Süd", "Eclairage-Sud")]
    [InlineData("*", "")]
    [InlineData("a.-b-.c", "a.b.c")]
    public void Sanitise_makes_host_names(string name, string expected)
    {
        string sanitized = HostNames.Sanitize(name);
        Assert.Equal(expected, sanitized);
        if (sanitized.Length > 0) Assert.Null(HostNames.DevicePartProblem(sanitized));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("AHU 1/2")]
    [InlineData("../../escape")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("AHU:1*")]
    [InlineData("Kältemaschine-😀")]
    [InlineData("a\\b")]
    [InlineData("CON")]
    [InlineData("nul.bms.test.example")]
    [InlineData("COM1")]
    [InlineData("ahu.")]
    public void Names_made_into_file_names_stay_one_file_inside_their_folder(string name)
    {
        string safe = SafeNames.For(name);
        string folder = Path.Combine(Path.GetTempPath(), "keys");
        foreach (string file in new[] { safe, safe + ".pem", safe + ".chain.pem", safe + ".p12" })
        {
            Assert.Equal(folder, Path.GetDirectoryName(Path.GetFullPath(Path.Combine(folder, file))));
        }
        Assert.DoesNotContain('/', safe);
        Assert.DoesNotContain('\\', safe);
        Assert.DoesNotContain(':', safe);
        Assert.DoesNotContain('*', safe);
        Assert.False(safe.StartsWith('.') || safe.EndsWith('.'), safe);
        // Windows opens a device for CON, NUL.pem, COM1 … whatever the folder.
        Assert.DoesNotMatch("^(?i)(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\\.|$)", safe);
    }
}
