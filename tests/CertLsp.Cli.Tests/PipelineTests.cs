using System.Text.Json;
using System.Text.RegularExpressions;
using CertLsp.Core.Ledger;
using CertLsp.Core.Tests.Interop;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>
/// The pipelines reviewers use, run locally: the GitHub Action's steps (scripts/ci-review.sh, what action.yml runs) in a temporary
/// repository with two commits, and the pre-commit hook (.pre-commit-hooks.yaml) with Debian's pre-commit in a temporary repository.
/// certlsp is the built CLI behind a small wrapper script, as an installed certlsp would be on the PATH.
/// </summary>
public sealed partial class PipelineTests : WithTempFolder
{
    private const string Site =
        "site: Plant\ndomain: bms.example\nsubject:\n  country: DE\n  state: Bavaria\n  locality: Munich\n  organization: Example AG\n  " +
        "organizationalUnit: Facilities\nkey:\n  algorithm: ecdsa\ndevices:\n"
        + "  - name: AHU-1\n    instance: 1001\n    address: 127.0.0.10\n  - name: AHU-2\n    instance: 1002\n    address: 127.0.0.11\n";

    private string Repo => Temp.Folder("repo");

    /// <summary>A bin folder with a certlsp wrapper around the built CLI.</summary>
    private string Bin
    {
        get
        {
            string wrapper = Temp.Write("bin/certlsp", $"#!/bin/sh\nexec dotnet '{Cli.Dll}' \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return Path.GetDirectoryName(wrapper)!;
        }
    }

    private static ProcessResult Env(string directory, string[] variables, params string[] command) =>
        NodeTool.RunProcess("env", ["-u", "GITHUB_BASE_REF", "-u", "GITHUB_STEP_SUMMARY", .. variables, .. command], "",
            TimeSpan.FromSeconds(300), directory);

    /// <summary>The base commit: the site, AHU-1 holding a valid certificate. The working tree then renames AHU-1 and adds a bad
    /// country.</summary>
    private void TwoCommits()
    {
        Temp.Write("repo/sites/plant.site.yaml", Site);
        var now = DateTimeOffset.UtcNow;
        Temp.Write("repo/sites/plant.site.ledger", LedgerFormat.Write(
            SiteLedger.Empty.With(new LedgerEntry("AHU-1", "AHU-1.bms.example", null,
            new IssuedCertificate("1001", "CN=CA", now.AddDays(-10), now.AddDays(300), "sha256:c1", "sha256:k1"))), "plant.site.yaml",
                now));
        Cli.Git(Repo, "init", "-q");
        Cli.Git(Repo, "add", "-A");
        Cli.Git(Repo, "commit", "-q", "-m", "base");
        Temp.Write("repo/sites/plant.site.yaml", Site.Replace("name: AHU-1\n", "name: AHU-1-North\n", StringComparison.Ordinal));
        Cli.Git(Repo, "commit", "-q", "-a", "-m", "rename AHU-1");
        Temp.Write("repo/sites/plant.site.yaml", Site.Replace("name: AHU-1\n", "name: AHU-1-North\n", StringComparison.Ordinal).Replace(
            "country: DE", "country: Germany", StringComparison.Ordinal));
    }

    private ProcessResult CiReview(string failOn, string? baseRev = null) => Env(Repo,
        [$"CERTLSP={Path.Combine(Bin, "certlsp")}", "CERTLSP_PATHS=sites", $"CERTLSP_SARIF={Path.Combine(Temp.Path, "check.sarif")}",
            $"GITHUB_STEP_SUMMARY={Path.Combine(Temp.Path, "summary.md")}", $"CERTLSP_FAIL_ON={failOn}", .. baseRev is null
                ? Array.Empty<string>() : [$"CERTLSP_BASE={baseRev}"]],
        "bash", RepoPaths.Combine("scripts", "ci-review.sh"));

    [Fact]
    public void The_action_script_writes_the_check_as_SARIF_and_the_review_into_the_job_summary()
    {
        TwoCommits();
        var strict = CiReview("certificate-impact");
        Assert.True(strict.ExitCode == 1, $"{strict.ExitCode}\n{strict.Stdout}\n{strict.Stderr}");
        string summary = File.ReadAllText(Path.Combine(Temp.Path, "summary.md"));
        Assert.StartsWith("### CertLsp review HEAD~1 → working tree\n", summary, StringComparison.Ordinal);
        Assert.Contains(
            "| AHU-1-North | AHU-1.bms.example | AHU-1-North.bms.example | its valid certificate (serial 1001, CN AHU-1.bms.example) " +
            "will not match: a new CSR is needed |",
            summary, StringComparison.Ordinal);
        Assert.Contains("<details><summary>Details</summary>", summary, StringComparison.Ordinal);
        using (var sarif = JsonDocument.Parse(File.ReadAllText(Path.Combine(Temp.Path, "check.sarif"))))
        {
            var results = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Select(r =>
                r.GetProperty("ruleId").GetString()).ToList();
            Assert.Contains("CL0102", results);
        }

        // The other fail-on settings: the new error fails new-errors; none never fails. The summary is appended to, not replaced.
        Assert.Equal(1, CiReview("new-errors").ExitCode);
        Assert.Equal(0, CiReview("none").ExitCode);
        Assert.Equal(3, Regex.Matches(File.ReadAllText(Path.Combine(Temp.Path, "summary.md")), "^### CertLsp review",
            RegexOptions.Multiline).Count);

        // Explicit base: the base of the rename against itself is the working tree's only change (the country).
        Assert.Equal(0, CiReview("certificate-impact", "HEAD").ExitCode);
        var missing = CiReview("none", "no-such-branch");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("the revision “no-such-branch” is not in this clone", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, CiReview("sometimes").ExitCode);
    }

    [GeneratedRegex(@"\$\{\{ inputs\.([a-z-]+) \}\}")]
    private static partial Regex InputUse();

    [Fact]
    public void The_action_runs_the_tested_script_with_inputs_it_declares_and_variables_the_script_reads()
    {
        string action = File.ReadAllText(RepoPaths.Combine("action.yml"));
        string script = File.ReadAllText(RepoPaths.Combine("scripts", "ci-review.sh"));
        Assert.Contains("using: composite", action, StringComparison.Ordinal);
        Assert.Contains("run: '\"$GITHUB_ACTION_PATH/scripts/ci-review.sh\"'", action, StringComparison.Ordinal);
        Assert.Contains("github/codeql-action/upload-sarif@", action, StringComparison.Ordinal);
        var declared = Regex.Matches(action, @"^  ([a-z-]+):\n    description:", RegexOptions.Multiline).Select(m =>
            m.Groups[1].Value).ToHashSet();
        var used = InputUse().Matches(action).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.NotEmpty(used);
        Assert.Subset(declared, used);
        var variables = Regex.Matches(action, @"^        (CERTLSP[A-Z_]*):", RegexOptions.Multiline).Select(m =>
            m.Groups[1].Value).ToList();
        Assert.Equal(5, variables.Count);
        Assert.All(variables, v => Assert.Contains("${" + v, script, StringComparison.Ordinal));
    }

    [NeedsFact(Needs.PreCommit)]
    public void The_pre_commit_hook_checks_changed_manifests_and_refuses_a_commit_with_errors()
    {
        // The hook repository: this repository's .pre-commit-hooks.yaml, committed, as pre-commit clones it.
        string hooks = Temp.Folder("hooks");
        File.Copy(RepoPaths.Combine(".pre-commit-hooks.yaml"), Path.Combine(hooks, ".pre-commit-hooks.yaml"));
        Cli.Git(hooks, "init", "-q");
        Cli.Git(hooks, "add", "-A");
        Cli.Git(hooks, "commit", "-q", "-m", "hooks");
        string rev = Cli.Git(hooks, "rev-parse", "HEAD").Trim();

        Cli.Git(Repo, "init", "-q");
        Temp.Write("repo/.pre-commit-config.yaml", $"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: certlsp-check\n");
        Temp.Write("repo/sites/plant.site.yaml", Site);
        string[] variables = [$"PATH={Bin}:{Environment.GetEnvironmentVariable("PATH")}",
            $"PRE_COMMIT_HOME={Path.Combine(Temp.Path, "pre-commit-cache")}"];
        var install = Env(Repo, variables, "pre-commit", "install");
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        Cli.Git(Repo, "add", "-A");
        var good = Env(Repo, variables, "git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "good");
        Assert.True(good.ExitCode == 0, good.Stdout + good.Stderr);
        Assert.Matches(@"certlsp check\.+Passed", good.Stdout + good.Stderr);

        Temp.Write("repo/sites/plant.site.yaml", Site.Replace("country: DE", "country: Germany", StringComparison.Ordinal));
        Temp.Write("repo/notes.txt", "not a manifest\n");
        Cli.Git(Repo, "add", "-A");
        var bad = Env(Repo, variables, "git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "bad");
        Assert.True(bad.ExitCode != 0, bad.Stdout + bad.Stderr);
        Assert.Contains("sites/plant.site.yaml(4,12): error CL0102", bad.Stdout + bad.Stderr, StringComparison.Ordinal);
        Assert.Equal("1", Cli.Git(Repo, "rev-list", "--count", "HEAD").Trim());

        // A commit of other files only: the hook has no manifest to check and skips.
        Cli.Git(Repo, "reset", "-q", "sites/plant.site.yaml");
        var other = Env(Repo, variables, "git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "notes");
        Assert.True(other.ExitCode == 0, other.Stdout + other.Stderr);
        Assert.Matches(@"certlsp check\.+\(no files to check\)Skipped", other.Stdout + other.Stderr);
    }
}
