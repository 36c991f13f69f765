using System.Text.RegularExpressions;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Tests.Baselines;
using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Catalog;

/// <summary>The catalog: codes unique and well-formed, each documented, each seen in a baseline, links to the right anchor.</summary>
public sealed partial class DiagnosticCatalogTests
{
    public static TheoryData<string> Codes() => [.. DiagnosticCatalog.All.Select(d => d.Code)];

    [Fact]
    public void Codes_are_unique_and_well_formed()
    {
        Assert.NotEmpty(DiagnosticCatalog.All);
        Assert.All(DiagnosticCatalog.All, d => Assert.Matches(CodePattern(), d.Code));
        Assert.All(DiagnosticCatalog.All, d => Assert.False(string.IsNullOrWhiteSpace(d.Title), $"{d.Code} has no title"));
        var repeated = DiagnosticCatalog.All.GroupBy(d => d.Code).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, "codes defined twice: " + string.Join(", ", repeated));
    }

    [Fact]
    public void The_catalog_has_every_code_the_rules_of_this_issue_report()
    {
        string[] expected =
        [
            "CL0001", "CL0002", "CL0003", "CL0004", "CL0101", "CL0102", "CL0103", "CL0104", "CL0105",
            "CL0201", "CL0203", "CL0204", "CL0301", "CL0302", "CL0501", "CL0601", "CL0602", "CL0603",
        ];
        Assert.All(expected, code => Assert.NotNull(DiagnosticCatalog.Find(code)));
        Assert.Null(DiagnosticCatalog.Find("CL9999"));
    }

    [Fact]
    public void Every_code_has_a_documentation_section_and_every_section_a_code()
    {
        var documented = DiagnosticsDoc.Sections.Select(s => s.Code).ToList();
        var catalog = DiagnosticCatalog.All.Select(d => d.Code).ToList();
        Assert.Empty(catalog.Except(documented));
        Assert.Empty(documented.Except(catalog));
        Assert.Equal(documented.Count, documented.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void The_section_has_the_catalog_title_and_severity(string code)
    {
        var definition = DiagnosticCatalog.Find(code)!;
        var section = DiagnosticsDoc.Find(code);
        Assert.NotNull(section);
        Assert.Equal(definition.Title, section.Title);
        Assert.Equal(definition.Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            DiagnosticSeverity.Hint => "hint",
            _ => "information",
        }, section.Severity);
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void The_documentation_link_points_at_the_code_s_anchor(string code)
    {
        var uri = DiagnosticCatalog.Find(code)!.DocumentationUri;
        Assert.Equal(DiagnosticCatalog.DocumentationUriFor(code), uri);
        Assert.EndsWith("/docs/diagnostics.md", uri.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal("#" + code.ToLowerInvariant(), uri.Fragment);
        var section = DiagnosticsDoc.Find(code);
        Assert.NotNull(section);
        Assert.Equal(uri.Fragment[1..], section.Anchor);
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_code_appears_in_a_baseline(string code)
    {
        var seen = Directory.GetFiles(RepoPaths.Baselines, BaselineTests.ExpectedFile, SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .Where(l => !l.StartsWith(' '))
            .Select(l => BaselineCode().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToHashSet();
        Assert.Contains(code, seen);
    }

    [Fact]
    public void Every_diagnostic_a_baseline_reports_is_a_catalog_definition()
    {
        foreach (var name in BaselineTests.CaseNames())
        {
            foreach (var d in BaselineTests.CheckCase(name).All)
            {
                Assert.Same(DiagnosticCatalog.Find(d.Code), d.Definition);
                Assert.False(string.IsNullOrWhiteSpace(d.Message));
            }
        }
    }

    [GeneratedRegex("^CL[0-9]{4}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"^\S+\(\d+,\d+\)-\(\d+,\d+\): \w+ (CL\d{4}): ")]
    private static partial Regex BaselineCode();
}
