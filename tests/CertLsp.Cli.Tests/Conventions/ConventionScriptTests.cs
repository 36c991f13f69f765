using CertLsp.Core.Tests.Interop;
using Xunit;

namespace CertLsp.Cli.Tests.Conventions;

/// <summary>
/// The repository's convention checks that are scripts (README.md, "Contributing"): the commit-msg hook, the README
/// layout check and the line-length check. ./test.sh runs the last two over the repository; here each is shown to fail
/// on what it must refuse and to pass what it must accept.
/// </summary>
public sealed class ConventionScriptTests : WithTempFolder
{
    private static readonly string Hook = RepoPaths.Combine(".githooks", "commit-msg");

    private static ProcessResult Run(string file, string[] args, string? workingDirectory = null) =>
        NodeTool.RunProcess(file, args, "", TimeSpan.FromSeconds(60), workingDirectory ?? RepoPaths.Root);

    private ProcessResult CommitMsg(string message) =>
        Run(Hook, [Temp.Write("COMMIT_EDITMSG", message)]);

    [Fact]
    public void The_hook_accepts_a_subject_of_72_characters_and_a_body()
    {
        var result = CommitMsg(new string('s', 72) + "\n\n" + new string('b', 200) + "\n");
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    [Fact]
    public void The_hook_refuses_a_subject_of_73_characters()
    {
        var result = CommitMsg(new string('s', 73) + "\n");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("73 characters; at most 72", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_hook_counts_characters_not_bytes()
    {
        Assert.Equal(0, CommitMsg(new string('é', 72) + "\n").ExitCode);
        Assert.Equal(1, CommitMsg(new string('é', 73) + "\n").ExitCode);
    }

    [Fact]
    public void The_hook_wants_a_blank_line_after_the_subject_and_skips_comments()
    {
        Assert.Equal(1, CommitMsg("Subject\nbody right under it\n").ExitCode);
        Assert.Equal(0, CommitMsg("# " + new string('c', 100) + "\nSubject\n\nbody\n").ExitCode);
    }

    [Fact]
    public void Git_runs_the_hook_from_core_hooksPath()
    {
        var repo = Temp.Folder("repo");
        Cli.Git(repo, "init", "-q");
        Temp.Write("repo/a.txt", "a\n");
        Cli.Git(repo, "add", "a.txt");
        string[] commit = ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false",
            "-c", "core.hooksPath=" + RepoPaths.Combine(".githooks"), "commit", "-q", "-m"];
        var refused = Run("git", [.. commit, new string('x', 73)], repo);
        Assert.True(refused.ExitCode != 0, "a 73-character subject was committed");
        Assert.Contains("at most 72", refused.Stderr, StringComparison.Ordinal);
        var accepted = Run("git", [.. commit, "Add a"], repo);
        Assert.True(accepted.ExitCode == 0, accepted.Stderr);
    }

    [Fact]
    public void The_readme_layout_lists_every_project_of_this_repository()
    {
        var result = Run("python3", [RepoPaths.Combine("scripts", "check-readme-layout.py")]);
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    [Fact]
    public void The_layout_check_names_a_project_missing_from_the_readme()
    {
        foreach (var project in new[] { "server/CertLsp.Core", "tests/CertLsp.Core.Tests", "bench/CertLsp.Bench" })
        {
            Temp.Write($"{project}/{Path.GetFileName(project)}.csproj", "<Project />\n");
        }
        Temp.Write("tests/e2e/package.json", "{}\n");
        Temp.Folder("client");
        Temp.Folder("tests/not-a-project");
        const string Listed = "server/CertLsp.Core  the core\ntests/CertLsp.Core.Tests\nclient/ the extension\ntests/e2e (VS Code)\n";
        Temp.Write("README.md", $"# R\n\n## Layout\n\n```\n{Listed}bench/CertLsp.Bench/\n```\n");
        var script = RepoPaths.Combine("scripts", "check-readme-layout.py");
        Assert.Equal(0, Run("python3", [script, Temp.Path]).ExitCode);

        Temp.Write("README.md", $"# R\n\n## Layout\n\n```\n{Listed}bench/CertLsp.Benchmarks\n```\n");
        var missing = Run("python3", [script, Temp.Path]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("README.md: the Layout section does not list bench/CertLsp.Bench/", missing.Stderr.Trim());
    }

    private ProcessResult LineLength(params string[] args) =>
        Run("python3", [RepoPaths.Combine("scripts", "check-line-length.py"), "--max", "60", .. args, Temp.Path]);

    [Fact]
    public void The_line_length_check_refuses_one_character_too_many()
    {
        Temp.Write("ok.cs", "// " + new string('a', 57) + "\n");
        Assert.Equal(0, LineLength().ExitCode);
        Temp.Write("long.ts", "// " + new string('a', 58) + "\n");
        var result = LineLength();
        Assert.Equal(1, result.ExitCode);
        Assert.EndsWith("long.ts:1: 61 characters (at most 60)", result.Stdout.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_inside_a_multi_line_string_are_data_and_exempt()
    {
        var data = new string('d', 80);
        Temp.Write("raw.cs", $"var s = \"\"\"\n    {data}\n    \"\"\";\nvar v = @\"\n{data}\n\";\n");
        Temp.Write("template.mjs", $"const t = `\n{data}\n`;\n");
        Assert.Equal(0, LineLength().ExitCode);
        Temp.Write("plain.cs", $"var s = \"{data}\";\n");
        Assert.Equal(1, LineLength().ExitCode);
    }

    [Fact]
    public void Fix_wraps_comments_arguments_and_strings_within_the_limit()
    {
        var source = string.Join('\n',
            "class C",
            "{",
            "    /// <summary>A documentation comment that is far too long for the limit of sixty.</summary>",
            "    int M(int first, int second, int third) => Call(first, second, third, first + second, third);",
            "    string S() => \"a string literal with many words that cannot fit on one line\";",
            "    int N() => 1; // a trailing comment that pushes this line past the limit",
            "}",
            "");
        var path = Temp.Write("c.cs", source);
        var result = LineLength("--fix");
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var fixedText = File.ReadAllText(path);
        Assert.All(fixedText.Split('\n'), l => Assert.True(l.Length <= 60, l));
        Assert.Contains("    /// <summary>A documentation comment that is far too\n    /// long", fixedText, StringComparison.Ordinal);
        Assert.Contains("\" +\n", fixedText, StringComparison.Ordinal);
        Assert.Contains("    // a trailing comment", fixedText, StringComparison.Ordinal);
        // Only line breaks and indentation were added: the tokens are the same.
        Assert.Equal(Tokens(source), Tokens(fixedText.Replace("\" +\n        \"", "", StringComparison.Ordinal)));
    }

    private static string Tokens(string text) =>
        string.Join(' ', text.Split(['\n', ' ', '/'], StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
}
