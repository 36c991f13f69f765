using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>
/// The three formats of <c>certlsp check</c> on one manifest with CRLF line breaks and non-ASCII text (é, a surrogate
/// pair, CJK) before the offending nodes, so positions must be UTF-16 columns. Expected positions are counted by hand:
/// line 4 is "  - { name: é🌡北, instance: -1 }" where "-1" starts at UTF-16 column 28 (zero-based).
/// </summary>
public sealed partial class OutputFormatTests : WithTempFolder
{
    private const string Manifest =
        "site: S\r\n" +
        "subject: { country: US, state: WI, locality: L, organization: O, organizationalUnit: U }\r\n" +
        "devices:\r\n" +
        "  - { name: é🌡北, instance: -1 }\r\n" +
        "  - name: AHU\r\n" +
        "  - name: ahu\r\n";

    private readonly string path;

    public OutputFormatTests() => path = Temp.Write("formats.site.yaml", Manifest);

    [GeneratedRegex(
        @"^(?<path>.+)\((?<line>[0-9]+),(?<col>[0-9]+)\): (?<severity>error|warning|info) (?<code>CL[0-9]{4}): (?<message>\S.*)$")]
    private static partial Regex TextLine();

    [Fact]
    public async Task Text_lines_have_the_shape_path_line_col_severity_code_message()
    {
        var outcome = await Cli.RunAsync("check", path);
        Assert.Equal(1, outcome.Exit);
        var lines = outcome.StdoutLines;
        Assert.Equal("1 manifest checked: 3 errors, 0 warnings.", lines[^1]);
        var findings = lines[..^1].Select(l => TextLine().Match(l)).ToList();
        Assert.All(findings, m => Assert.True(m.Success, $"not in the text shape: {m.Value}"));
        Assert.All(findings, m => Assert.Equal(path, m.Groups["path"].Value));
        var instance = Assert.Single(findings, m => m.Groups["code"].Value == "CL0602");
        Assert.Equal(("4", "29", "error"), (instance.Groups["line"].Value, instance.Groups["col"].Value,
            instance.Groups["severity"].Value));
        Assert.Equal(["5,11", "6,11"], findings.Where(m => m.Groups["code"].Value == "CL0201").Select(m =>
            $"{m.Groups["line"]},{m.Groups["col"]}"));
        Assert.Contains(findings, m => m.Groups["code"].Value == "CL0302" && m.Groups["severity"].Value == "info");
    }

    [Fact]
    public async Task Json_is_an_array_of_findings_with_LSP_ranges()
    {
        var outcome = await Cli.RunAsync("check", path, "--format", "json");
        Assert.Equal(1, outcome.Exit);
        using var json = JsonDocument.Parse(outcome.Stdout);
        Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);
        var findings = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(4, findings.Count);
        foreach (var f in findings)
        {
            Assert.Equal(path, f.GetProperty("file").GetString());
            Assert.Contains(f.GetProperty("severity").GetString(), new[] { "error", "warning", "info" });
            Assert.Matches("^CL[0-9]{4}$", f.GetProperty("code").GetString());
            Assert.False(string.IsNullOrWhiteSpace(f.GetProperty("message").GetString()));
            foreach (var end in new[] { "start", "end" })
            {
                var position = f.GetProperty("range").GetProperty(end);
                Assert.True(position.GetProperty("line").GetInt32() >= 0 && position.GetProperty("character").GetInt32() >= 0);
            }
        }
        var instance = Assert.Single(findings, f => f.GetProperty("code").GetString() == "CL0602");
        Assert.Equal("""{"start":{"line":3,"character":28},"end":{"line":3,"character":30}}""", Compact(instance.GetProperty("range")));
        var duplicate = findings.First(f => f.GetProperty("code").GetString() == "CL0201");
        Assert.Equal("""{"start":{"line":4,"character":10},"end":{"line":4,"character":13}}""", Compact(duplicate.GetProperty("range")));
        var related = Assert.Single(duplicate.GetProperty("related").EnumerateArray());
        Assert.Equal("""{"start":{"line":5,"character":10},"end":{"line":5,"character":13}}""", Compact(related.GetProperty("range")));
    }

    private static string Compact(JsonElement e) => JsonSerializer.Serialize(e);

    [Fact]
    public async Task Json_of_a_manifest_without_findings_is_an_empty_array()
    {
        var clean = Temp.Write("clean.site.yaml", "site: S\nsubject: {}\ndevices: []\n");
        var outcome = await Cli.RunAsync("check", clean, "--format", "json");
        Assert.Equal(0, outcome.Exit);
        Assert.Equal("[]", outcome.Stdout.Trim());
    }

    [Fact]
    public async Task Sarif_has_the_structure_SARIF_2_1_0_requires()
    {
        var outcome = await Cli.RunAsync("check", path, "--format", "sarif");
        Assert.Equal(1, outcome.Exit);
        using var json = JsonDocument.Parse(outcome.Stdout);
        SarifStructure.AssertValid(json.RootElement);
        var run = json.RootElement.GetProperty("runs")[0];
        Assert.Equal("utf16CodeUnits", run.GetProperty("columnKind").GetString());
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(4, results.Count);
        var instance = Assert.Single(results, r => r.GetProperty("ruleId").GetString() == "CL0602");
        var region = instance.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
        Assert.Equal((4, 29, 4, 31), (region.GetProperty("startLine").GetInt32(), region.GetProperty("startColumn").GetInt32(),
            region.GetProperty("endLine").GetInt32(), region.GetProperty("endColumn").GetInt32()));
        int offset = region.GetProperty("charOffset").GetInt32();
        Assert.Equal("-1", Manifest.Substring(offset, region.GetProperty("charLength").GetInt32()));
        Assert.Equal("note", results.Single(r => r.GetProperty("ruleId").GetString() == "CL0302").GetProperty("level").GetString());
        var duplicate = results.First(r => r.GetProperty("ruleId").GetString() == "CL0201");
        Assert.Equal(1, duplicate.GetProperty("relatedLocations").GetArrayLength());
        Assert.Equal(new Uri(path).AbsoluteUri, duplicate.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty(
            "artifactLocation").GetProperty("uri").GetString());
    }

    [Fact]
    public async Task Sarif_fixes_replace_exactly_the_offending_text()
    {
        var outcome = await Cli.RunAsync("check", path, "--format", "sarif");
        using var json = JsonDocument.Parse(outcome.Stdout);
        var duplicate = json.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Last(r => r.GetProperty("ruleId").GetString() == "CL0201");
        var replacement = duplicate.GetProperty("fixes")[0].GetProperty("artifactChanges")[0].GetProperty("replacements")[0];
        var deleted = replacement.GetProperty("deletedRegion");
        int start = deleted.GetProperty("charOffset").GetInt32(), length = deleted.GetProperty("charLength").GetInt32();
        var fixedText = Manifest[..start] + replacement.GetProperty("insertedContent").GetProperty("text").GetString()
            + Manifest[(start + length)..];
        var recheck = await Cli.RunAsync("check", Temp.Write("fixed.site.yaml", fixedText));
        Assert.DoesNotContain(recheck.StdoutLines, l => l.Contains("CL0201", StringComparison.Ordinal));
    }
}
