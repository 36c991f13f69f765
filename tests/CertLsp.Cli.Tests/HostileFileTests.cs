using System.Text;
using CertLsp.Core.Tests.Interop;
using CertLsp.Workflows.Files;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>
/// Hostile files given to <c>certlsp check</c>: either findings (exit 1) with CL0001 on the right line, or one line on
/// stderr and exit 2; never a crash, a stack trace or a hang.
/// </summary>
public sealed class HostileFileTests : WithTempFolder
{
    private static async Task<Cli.Outcome> CheckAsync(params string[] args)
    {
        // A hang guard, not a time bound: a hostile file must not make the check loop (its cost is bench/'s business).
        var run = Task.Run(() => Cli.RunAsync(["check", .. args]));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2))) == run,
            "certlsp check did not finish on a hostile file");
        var outcome = await run;
        Assert.DoesNotContain("internal error", outcome.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", outcome.Stderr, StringComparison.Ordinal);
        return outcome;
    }

    private static void AssertOneLineRefusal(Cli.Outcome outcome, string path, string reason)
    {
        Assert.True(outcome.Exit == 2, outcome.ToString());
        var line = Assert.Single(outcome.StderrLines);
        Assert.StartsWith($"certlsp: {path}: ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.Empty(outcome.Stdout);
    }

    [Fact]
    public async Task A_file_of_binary_garbage_is_refused_in_one_line()
    {
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        bytes[100] = 0;
        var path = Temp.WriteBytes("garbage.site.yaml", bytes);
        AssertOneLineRefusal(await CheckAsync(path), path, "not a text file");
    }

    [Fact]
    public async Task Invalid_UTF8_is_refused_in_one_line_with_the_offset()
    {
        var bytes = Encoding.UTF8.GetBytes("site: Caf\u00e9\nsubject: {}\ndevices: []\n");
        bytes[9] = 0xFF; // the first byte of é
        var path = Temp.WriteBytes("latin.site.yaml", bytes);
        AssertOneLineRefusal(await CheckAsync(path), path, "not UTF-8 text (invalid byte 0xFF at offset 9)");
    }

    [Fact]
    public async Task Of_several_unreadable_files_the_first_in_path_order_is_named()
    {
        var folder = Temp.Folder("several");
        for (char c = 'a'; c <= 'h'; c++) Temp.WriteBytes($"several/{c}.site.yaml", [0x61, 0xFF]);
        AssertOneLineRefusal(await CheckAsync(folder), Path.Combine(folder, "a.site.yaml"), "invalid byte 0xFF at offset 1");
    }

    [Fact]
    public async Task Latin1_text_saved_by_an_old_editor_is_refused()
    {
        var path = Temp.WriteBytes("legacy.site.yaml", Encoding.Latin1.GetBytes("site: Kältemaschine\nsubject: {}\ndevices: []\n"));
        AssertOneLineRefusal(await CheckAsync(path), path, "save the manifest as UTF-8");
    }

    [Fact]
    public async Task A_UTF8_byte_order_mark_is_accepted_and_positions_ignore_it()
    {
        var path = Temp.WriteBytes("bom.site.yaml", [.. new byte[] { 0xEF, 0xBB, 0xBF },
            .. Encoding.UTF8.GetBytes("site: S\nsubject: { country: us }\ndevices: []\n")]);
        var outcome = await CheckAsync(path);
        Assert.Equal(1, outcome.Exit);
        Assert.Contains(outcome.StdoutLines, l => l.StartsWith($"{path}(2,21): error CL0103: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_empty_file_gives_the_missing_keys_at_its_start()
    {
        var path = Temp.Write("empty.site.yaml", "");
        var outcome = await CheckAsync(path);
        Assert.Equal(1, outcome.Exit);
        Assert.Equal(3, outcome.StdoutLines.Count(l => l.StartsWith($"{path}(1,1): error CL0004: ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_in_one_line()
    {
        var path = Path.Combine(Temp.Path, "huge.site.yaml");
        using (var stream = File.Create(path)) stream.SetLength(ManifestFiles.MaxFileBytes + 1);
        AssertOneLineRefusal(await CheckAsync(path), path, "refused above");
    }

    [Fact]
    public async Task A_50_MB_file_is_checked_within_bounds()
    {
        var path = Temp.Write("long.site.yaml", "site: " + new string('x', 50 * 1024 * 1024) + "\nsubject: {}\ndevices: []\n");
        var outcome = await CheckAsync(path);
        Assert.Equal(1, outcome.Exit);
        var line = Assert.Single(outcome.StdoutLines, l => l.Contains("CL0003", StringComparison.Ordinal));
        Assert.True(line.Length < 500, "the message quotes a shortened value");
    }

    [Fact]
    public async Task A_named_pipe_named_like_a_manifest_does_not_hang_the_check()
    {
        var folder = Temp.Folder("pipes");
        var fifo = Path.Combine(folder, "pipe.site.yaml");
        var made = NodeTool.RunProcess("mkfifo", [fifo], "", TimeSpan.FromSeconds(10), folder);
        Assert.True(made.ExitCode == 0, made.Stderr);
        var run = Task.Run(() => Cli.RunAsync("check", folder));
        var first = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(first == run, "certlsp check blocked on a named pipe");
        var outcome = await run;
        Assert.True(outcome.Exit is 1 or 2, outcome.ToString());
    }

    public static TheoryData<string, string, string> SyntaxErrors() => new()
    {
        { "unclosed quote", "site: \"Riverside\nsubject: {}\ndevices: []\n", "(1,7)" },
        { "unclosed flow list", "site: a\nca:\n  issuers: [a, b\nsubject: {}\ndevices: []\n", "(3," },
        { "tab indentation", "site: a\nsubject:\n\tcountry: US\ndevices: []\n", "(3,1)" },
        { "duplicate key", "site: a\nsubject: {}\nsite: b\ndevices: []\n", "(3,1)" },
        { "second document", "site: a\nsubject: {}\ndevices: []\n---\nsite: b\n", "(4,1)" },
        { "alias bomb", string.Concat(Enumerable.Range(0, 9).Select(i => i == 0
            ? "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
            : $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]\n")), "(6," },
        { "deep flow nesting", "site: " + new string('[', 100_000) + new string(']', 100_000) + "\n", "(1," },
        { "deep block nesting", string.Concat(Enumerable.Repeat("- ", 100_000)) + "x\n", "(1," },
    };

    [Theory]
    [MemberData(nameof(SyntaxErrors))]
    public async Task Malformed_YAML_is_a_CL0001_finding_on_its_line(string kind, string text, string position)
    {
        var path = Temp.Write($"{kind.Replace(' ', '-')}.site.yaml", text);
        var outcome = await CheckAsync(path);
        Assert.True(outcome.Exit == 1, $"{kind}: {outcome}");
        Assert.Contains(outcome.StdoutLines, l => l.StartsWith(path + position, StringComparison.Ordinal)
            && l.Contains(": error CL0001: ", StringComparison.Ordinal));
        Assert.Empty(outcome.Stderr);
    }

    [Fact]
    public async Task A_yml_extension_is_found_in_folders_and_other_files_are_not()
    {
        var folder = Temp.Folder("mixed");
        File.WriteAllText(Path.Combine(folder, "a.site.yml"), "site: a\n");
        File.WriteAllText(Path.Combine(folder, "b.yaml"), "{{{{ not a manifest");
        var outcome = await CheckAsync(folder);
        Assert.Equal(1, outcome.Exit);
        Assert.All(outcome.StdoutLines[..^1], l => Assert.StartsWith(Path.Combine(folder, "a.site.yml"), l, StringComparison.Ordinal));
    }
}
