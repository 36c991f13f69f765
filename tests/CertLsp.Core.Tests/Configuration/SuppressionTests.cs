using CertLsp.Core.Diagnostics;
using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Configuration;

/// <summary># certlsp-disable-next-line: the finding on the next line goes; a comment that suppresses nothing is a CL0702 hint on the
/// comment.</summary>
public sealed class SuppressionTests
{
    private static readonly string Duplicate = Sites.With(("instance: 1002", "instance: 1001"));

    [Fact]
    public void The_comment_suppresses_the_named_code_on_the_next_line_only()
    {
        var duplicate = Checks.Single(Duplicate, "CL0601");
        Assert.Equal(19, Checks.Range(Duplicate, duplicate.Span).Item1);
        string text = Sites.Change(Duplicate, ("    instance: 1001\n    address: 127.0.0.3",
            "    # certlsp-disable-next-line CL0601\n    instance: 1001\n    address: 127.0.0.3"));
        Checks.None(text, "CL0601");
        Checks.None(text, "CL0702");
        // The same comment one line higher names a line without that finding.
        string early = Sites.Change(Duplicate, ("  - name: AHU-2", "  # certlsp-disable-next-line CL0601\n  - name: AHU-2"));
        Checks.Single(early, "CL0601");
        Checks.Expect(early, "CL0702", (18, 2, 18, 36), "# certlsp-disable-next-line CL0601");
    }

    [Theory]
    [InlineData("CL0601,CL0302")]
    [InlineData("CL0601 CL0302")]
    [InlineData("CL0601 ,\tCL0302")]
    public void Several_codes_comma_or_space_separated(string codes)
    {
        string text = Sites.Change(Duplicate, ("    instance: 1001\n    address: 127.0.0.3",
            $"    # certlsp-disable-next-line {codes}\n    instance: 1001\n    address: 127.0.0.3"));
        Checks.None(text, "CL0601");
        var unused = Checks.Single(text, "CL0702");
        Assert.Equal(DiagnosticSeverity.Hint, unused.Severity);
        Assert.Contains("“CL0302”", unused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CL0601", unused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_CRLF_tabs_and_non_ASCII_the_ranges_are_exact()
    {
        // CRLF line ends, a tab between the codes and after the comment, non-ASCII text on the line before and in the comment's reason.
        string text = Sites.Change(Duplicate,
            ("  - name: AHU-2", "  - name: Kälte-🏢 # Süd"),
            ("    instance: 1001\n    address: 127.0.0.3",
                "    # certlsp-disable-next-line\tCL0601 CL0401 -- Kälte 🏢 \t\n    instance: 1001\n    address: 127.0.0.3"))
            .Replace("\n", "\r\n", StringComparison.Ordinal);
        Checks.None(text, "CL0601");
        var unused = Checks.Single(text, "CL0702");
        Checks.AssertRange(text, unused, (19, 4, 19, 57), "# certlsp-disable-next-line\tCL0601 CL0401 -- Kälte 🏢");
        Assert.Contains("“CL0401”", unused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Kälte", unused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_comment_without_codes_suppresses_nothing_and_says_so()
    {
        string text = Sites.Change(Duplicate, ("    instance: 1001\n    address: 127.0.0.3",
            "    #certlsp-disable-next-line\n    instance: 1001\n    address: 127.0.0.3"));
        Checks.Single(text, "CL0601");
        Checks.Expect(text, "CL0702", (19, 4, 19, 30), "#certlsp-disable-next-line");
    }

    [Theory]
    [InlineData("    # certlsp-disable-next-lines CL0601")]
    [InlineData("    name2: x # certlsp-disable-next-line CL0601")]
    [InlineData("    # see certlsp-disable-next-line CL0601")]
    public void Only_a_comment_line_starting_with_the_directive_counts(string line)
    {
        string text = Sites.Change(Duplicate, ("    instance: 1001\n    address: 127.0.0.3", line
            + "\n    instance: 1001\n    address: 127.0.0.3"));
        Checks.Single(text, "CL0601");
        Checks.None(text, "CL0702");
    }

    [Fact]
    public void A_level_applies_to_the_hint_too()
    {
        string text = Sites.Change(Sites.Clean, ("devices:", "# certlsp-disable-next-line CL0201\ndevices:"));
        Assert.Contains(Checks.RunAll(text), d => d.Code == "CL0702");
        Assert.DoesNotContain(Checks.RunAll(text, config: """{ "rules": { "CL0702": "off" } }"""), d => d.Code == "CL0702");
    }

    [Fact]
    public void A_workspace_finding_is_suppressed_in_the_file_it_is_reported_in()
    {
        string text = Sites.With(("  - name: AHU-2", "  # certlsp-disable-next-line CL0201\n  - name: AHU-1"));
        Assert.Single(Checks.OfCode(text, "CL0201"));
        Checks.None(text, "CL0702");
    }
}
