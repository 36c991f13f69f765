using System.Text.Json;
using CertLsp.Core.Configuration;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Configuration;

/// <summary>certlsp.json: levels applied to a check, off removes, and a file that is not valid is a CL0701 at its exact place.</summary>
public sealed class CheckSettingsTests
{
    // Sites.Clean has two devices: one CL0302 (the request plan), on “devices”.
    [Fact]
    public void Without_a_file_each_rule_has_its_catalog_severity()
    {
        var plan = Assert.Single(Checks.RunAll(Sites.Clean), d => d.Code == "CL0302");
        Assert.Equal(DiagnosticSeverity.Information, plan.Severity);
    }

    [Theory]
    [InlineData("error", DiagnosticSeverity.Error)]
    [InlineData("warning", DiagnosticSeverity.Warning)]
    [InlineData("information", DiagnosticSeverity.Information)]
    [InlineData("hint", DiagnosticSeverity.Hint)]
    public void A_level_sets_the_severity_and_keeps_code_and_range(string level, DiagnosticSeverity expected)
    {
        var before = Assert.Single(Checks.RunAll(Sites.Clean), d => d.Code == "CL0302");
        var after = Assert.Single(Checks.RunAll(Sites.Clean, config: $$"""{ "rules": { "CL0302": "{{level}}" } }"""), d =>
            d.Code == "CL0302");
        Assert.Equal(expected, after.Severity);
        Assert.Equal(before.Span, after.Span);
        Assert.Equal(DiagnosticSeverity.Information, after.Definition.Severity);
    }

    [Fact]
    public void Off_removes_the_rule_s_findings_and_only_those()
    {
        string text = Sites.With(("instance: 1002", "instance: 1001"));
        var all = Checks.RunAll(text);
        Assert.Contains(all, d => d.Code == "CL0601");
        var off = Checks.RunAll(text, config: """{ "rules": { "CL0601": "off" } }""");
        Assert.DoesNotContain(off, d => d.Code == "CL0601");
        Assert.Equal(all.Where(d => d.Code != "CL0601").Select(d => (d.Code, d.Span)), off.Select(d => (d.Code, d.Span)));
        Assert.False(Checks.Result(text, config: """{ "rules": { "CL0601": "off" } }""").HasErrors);
        Assert.True(Checks.Result(text).HasErrors);
    }

    [Fact]
    public void Comments_trailing_commas_and_a_schema_key_are_accepted()
    {
        var settings = CheckSettings.Parse("certlsp.json", """
            {
              // the plan is noise here
              "$schema": "../schemas/certlsp.schema.json",
              "rules": { "CL0302": "off", /* and */ "CL0405": "error", },
            }
            """);
        Assert.Empty(settings.Problems);
        Assert.Equal(RuleLevel.Off, settings.Levels["CL0302"]);
        Assert.Equal(RuleLevel.Error, settings.Levels["CL0405"]);
    }

    public static TheoryData<string, string, (int, int, int, int), string> NotValid() => new()
    {
        // text, what the range covers, (line, character, end line, end character) zero-based UTF-16
        { "{ \"rules\": { \"CL0302\": \"loud\" } }", "\"loud\"", (0, 23, 0, 29), "the level of “CL0302” is “loud”" },
        { "{ \"rules\": { \"CL0302\": 3 } }", "3", (0, 23, 0, 24), "the level of “CL0302” is not a string" },
        { "{\r\n\t\"rules\": {\r\n\t\t\"CL9999\": \"off\"\r\n\t}\r\n}", "\"CL9999\"", (2, 2, 2, 10),
            "“CL9999” is not a CertLsp diagnostic code" },
        { "{ \"ruels\": {} }", "\"ruels\"", (0, 2, 0, 9), "unknown key “ruels”" },
        { "{ \"rules\": [] }", "[", (0, 11, 0, 12), "“rules” must be an object" },
        { "[1]", "[", (0, 0, 0, 1), "must hold one JSON object" },
        { "", "", (0, 0, 0, 0), "the file is empty" },
        // Not JSON: the place the reader stopped, after non-ASCII text and a tab on the line.
        { "{\n\t\"$schema\": \"Kälte🏢\" \"rules\": {}\n}", "\"", (1, 22, 1, 23), "not valid JSON" },
        { "{ \"rules\": { \"CL0302\": \"off\" } } // Kälte 🏢\n}", "}", (1, 0, 1, 1), "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(NotValid))]
    public void A_file_that_is_not_valid_is_a_CL0701_at_the_place_and_never_throws(string text, string covered, (int, int, int, int) range,
        string says)
    {
        var settings = CheckSettings.Parse("certlsp.json", text);
        var problem = Assert.Single(settings.Problems);
        Assert.Equal("CL0701", problem.Code);
        Assert.Equal("certlsp.json", problem.Path);
        Checks.AssertRange(text, problem, range, covered);
        Assert.Contains(says, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_CL0701_is_reported_in_the_check_on_the_file_and_the_good_levels_still_apply()
    {
        const string config = """{ "rules": { "CL0302": "off", "CL0601": "loud" } }""";
        var result = Checks.Result(Sites.Clean, config: config);
        Assert.DoesNotContain(result.All, d => d.Code == "CL0302");
        var problem = Assert.Single(result.ByPath[Checks.ConfigPath]);
        Assert.Equal("CL0701", problem.Code);
        Assert.True(result.HasErrors);
        Assert.Equal([Checks.FilePath, Checks.ConfigPath], result.Files.Select(f => f.Path));
        Assert.Equal((0, 40, 0, 46), Checks.Range(config, problem.Span));
    }

    [Fact]
    public void The_level_of_CL0701_itself_can_be_set()
    {
        var result = Checks.Result(Sites.Clean, config: """{ "rules": { "CL0701": "warning", "CL0302": "loud" } }""");
        Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(result.ByPath[Checks.ConfigPath]).Severity);
        Assert.False(result.HasErrors);
    }

    [Fact]
    public void The_schema_lists_every_catalog_code_and_the_parser_s_levels()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("schemas", "certlsp.schema.json")));
        var rules = schema.RootElement.GetProperty("properties").GetProperty("rules");
        Assert.False(rules.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(DiagnosticCatalog.All.Select(d => d.Code), rules.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        var levels = schema.RootElement.GetProperty("definitions").GetProperty("level").GetProperty("enum").EnumerateArray().Select(e =>
            e.GetString());
        Assert.Equal(CheckSettings.LevelNames, levels);
        Assert.Equal(Enum.GetNames<RuleLevel>().Select(n => n.ToLowerInvariant()), CheckSettings.LevelNames);
    }
}
