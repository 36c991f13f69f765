using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0101: C, ST, L, O, OU set (and not empty) for every device, by the defaults or the device.</summary>
public sealed class SubjectMandatoryRuleTests
{
    [Fact]
    public void A_field_no_device_has_is_reported_once_on_subject_and_the_fix_adds_it_to_the_defaults()
    {
        string text = Sites.With(("  organizationalUnit: Facilities\n", ""));
        var d = Checks.Expect(text, "CL0101", (4, 0, 4, 7), "subject");
        var fix = Assert.Single(d.Fixes);
        Assert.Equal("Add “organizationalUnit” to the subject defaults", fix.Title);
        string fixedText = Edits.Apply(Checks.FilePath, text, fix);
        Assert.Contains("  email: bms@test.example\n  organizationalUnit: \"\"\nkey:", fixedText, StringComparison.Ordinal);
        // The fix inserts a placeholder to fill in: what remains is exactly the request to fill it, on the placeholder.
        var remaining = Assert.Single(Checks.Errors(fixedText));
        Checks.AssertRange(fixedText, remaining, (10, 22, 10, 24), "\"\"");
        Assert.Empty(Checks.Errors(fixedText.Replace("organizationalUnit: \"\"", "organizationalUnit: Facilities",
            StringComparison.Ordinal)));
    }

    [Fact]
    public void A_field_only_some_devices_lack_is_reported_on_each_of_them()
    {
        string text = Sites.With(("  state: Wisconsin\n", ""),
            ("    instance: 1001\n", "    instance: 1001\n    subject: { state: Illinois }\n"));
        var d = Checks.Expect(text, "CL0101", (18, 10, 18, 15), "AHU-2");
        string fixedText = Edits.Apply(Checks.FilePath, text, Assert.Single(d.Fixes));
        Assert.Contains("  email: bms@test.example\n  state: \"\"\n", fixedText, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_subject_the_finding_is_on_the_first_key_and_the_fix_adds_the_subject_mapping()
    {
        string text = Sites.With((
            "subject:\n  country: US\n  state: Wisconsin\n  locality: Milwaukee\n  organization: Test Org\n  organizationalUnit: " +
            "Facilities\n  email: bms@test.example\n", ""));
        var found = Checks.OfCode(text, "CL0101");
        Assert.Equal(5, found.Length);
        Assert.All(found, d => Checks.AssertRange(text, d, (0, 0, 0, 4), "site"));
        var country = Assert.Single(found, d => d.Fixes.SelectMany(f => f.Edits).Any(e =>
            e.NewText.Contains("country", StringComparison.Ordinal)));
        var fix = Assert.Single(country.Fixes);
        Assert.Equal("Add the subject defaults", fix.Title);
        string fixedText = Edits.Apply(Checks.FilePath, text, fix);
        Assert.EndsWith("    address: 127.0.0.3\nsubject: { country: \"\" }\n", fixedText, StringComparison.Ordinal);
        var after = Checks.OfCode(fixedText, "CL0101");
        // Four fields still missing on “subject”, and the country added empty is reported on its value.
        Assert.Equal(4, after.Count(d => Checks.At(fixedText, d.Span) == "subject"));
        Assert.Single(after, d => Checks.At(fixedText, d.Span) == "\"\"");
    }

    [Fact]
    public void Device_overrides_satisfy_the_rule() =>
        Checks.None(Sites.With(("  locality: Milwaukee\n", ""),
            ("    instance: 1001\n", "    instance: 1001\n    subject: { locality: Madison }\n"),
            ("    instance: 1002\n", "    instance: 1002\n    subject:\n      locality: Green Bay\n")), "CL0101");

    [Theory]
    [InlineData("state: \"\"", 11)]
    [InlineData("state: \"   \"", 14)]
    [InlineData("country: \"\"", 13)]
    [InlineData("country: \"  \"", 15)]
    public void An_empty_value_is_reported_on_the_value_and_by_no_other_rule(string replacement, int end)
    {
        string key = replacement[..replacement.IndexOf(':')];
        string text = Sites.With(($"{key}: {(key == "state" ? "Wisconsin" : "US")}", replacement));
        int line = key == "state" ? 6 : 5;
        _ = Checks.Expect(text, "CL0101", (line, key.Length + 4, line, end), replacement[(key.Length + 2)..]);
        Assert.Single(Checks.Errors(text));
    }

    [Fact]
    public void The_optional_email_may_be_absent() => Checks.None(Sites.With(("  email: bms@test.example\n", "")), "CL0101");

    [Fact]
    public void A_subject_that_is_not_a_mapping_gets_no_fix_that_would_add_a_second_subject_key()
    {
        string text = "site: A\nsubject: []\ndevices:\n  - name: X\n";
        Checks.Expect(text, "CL0003", (1, 9, 1, 11), "[]");
        var found = Checks.OfCode(text, "CL0101");
        Assert.Equal(5, found.Length);
        Assert.All(found, d => Assert.Empty(d.Fixes));
    }
}
