using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>Exit 0 when no errors, 1 when errors, 2 when the check could not run; the reason on stderr in one line.</summary>
public sealed class ExitCodeTests : WithTempFolder
{
    private const string Clean =
        "site: S\nsubject: { country: US, state: WI, locality: Milwaukee, organization: O, organizationalUnit: U }\ndevices:\n  - name: " +
        "A\n";

    [Fact]
    public async Task A_clean_manifest_exits_0()
    {
        var outcome = await Cli.RunAsync("check", Cli.Example("riverside-campus"));
        Assert.True(outcome.Exit == 0, outcome.ToString());
        Assert.Equal("1 manifest checked: 0 errors, 0 warnings.", outcome.StdoutLines[^1]);
        Assert.Empty(outcome.Stderr);
    }

    [Fact]
    public async Task Information_alone_still_exits_0()
    {
        var outcome = await Cli.RunAsync("check", Temp.Write("a.site.yaml", Clean));
        Assert.Equal(0, outcome.Exit);
        Assert.Contains(outcome.StdoutLines, l => l.Contains(": info CL0302: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_manifest_with_errors_exits_1()
    {
        var outcome = await Cli.RunAsync("check", Cli.Example("harbor-tower"));
        Assert.True(outcome.Exit == 1, outcome.ToString());
        Assert.Contains(outcome.StdoutLines, l => l.Contains(": error CL0201: ", StringComparison.Ordinal));
        Assert.Empty(outcome.Stderr);
    }

    [Fact]
    public async Task A_syntax_error_is_a_finding_and_exits_1()
    {
        var outcome = await Cli.RunAsync("check", Temp.Write("a.site.yaml", "site: \"unclosed\n"));
        Assert.Equal(1, outcome.Exit);
        Assert.Contains(outcome.StdoutLines, l => l.Contains(": error CL0001: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Any_file_with_errors_makes_the_whole_check_exit_1()
    {
        Temp.Write("both/a.site.yaml", Clean);
        Temp.Write("both/b.site.yaml", Clean.Replace("country: US", "country: XX", StringComparison.Ordinal).Replace("name: A", "name: B",
            StringComparison.Ordinal));
        var outcome = await Cli.RunAsync("check", Path.Combine(Temp.Path, "both"));
        Assert.Equal(1, outcome.Exit);
        Assert.Equal("2 manifests checked: 1 error, 0 warnings.", outcome.StdoutLines[^1]);
    }

    public static TheoryData<string[], string> BadArguments() => new()
    {
        { [], "" },
        { ["check"], "" },
        { ["frobnicate"], "frobnicate" },
        { ["check", Cli.Example("riverside-campus"), "--no-such-option"], "--no-such-option" },
        { ["check", "x.site.yaml", "--format"], "--format" },
        { ["check", "x.site.yaml", "--format", "xml"], "xml" },
        { ["check", "x.site.yaml", "-f", "XML"], "XML" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task Bad_arguments_exit_2_with_the_reason_on_stderr_and_nothing_on_stdout(string[] args, string mentioned)
    {
        var outcome = await Cli.RunAsync(args);
        Assert.True(outcome.Exit == 2, outcome.ToString());
        Assert.Empty(outcome.Stdout);
        Assert.StartsWith("certlsp: ", outcome.StderrLines[0], StringComparison.Ordinal);
        Assert.Contains(mentioned, outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_exits_2_with_one_line()
    {
        var missing = Path.Combine(Temp.Path, "nowhere.site.yaml");
        var outcome = await Cli.RunAsync("check", missing);
        Assert.Equal(2, outcome.Exit);
        Assert.Equal([$"certlsp: {missing}: no such file or folder"], outcome.StderrLines);
        Assert.Empty(outcome.Stdout);
    }

    [Fact]
    public async Task A_missing_file_beside_a_good_one_still_exits_2()
    {
        var outcome = await Cli.RunAsync("check", Temp.Write("a.site.yaml", Clean), Path.Combine(Temp.Path, "nowhere.site.yaml"));
        Assert.Equal(2, outcome.Exit);
        Assert.Empty(outcome.Stdout);
    }

    [Fact]
    public async Task A_folder_without_manifests_exits_2()
    {
        var folder = Temp.Folder("empty");
        File.WriteAllText(Path.Combine(folder, "notes.yaml"), "site: not a manifest by its name\n");
        var outcome = await Cli.RunAsync("check", folder);
        Assert.Equal(2, outcome.Exit);
        var line = Assert.Single(outcome.StderrLines);
        Assert.Equal($"certlsp: no site manifests (*.site.yaml, *.site.yml) in {folder}", line);
    }

    [Fact]
    public async Task An_unreadable_path_exits_2_with_one_line()
    {
        // Running as root, permissions do not stop a read; a folder named like a manifest cannot be read as one either way.
        var folder = Temp.Folder("trap");
        var unreadable = Path.Combine(folder, "x.site.yaml");
        Directory.CreateDirectory(unreadable);
        var outcome = await Cli.RunAsync("check", unreadable);
        Assert.Equal(2, outcome.Exit);
        Assert.Single(outcome.StderrLines);
        Assert.Empty(outcome.Stdout);
    }

    [Fact]
    public async Task A_manifest_that_is_a_symbolic_link_loop_exits_2_with_one_line()
    {
        var folder = Temp.Folder("loop");
        Temp.Write("loop/good.site.yaml", Clean);
        var loop = Path.Combine(folder, "loop.site.yaml");
        File.CreateSymbolicLink(loop, loop);
        var outcome = await Cli.RunAsync("check", folder);
        Assert.True(outcome.Exit == 2, outcome.ToString());
        Assert.StartsWith($"certlsp: {loop}: ", Assert.Single(outcome.StderrLines), StringComparison.Ordinal);
        Assert.Empty(outcome.Stdout);
    }

    [Fact]
    public async Task A_file_without_read_permission_exits_2_when_permissions_apply()
    {
        var path = Temp.Write("locked.site.yaml", Clean);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.None);
        bool permissionsApply;
        try { File.ReadAllBytes(path); permissionsApply = false; } catch (UnauthorizedAccessException) { permissionsApply = true; }
        var outcome = await Cli.RunAsync("check", path);
        if (permissionsApply)
        {
            Assert.Equal(2, outcome.Exit);
            Assert.Equal($"certlsp: {path}: cannot read the file (Access to the path '{path}' is denied.)",
                Assert.Single(outcome.StderrLines));
        }
        else
        {
            Assert.Equal(0, outcome.Exit); // root reads it anyway: then it is checked like any file
        }
    }
}
