using System.Text.Json;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>
/// certlsp check with a workspace's certlsp.json (levels change the output and the exit code; off removes), suppression comments,
/// a certlsp.json that is not valid (CL0701 at its line and column, never a crash) and an untrusted ledger (CL0405) in every format.
/// </summary>
public sealed class CheckConfigTests : WithTempFolder
{
    private const string Duplicate =
        "site: S\nsubject: { country: US, state: WI, locality: Milwaukee, organization: O, organizationalUnit: U }\ndevices:\n"
        + "  - { name: A, instance: 1 }\n  - { name: B, instance: 1 }\n";

    private const string Ledger = """
        ledger: 1

        device: A
          cn: A
          status: valid
          certificate-serial: 4A14
          certificate-issuer: CN=Riverside Issuing CA, O=Riverside Health
          certificate-not-before: 2026-11-21T00:00:00Z
          certificate-not-after: 2099-11-21T00:00:00Z
          certificate-sha256: sha256:3f1c0a9e5b7d2468ace0f13579bdf02468ace13579bdf02468ace13579bdf024
          certificate-key: sha256:9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9
          check: ef8a94220cabe5c4

        """;

    private string Site(string manifest, string? config = null)
    {
        string path = Temp.Write("site/sub/a.site.yaml", manifest);
        if (config is not null) Temp.Write("site/certlsp.json", config);
        return path;
    }

