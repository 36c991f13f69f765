using System.Text.Json;
using CertLsp.Core.Tests.Interop;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>
/// The SARIF of <c>certlsp check</c> validated by Microsoft's SARIF validator (Sarif.Multitool `validate`, from the npm
/// package @microsoft/sarif-multitool-linux pinned in tests/interop): JSON-schema errors and its SARIF rules.
/// The validator exits 0 even when it finds problems, so its own SARIF output is read instead.
/// </summary>
public sealed class SarifValidatorTests : WithTempFolder
{
    private static string Multitool => Path.Combine(NodeTool.RequirePackage("@microsoft/sarif-multitool-linux"), "Sarif.Multitool");

    /// <summary>Validates a SARIF file; returns the validator's findings of level error or warning.</summary>
    private List<string> Validate(string sarifPath)
    {
        var output = Path.Combine(Temp.Path, Path.GetFileNameWithoutExtension(sarifPath) + ".validation.sarif");
        var run = NodeTool.RunProcess(Multitool, ["validate", sarifPath, "--output", output, "--log", "ForceOverwrite"], "",
            TimeSpan.FromSeconds(120), Temp.Path);
        Assert.True(run.ExitCode == 0 && File.Exists(output), $"the validator failed: exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        using var report = JsonDocument.Parse(File.ReadAllText(output));
        return report.RootElement.GetProperty("runs")[0].TryGetProperty("results", out var results)
            ? results.EnumerateArray()
                .Where(r => !r.TryGetProperty("level", out var level) || level.GetString() is "error" or "warning")
                .Select(r => $"{r.GetProperty("ruleId").GetString()}: {r.GetProperty("message").GetRawText()}")
                .ToList()
            : [];
    }

    private async Task<string> CheckToSarifAsync(string name, params string[] inputs)
    {
        var outcome = await Cli.RunAsync(["check", .. inputs, "--format", "sarif"]);
        Assert.True(outcome.Exit is 0 or 1, outcome.ToString());
        var path = Path.Combine(Temp.Path, name);
        File.WriteAllText(path, outcome.Stdout);
        return path;
    }

    [NeedsFact(Needs.NpmPeers)]
    public async Task The_examples_give_valid_SARIF()
    {
        var problems = Validate(await CheckToSarifAsync("examples.sarif", Cli.Example("harbor-tower"), Cli.Example("riverside-campus")));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [NeedsFact(Needs.NpmPeers)]
    public async Task Findings_across_files_with_related_locations_fixes_and_non_ASCII_give_valid_SARIF()
    {
        const string subject = "subject: { country: us, state: WI, locality: L, organization: O, organizationalUnit: U }\r\n";
        Temp.Write("site/a.site.yaml", "site: Été\r\n" + subject + "devices:\r\n  - { name: é🌡北, instance: -1 }\r\n  - name: AHU\r\n");
        Temp.Write("site/b.site.yaml", "site: B\n" + subject + "devices:\n  - name: ahu\n  - name: \"x\"\n    bogus: 1\n");
        var problems = Validate(await CheckToSarifAsync("workspace.sarif", Path.Combine(Temp.Path, "site")));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [NeedsFact(Needs.NpmPeers)]
    public async Task The_SARIF_of_a_review_holds_only_the_introduced_findings_and_is_valid()
    {
        string before = File.ReadAllText(Path.Combine(Cli.Example("harbor-tower"), "harbor-tower.site.yaml"));
        Temp.Write("old/harbor-tower.site.yaml", before);
        // The change adds a device with a lower-case country; the example's own findings stay as they were.
        Temp.Write("new/harbor-tower.site.yaml", before.Replace("devices:\n",
            "devices:\n  - name: NEW-1\n    instance: 20900\n    address: 127.0.0.90\n    subject:\n      country: de\n",
            StringComparison.Ordinal));
        var outcome = await Cli.RunAsync("review", Path.Combine(Temp.Path, "old"), Path.Combine(Temp.Path, "new"), "--format", "sarif");
        Assert.True(outcome.Exit == 0, outcome.ToString());
        using (var sarif = JsonDocument.Parse(outcome.Stdout))
        {
            var result = Assert.Single(sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray());
            Assert.Equal("CL0103", result.GetProperty("ruleId").GetString());
        }
        var path = Temp.Write("review.sarif", outcome.Stdout);
        var problems = Validate(path);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [NeedsFact(Needs.NpmPeers)]
    public void SARIF_with_relative_paths_and_a_base_uri_is_valid()
    {
        // Out of process, from the repository root, so the paths are relative to SRCROOT.
        var outcome = Cli.RunProcess(RepoPaths.Root, "check", "examples", "--format", "sarif");
        Assert.Equal(1, outcome.Exit);
        Assert.Contains("\"uriBaseId\": \"SRCROOT\"", outcome.Stdout, StringComparison.Ordinal);
        var path = Path.Combine(Temp.Path, "relative.sarif");
        File.WriteAllText(path, outcome.Stdout);
        var problems = Validate(path);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [NeedsFact(Needs.NpmPeers)]
    public void The_validator_does_reject_broken_SARIF()
    {
        // Guards the tests above: the validator must report a log without the required "tool".
        var path = Path.Combine(Temp.Path, "broken.sarif");
        File.WriteAllText(path,
            """{ "version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": [ { "results": [] } ] }""");
        Assert.Contains(Validate(path), p => p.Contains("tool", StringComparison.Ordinal));
    }
}
