using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0102: subject fields at most 64 characters, the country exactly 2; the CN without a domain at most 64.</summary>
public sealed class SubjectFieldLengthRuleTests
{
    [Fact]
    public void Sixty_four_characters_pass_and_sixty_five_are_reported_on_the_value()
    {
        string ok = new('o', 64), tooLong = new('o', 65);
        Checks.None(Sites.With(("organization: Test Org", $"organization: {ok}")), "CL0102");
        string text = Sites.With(("organization: Test Org", $"organization: {tooLong}"));
        _ = Checks.Expect(text, "CL0102", (8, 16, 8, 81), tooLong);
    }

    [Fact]
    public void Length_counts_characters_not_UTF16_units()
    {
        string emoji = string.Concat(Enumerable.Repeat("😀", 64));
        Checks.None(Sites.With(("locality: Milwaukee", $"locality: {emoji}")), "CL0102");
        string text = Sites.With(("locality: Milwaukee", $"locality: {emoji}é"));
        _ = Checks.Expect(text, "CL0102", (7, 12, 7, 12 + 129), emoji + "é");
    }

    [Fact]
    public void A_written_out_country_is_fixed_to_its_code()
    {
        string text = Sites.With(("country: US", "country: USA"));
        var d = Checks.Expect(text, "CL0102", (5, 11, 5, 14), "USA");
        Assert.Equal(Sites.Clean, Checks.ApplyOnlyFix(text, d));
        string germany = Sites.With(("country: US", "country: Germany"));
        Assert.Contains("  country: DE\n", Checks.ApplyOnlyFix(germany, Checks.Single(germany, "CL0102")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_one_letter_country_is_not_too_long_but_no_ISO_code_and_has_no_fix()
    {
        string text = Sites.With(("country: US", "country: Z"));
        Checks.None(text, "CL0102");
        var d = Checks.Expect(text, "CL0103", (5, 11, 5, 12), "Z");
        Assert.Empty(d.Fixes);
    }

    [Fact]
    public void Without_a_domain_the_device_name_is_the_CN_and_is_limited_to_64()
    {
        string name = new('N', 65);
        string text = Sites.With(("domain: bms.test.example\n", ""), ("name: AHU-2", $"name: {name}"));
        _ = Checks.Expect(text, "CL0102", (17, 10, 17, 75), name);
        // With a domain the full CN is judged by CL0203 instead.
        string withDomain = Sites.With(("name: AHU-2", $"name: {name}"));
        Checks.None(withDomain, "CL0102");
        Checks.Single(withDomain, "CL0203");
    }

    [Fact]
    public void Device_overrides_are_checked_too()
    {
        string text = Sites.With(("    instance: 1002\n",
            $"    instance: 1002\n    subject: {{ organizationalUnit: {new string('u', 70)} }}\n"));
        _ = Checks.Expect(text, "CL0102", (20, 35, 20, 105), new string('u', 70));
    }

    [Fact]
    public void A_long_value_is_cut_in_the_message_but_never_inside_a_character()
    {
        string ou = string.Concat(Enumerable.Repeat("😀", 65));
        var d = Checks.Single(Sites.With(("organizationalUnit: Facilities", $"organizationalUnit: {ou}")), "CL0102");
        Assert.DoesNotContain(System.Text.Rune.ReplacementChar, d.Message.EnumerateRunes()); // a lone surrogate reads as U+FFFD
    }
}
