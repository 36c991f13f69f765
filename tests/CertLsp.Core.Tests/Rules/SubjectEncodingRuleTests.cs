using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0105: C is a PrintableString, emailAddress an IA5String, the rest UTF8String without control characters.</summary>
public sealed class SubjectEncodingRuleTests
{
    [Fact]
    public void A_non_ASCII_email_is_reported_naming_the_character()
    {
        string text = Sites.With(("email: bms@test.example", "email: bücher@test.example"));
        _ = Checks.Expect(text, "CL0105", (10, 9, 10, 28), "bücher@test.example");
    }

    [Fact]
    public void A_country_character_outside_PrintableString_is_reported()
    {
        string text = Sites.With(("country: US", "country: \"U*\""));
        _ = Checks.Expect(text, "CL0105", (5, 11, 5, 15), "\"U*\"");
    }

    [Fact]
    public void A_tab_inside_a_value_is_a_control_character_shown_escaped_in_the_message()
    {
        string text = Sites.With(("organization: Test Org", "organization: \"Test\tOrg\""));
        var d = Checks.Expect(text, "CL0105", (8, 16, 8, 26), "\"Test\tOrg\"");
        Assert.DoesNotContain(d.Message, char.IsControl);
    }

    [Fact]
    public void A_control_character_in_a_device_name_is_reported_on_the_name()
    {
        string text = Sites.With(("name: AHU-2", "name: \"AHU\\u00072\""));
        _ = Checks.Expect(text, "CL0105", (18, 10, 18, 22), "\"AHU\\u00072\"");
    }

    [Fact]
    public void Non_ASCII_letters_and_emoji_are_fine_in_UTF8String_fields() =>
        Checks.None(Sites.With(("locality: Milwaukee", "locality: Zürich 😀 東京"), ("name: AHU-2", "name: Kältemaschine-1")), "CL0105");

    [Fact]
    public void The_line_break_a_block_scalar_keeps_is_not_part_of_the_CN() =>
        Checks.None(Sites.With(("name: AHU-2", "name: >\n      AHU-2")), "CL0105");

    [Theory]
    [InlineData(Manifest.SubjectEncoding.Utf8String)]
    [InlineData(Manifest.SubjectEncoding.Ia5String)]
    public void Printable_ASCII_is_allowed_in_UTF8String_and_IA5String_fields_as_the_rule_s_shortcut_assumes(
        Manifest.SubjectEncoding encoding)
    {
        for (char c = ' '; c <= '~'; c++) Assert.True(Core.Rules.SubjectEncodingRule.Allowed(encoding, new System.Text.Rune(c)),
            $"U+{(int)c:X4}");
        // DEL, just past "~", is a control character
        Assert.False(Core.Rules.SubjectEncodingRule.Allowed(encoding, new System.Text.Rune('\u007F')));
    }
}
