using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0204: the site's domain must be a valid DNS name.</summary>
public sealed class DomainNameRuleTests
{
    [Theory]
    [InlineData("bms_test.example")]
    [InlineData("bms..example")]
    [InlineData("-bms.example")]
    [InlineData("10.0.0.1")]
    [InlineData("bäckerei.example")]
    public void Invalid_domains_are_reported_on_the_value_with_the_reason_and_no_fix(string domain)
    {
        string text = Sites.With(("domain: bms.test.example", $"domain: {domain}"));
        var d = Checks.Expect(text, "CL0204", (1, 8, 1, 8 + domain.Length), domain);
        Assert.Empty(d.Fixes);
    }

    [Fact]
    public void A_label_longer_than_63_is_reported()
    {
        string label = new('a', 64);
        _ = Checks.Single(Sites.With(("domain: bms.test.example", $"domain: {label}.example")), "CL0204");
        string odd = "a" + string.Concat(Enumerable.Repeat("😀", 40));
        _ = Checks.Single(Sites.With(("domain: bms.test.example", $"domain: {odd}.example")), "CL0204");
    }

    [Fact]
    public void Stray_dots_and_capitals_are_fixed()
    {
        string text = Sites.With(("domain: bms.test.example", "domain: .BMS.Test.example."));
        var d = Checks.Expect(text, "CL0204", (1, 8, 1, 26), ".BMS.Test.example.");
        Assert.Equal(Sites.Clean, Checks.ApplyOnlyFix(text, d));
    }

    [Fact]
    public void Spaces_around_the_domain_are_reported_and_trimmed_by_the_fix()
    {
        string text = Sites.With(("domain: bms.test.example", "domain: \" bms.test.example\""));
        var d = Checks.Single(text, "CL0204");
        Assert.Equal(Sites.Clean, Checks.ApplyOnlyFix(text, d));
    }

    [Theory]
    [InlineData("bms.test.example")]
    [InlineData("BMS.Test.Example")]
    [InlineData("bms.test.example.")]
    [InlineData("xn--bckerei-5wa.example")]
    public void Valid_domains_pass(string domain) => Checks.None(Sites.With(("domain: bms.test.example", $"domain: {domain}")), "CL0204");
}
