using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Core.Tests.Support;

/// <summary>The helpers other tests rely on do what they say (so a test built on them can fail).</summary>
public sealed class SupportTests
{
    [Fact]
    public void The_clean_site_has_no_errors_and_its_lines_are_where_the_rule_tests_expect()
    {
        Assert.Empty(Checks.Errors(Sites.Clean));
        var lines = Sites.Clean.Split('\n');
        Assert.Equal("  country: US", lines[5]);
        Assert.Equal("devices:", lines[14]);
        Assert.Equal("  - name: AHU-1", lines[15]);
        Assert.Equal("    address: 127.0.0.3", lines[20]);
    }

    [Fact]
    public void Edits_are_applied_against_the_original_text_from_the_end_backwards()
    {
        // Both spans refer to "abcdef"; applied front to back the second would land in the wrong place.
        var edits = new[] { new TextEdit("f", new TextSpan(1, 1), "XYZ"), new TextEdit("f", new TextSpan(4, 0), "-") };
        Assert.Equal("aXYZcd-ef", Edits.Apply("abcdef", edits));
        Assert.Equal("aXYZcd-ef", Edits.Apply("abcdef", edits.Reverse()));
    }

    [Fact]
    public void Overlapping_edits_are_refused()
    {
        var edits = new[] { new TextEdit("f", new TextSpan(1, 3), "x"), new TextEdit("f", new TextSpan(2, 1), "y") };
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Edits.Apply("abcdef", edits));
    }

    [Fact]
    public void A_fix_that_leaves_its_diagnostic_or_adds_an_error_is_caught()
    {
        string text = Sites.With(("country: US", "country: UK"));
        var d = Checks.Single(text, "CL0103");
        var useless = new Fix("no-op", [new TextEdit(Checks.FilePath, new TextSpan(0, 0), "")]);
        var harmful = new Fix("harmful", [new TextEdit(Checks.FilePath, d.Span, "GB"),
            new TextEdit(Checks.FilePath, new TextSpan(0, 0), "bogus: 1\n")]);
        var withFixes = d with { Fixes = [useless, harmful] };
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Checks.ApplyFix(text, withFixes, useless));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Checks.ApplyFix(text, withFixes, harmful));
    }

    [Fact]
    public void Ranges_are_zero_based_lines_and_utf16_characters()
    {
        string text = "a: 😀\r\nb: é x\n";
        Assert.Equal((1, 5, 1, 6), Checks.Range(text, new TextSpan(text.IndexOf('x'), 1)));
        Assert.Equal((0, 3, 0, 5), Checks.Range(text, new TextSpan(3, 2)));
    }
}
