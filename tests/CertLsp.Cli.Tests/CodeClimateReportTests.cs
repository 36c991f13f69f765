using System.Text.Json;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>
/// <c>--format codeclimate</c> against the fields GitLab's code-quality widget documents as required: description, check_name,
/// fingerprint (unique), severity (info, minor, major, critical, blocker), location.path and location.lines.begin.
/// </summary>
public sealed class CodeClimateReportTests : WithTempFolder
{
    private static readonly string[] Severities = ["info", "minor", "major", "critical", "blocker"];

    private static List<JsonElement> Issues(Cli.Outcome outcome)
    {
        using var json = JsonDocument.Parse(outcome.Stdout);
        return [.. json.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public void Every_issue_has_the_fields_GitLab_requires_and_a_unique_fingerprint()
    {
        var outcome = Cli.RunProcess(RepoPaths.Root, "check", "examples/harbor-tower", "--format", "codeclimate");
        Assert.True(outcome.Exit == 1, outcome.ToString());
        var issues = Issues(outcome);
        Assert.True(issues.Count >= 10, outcome.Stdout);
        foreach (var issue in issues)
        {
            Assert.False(string.IsNullOrEmpty(issue.GetProperty("description").GetString()));
            Assert.Matches("^CL[0-9]{4}$", issue.GetProperty("check_name").GetString());
            Assert.Contains(issue.GetProperty("severity").GetString(), Severities);
            Assert.Equal("examples/harbor-tower/harbor-tower.site.yaml", issue.GetProperty("location").GetProperty("path").GetString());
            Assert.True(issue.GetProperty("location").GetProperty("lines").GetProperty("begin").GetInt32() >= 1);
        }
        Assert.Equal(issues.Count, issues.Select(i => i.GetProperty("fingerprint").GetString()).Distinct().Count());
        Assert.Contains(issues, i => i.GetProperty("check_name").GetString() == "CL0103" && i.GetProperty("severity").GetString() == "major"
            && i.GetProperty("location").GetProperty("lines").GetProperty("begin").GetInt32() == 7);
    }

    [Fact]
    public async Task Fingerprints_do_not_change_when_a_device_is_inserted_above_and_review_reports_only_new_issues()
    {
        string before = File.ReadAllText(Path.Combine(Cli.Example("harbor-tower"), "harbor-tower.site.yaml"));
        string after = before.Replace("devices:\n",
            "devices:\n  - name: NEW-1\n    instance: 20900\n    address: 127.0.0.90\n    subject:\n      country: de\n",
            StringComparison.Ordinal);
        var oldPath = Temp.Write("old/harbor-tower.site.yaml", before);
        var newPath = Temp.Write("new/harbor-tower.site.yaml", after);
        // GitLab compares the reports of one path before and after.
        var samePath = Temp.Write("same/harbor-tower.site.yaml", before);
        var oldPrints = Issues(await Cli.RunAsync("check", samePath, "--format", "codeclimate")).Select(i =>
            i.GetProperty("fingerprint").GetString()).ToHashSet();
        File.WriteAllText(samePath, after);
        var newIssues = Issues(await Cli.RunAsync("check", samePath, "--format", "codeclimate"));
        var added = newIssues.Where(i => !oldPrints.Contains(i.GetProperty("fingerprint").GetString())).ToList();
        // New to GitLab: the new device's own finding, and the two whose message changed (the zip count, the list index of the
        // misspelled key); the other findings kept their fingerprints though their lines moved.
        Assert.Equal(["CL0002", "CL0103", "CL0302"], added.Select(i => i.GetProperty("check_name").GetString()).Order());
        Assert.Equal(newIssues.Count - 3, oldPrints.Count(p => newIssues.Any(i => i.GetProperty("fingerprint").GetString() == p)));
        Assert.True(newIssues.Count >= 12, string.Join("\n", newIssues));

        var review = await Cli.RunAsync("review", Path.GetDirectoryName(oldPath)!, Path.GetDirectoryName(newPath)!, "--format",
            "codeclimate");
        Assert.True(review.Exit == 0, review.ToString());
        var issue = Assert.Single(Issues(review));
        Assert.Equal(("CL0103", newPath), (issue.GetProperty("check_name").GetString(),
            issue.GetProperty("location").GetProperty("path").GetString()));
    }
}
