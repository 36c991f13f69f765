using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0106: spaces at the start or end of a subject value, with a fix that trims them.</summary>
public sealed class SubjectSpacesRuleTests
{
    [Theory]
    [InlineData("\" Test Org\"")]
    [InlineData("\"Test Org \"")]
    [InlineData("'Test Org\u00A0'")]
    [InlineData("\"\u3000Test Org\"")]
    public void Spaces_around_a_default_are_a_warning_on_the_value_and_the_fix_trims_them(string yaml)
    {
        string text = Sites.With(("organization: Test Org", $"organization: {yaml}"));
        var d = Checks.Expect(text, "CL0106", (8, 16, 8, 16 + yaml.Length), yaml);
        Assert.Equal(Diagnostics.DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal(Sites.Clean, Checks.ApplyOnlyFix(text, d));
    }

    [Fact]
    public void A_device_override_is_checked_with_exact_ranges_in_crlf_text_after_non_ascii_and_tabs()
    {
        string text = Sites.With(("    address: 127.0.0.3\n",
            "    address: 127.0.0.3\n    subject: { state: Bayern,\tlocality: \"München \" }  # 😀\n")).Replace("\n", "\r\n",
            StringComparison.Ordinal);
        var d = Checks.Single(text, "CL0106");
        // “    subject: { state: Bayern,<tab>locality: ” is 40 UTF-16 units.
        Checks.AssertRange(text, d, (21, 40, 21, 50), "\"München \"");
        Assert.Contains("    subject: { state: Bayern,\tlocality: München }  # 😀\r\n", Checks.ApplyOnlyFix(text, d),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_values_only_spaces_and_control_characters_are_not_this_finding()
    {
        Checks.None(Sites.Clean, "CL0106");
        Checks.None(Sites.With(("organization: Test Org", "organization: \"   \"")), "CL0106"); // empty: CL0101
        Checks.None(Sites.With(("organization: Test Org", "organization: \"Test Org\\t\"")), "CL0106"); // a tab: CL0105
        Checks.None(Sites.With(("organization: Test Org", "organization: \"Test  Org\"")), "CL0106");
    }
}
