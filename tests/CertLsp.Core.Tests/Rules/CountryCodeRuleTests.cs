using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0103: a two-letter country must be an ISO 3166-1 alpha-2 code in capitals.</summary>
public sealed class CountryCodeRuleTests
{
    [Fact]
    public void UK_is_reported_on_the_value_and_fixed_to_GB()
    {
        string text = Sites.With(("country: US", "country: UK"));
        var d = Checks.Expect(text, "CL0103", (5, 11, 5, 13), "UK",
            "“UK” is not an ISO 3166-1 alpha-2 country code; did you mean “GB” (United Kingdom)?");
        var fix = Assert.Single(d.Fixes);
        Assert.Equal("Change to “GB” (United Kingdom)", fix.Title);
        Assert.True(fix.IsPreferred);
        string fixedText = Checks.ApplyFix(text, d, fix);
        Assert.Equal(Sites.With(("country: US", "country: GB")), fixedText);
    }

    [Fact]
    public void A_lower_case_code_in_a_device_s_flow_mapping_is_upper_cased()
    {
        string text = Sites.With(("    instance: 1002\n", "    instance: 1002\n    subject: { locality: Paris, country: fr }\n"));
        var d = Checks.Expect(text, "CL0103", (20, 41, 20, 43), "fr", "The country code “fr” must be in capitals: “FR” (France).");
        string fixedText = Checks.ApplyOnlyFix(text, d);
        Assert.Contains("subject: { locality: Paris, country: FR }", fixedText, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_code_with_no_likely_meaning_has_no_fix()
    {
        string text = Sites.With(("country: US", "country: XX"));
        var d = Checks.Single(text, "CL0103");
        Assert.Equal("“XX” is not an ISO 3166-1 alpha-2 country code; use a code such as US, GB or DE.", d.Message);
        Assert.Empty(d.Fixes);
    }

    [Theory]
    [InlineData("US")]
    [InlineData("GB")]
    [InlineData("DE")]
    [InlineData("NO")]
    [InlineData("CH")]
    public void ISO_codes_pass(string code) => Checks.None(Sites.With(("country: US", $"country: {code}")), "CL0103");

    [Fact]
    public void A_code_of_another_length_is_left_to_the_length_rule()
    {
        string text = Sites.With(("country: US", "country: GBR"));
        Checks.None(text, "CL0103");
        Checks.Single(text, "CL0102");
    }
}