    [Fact]
    public async Task Without_a_file_the_duplicate_is_an_error_and_exits_1()
    {
        var outcome = await Cli.RunAsync("check", Site(Duplicate));
        Assert.Equal(1, outcome.Exit);
        Assert.Contains(outcome.StdoutLines, l => l.Contains("(5,26): error CL0601: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_nearest_certlsp_json_above_the_manifest_lowers_an_error_and_the_check_exits_0()
    {
        var outcome = await Cli.RunAsync("check", Site(Duplicate, """{ "rules": { "CL0601": "warning" } }"""));
        Assert.True(outcome.Exit == 0, outcome.ToString());
        Assert.Contains(outcome.StdoutLines, l => l.Contains("(5,26): warning CL0601: ", StringComparison.Ordinal));
        Assert.Equal("1 manifest checked: 0 errors, 1 warning.", outcome.StdoutLines[^1]);
        Assert.Empty(outcome.Stderr);
    }

    [Fact]
    public async Task Off_removes_the_finding_from_every_format()
    {
        string manifest = Site(Duplicate, """{ "rules": { "CL0601": "off" } }""");
        foreach (var format in new[] { "text", "json", "sarif", "codeclimate" })
        {
            var outcome = await Cli.RunAsync("check", manifest, "--format", format);
            Assert.True(outcome.Exit == 0, format + ": " + outcome);
            Assert.DoesNotContain("CL0601", outcome.Stdout.Replace("\"id\": \"CL0601\"", "", StringComparison.Ordinal),
                StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Raising_information_to_error_fails_the_check_in_every_format()
    {
        string clean = Duplicate.Replace("{ name: B, instance: 1 }", "{ name: B, instance: 2 }", StringComparison.Ordinal);
        Assert.Equal(0, (await Cli.RunAsync("check", Site(clean))).Exit);
        string manifest = Site(clean, """{ "rules": { "CL0302": "error" } }""");
        var text = await Cli.RunAsync("check", manifest);
        Assert.Equal(1, text.Exit);
        Assert.Contains(text.StdoutLines, l => l.Contains("(3,1): error CL0302: ", StringComparison.Ordinal));
        using var json = JsonDocument.Parse((await Cli.RunAsync("check", manifest, "--format", "json")).Stdout);
        Assert.Equal("error", json.RootElement.EnumerateArray().Single(d => d.GetProperty("code").GetString() == "CL0302").GetProperty(
            "severity").GetString());
        var sarif = await Cli.RunAsync("check", manifest, "--format", "sarif");
        Assert.Equal(1, sarif.Exit);
        using var sarifJson = JsonDocument.Parse(sarif.Stdout);
        var result = sarifJson.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Single(r =>
            r.GetProperty("ruleId").GetString() == "CL0302");
        Assert.Equal("error", result.GetProperty("level").GetString());
        var codeClimate = await Cli.RunAsync("check", manifest, "--format", "codeclimate");
        Assert.Equal(1, codeClimate.Exit);
        using var cc = JsonDocument.Parse(codeClimate.Stdout);
        Assert.Equal("major", cc.RootElement.EnumerateArray().Single(i => i.GetProperty("check_name").GetString() == "CL0302").GetProperty(
            "severity").GetString());
    }

    [Fact]
    public async Task A_suppression_comment_removes_the_error_and_the_check_exits_0()
    {
        string suppressed = Duplicate.Replace("  - { name: B", "  # certlsp-disable-next-line CL0601 -- B is A's spare\r\n  - { name: B",
            StringComparison.Ordinal);
        var outcome = await Cli.RunAsync("check", Site(suppressed));
        Assert.True(outcome.Exit == 0, outcome.ToString());
        Assert.DoesNotContain("CL0601", outcome.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CL0702", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_comment_that_suppresses_nothing_is_a_hint_and_does_not_fail_the_check()
    {
        string stale = Duplicate.Replace("  - { name: A", "  # certlsp-disable-next-line CL0201\n  - { name: A", StringComparison.Ordinal)
            .Replace("{ name: B, instance: 1 }", "{ name: B, instance: 3 }", StringComparison.Ordinal);
        var outcome = await Cli.RunAsync("check", Site(stale));
        Assert.True(outcome.Exit == 0, outcome.ToString());
        Assert.Contains(outcome.StdoutLines, l => l.Contains("(4,3): hint CL0702: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_certlsp_json_that_is_not_JSON_is_a_CL0701_at_its_line_and_column_and_exits_1()
    {
        string manifest = Site(Duplicate, "{\n  \"rules\": {\n    \"CL0601\": \"off\"\n    \"CL0302\": \"off\"\n  }\n}\n");
        var outcome = await Cli.RunAsync("check", manifest);
        Assert.True(outcome.Exit == 1, outcome.ToString());
        string config = Path.Combine(Temp.Path, "site", "certlsp.json");
        Assert.Contains(outcome.StdoutLines, l => l.StartsWith($"{config}(4,5): error CL0701: certlsp.json: not valid JSON",
            StringComparison.Ordinal));
        Assert.Empty(outcome.Stderr);
        using var json = JsonDocument.Parse((await Cli.RunAsync("check", manifest, "--format", "json")).Stdout);
        var problem = json.RootElement.EnumerateArray().Single(d => d.GetProperty("code").GetString() == "CL0701");
        Assert.Equal(config, problem.GetProperty("file").GetString());
        Assert.Equal(3, problem.GetProperty("range").GetProperty("start").GetProperty("line").GetInt32());
        Assert.Equal(4, problem.GetProperty("range").GetProperty("start").GetProperty("character").GetInt32());
    }

    [Fact]
    public async Task A_certlsp_json_that_is_not_text_is_a_CL0701_not_a_crash()
    {
        string manifest = Site(Duplicate);
        Temp.WriteBytes("site/certlsp.json", [0x7B, 0x00, 0x7D]);
        var outcome = await Cli.RunAsync("check", manifest);
        Assert.True(outcome.Exit == 1, outcome.ToString());
        Assert.Contains(outcome.StdoutLines, l => l.Contains("certlsp.json(1,1): error CL0701: certlsp.json: this is not a text file",
            StringComparison.Ordinal));
        Assert.Contains(outcome.StdoutLines, l => l.Contains(": error CL0601: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_untrusted_ledger_is_a_CL0405_warning_on_the_ledger_in_every_format_and_nothing_on_stderr()
    {
        string clean = Duplicate.Replace("{ name: B, instance: 1 }", "{ name: B, instance: 2 }", StringComparison.Ordinal);
        string manifest = Site(clean);
        string ledger = Temp.Write("site/sub/a.site.ledger", Ledger);
        var text = await Cli.RunAsync("check", manifest);
        Assert.True(text.Exit == 0, text.ToString());
        Assert.Empty(text.Stderr);
        Assert.Contains(text.StdoutLines, l => l.StartsWith(
            $"{ledger}(12,1): warning CL0405: This ledger cannot be trusted: the block of “A”", StringComparison.Ordinal));
        Assert.Equal("1 manifest checked: 0 errors, 1 warning.", text.StdoutLines[^1]);

        using var json = JsonDocument.Parse((await Cli.RunAsync("check", manifest, "--format", "json")).Stdout);
        var finding = json.RootElement.EnumerateArray().Single(d => d.GetProperty("code").GetString() == "CL0405");
        Assert.Equal(ledger, finding.GetProperty("file").GetString());
        Assert.Equal("warning", finding.GetProperty("severity").GetString());
        var range = finding.GetProperty("range");
        Assert.Equal((11, 0, 11, 25), (range.GetProperty("start").GetProperty("line").GetInt32(),
            range.GetProperty("start").GetProperty("character").GetInt32(),
            range.GetProperty("end").GetProperty("line").GetInt32(), range.GetProperty("end").GetProperty("character").GetInt32()));

        using var sarif = JsonDocument.Parse((await Cli.RunAsync("check", manifest, "--format", "sarif")).Stdout);
        var result = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Single(r =>
            r.GetProperty("ruleId").GetString() == "CL0405");
        Assert.Equal("warning", result.GetProperty("level").GetString());
        var region = result.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.EndsWith("/site/sub/a.site.ledger", region.GetProperty("artifactLocation").GetProperty("uri").GetString(),
            StringComparison.Ordinal);
        Assert.Equal(12, region.GetProperty("region").GetProperty("startLine").GetInt32());

        using var cc = JsonDocument.Parse((await Cli.RunAsync("check", manifest, "--format", "codeclimate")).Stdout);
        var issue = cc.RootElement.EnumerateArray().Single(i => i.GetProperty("check_name").GetString() == "CL0405");
        Assert.Equal("minor", issue.GetProperty("severity").GetString());
        Assert.Equal(12, issue.GetProperty("location").GetProperty("lines").GetProperty("begin").GetInt32());
    }

    [Fact]
    public async Task An_untrusted_ledger_fails_the_check_when_certlsp_json_makes_CL0405_an_error()
    {
        string clean = Duplicate.Replace("{ name: B, instance: 1 }", "{ name: B, instance: 2 }", StringComparison.Ordinal);
        string manifest = Site(clean, """{ "rules": { "CL0405": "error" } }""");
        Temp.Write("site/sub/a.site.ledger", Ledger);
        var outcome = await Cli.RunAsync("check", manifest);
        Assert.Equal(1, outcome.Exit);
        Assert.Contains(outcome.StdoutLines, l => l.Contains("a.site.ledger(12,1): error CL0405: ", StringComparison.Ordinal));
        Temp.Write("site/certlsp.json", """{ "rules": { "CL0405": "off" } }""");
        var off = await Cli.RunAsync("check", manifest);
        Assert.Equal(0, off.Exit);
        Assert.DoesNotContain("CL0405", off.Stdout, StringComparison.Ordinal);
    }
}
