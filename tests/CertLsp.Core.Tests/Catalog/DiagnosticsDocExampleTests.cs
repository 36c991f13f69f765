using CertLsp.Core.Diagnostics;
using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Catalog;

/// <summary>docs/diagnostics.md's examples are true: each Bad manifest yields its code, each Good one does not (nor any error).</summary>
public sealed class DiagnosticsDocExampleTests
{
    public static TheoryData<string> Codes() => [.. DiagnosticsDoc.Sections.Select(s => s.Code)];

    [Theory]
    [MemberData(nameof(Codes))]
    public void The_bad_example_yields_its_code(string code)
    {
        var section = DiagnosticsDoc.Find(code)!;
        Assert.True(section.Bad is not null, $"{code} has no \"Bad:\" yaml example");
        var found = Checks.RunAll(section.Bad, section.BadLedger, section.BadConfig);
        Assert.True(found.Any(d => d.Code == code), $"the Bad example of {code} does not yield it; it yields:\n{string.Join("\n", found)}");
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void The_good_example_yields_neither_its_code_nor_any_error(string code)
    {
        var section = DiagnosticsDoc.Find(code)!;
        Assert.True(section.Good is not null, $"{code} has no \"Good:\" yaml example");
        var found = Checks.RunAll(section.Good, section.GoodLedger, section.GoodConfig);
        Assert.DoesNotContain(found, d => d.Code == code);
        Assert.DoesNotContain(found, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void The_parser_finds_the_examples_it_is_given()
    {
        // Guards the tests above against a parser that finds nothing and so checks nothing.
        var sections = DiagnosticsDoc.Parse(
            "<a id=\"cl0999\"></a>\n## CL0999: Test\n\nSeverity: **error**\n\nBad:\n\n```yaml\na: 1\n```\n\nGood:\n\n```yaml\nb: 2\n```\n");
        var section = Assert.Single(sections);
        Assert.Equal(("cl0999", "CL0999", "Test", "error", "a: 1\n", "b: 2\n"),
            (section.Anchor, section.Code, section.Title, section.Severity, section.Bad, section.Good));
        Assert.Equal(DiagnosticCatalog.All.Length, DiagnosticsDoc.Sections.Count);
    }
}
