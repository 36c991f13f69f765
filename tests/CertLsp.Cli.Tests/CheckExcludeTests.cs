using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>`certlsp check .` leaves out default folders, --exclude globs and what the folder's .certlspignore names.</summary>
public sealed class CheckExcludeTests : WithTempFolder
{
    private static string Manifest(string device) =>
        $"site: S\nsubject: {{ country: US, state: WI, locality: Milwaukee, organization: O, organizationalUnit: U }}\ndevices:\n  - " +
            $"name: {device}\n";

    [Fact]
    public void Fixtures_left_out_by_certlspignore_or_exclude_are_not_checked()
    {
        Temp.Write("site/north.site.yaml", Manifest("AHU-1"));
        Temp.Write("tests/fixtures/copy.site.yaml", Manifest("AHU-1"));
        Temp.Write("node_modules/pkg/x.site.yaml", Manifest("AHU-1"));
        Temp.Write("obj/y.site.yaml", Manifest("AHU-1"));

        var all = Cli.RunProcess(Temp.Path, "check", ".");
        Assert.True(all.Exit == 1, all.ToString());
        Assert.Contains(all.StdoutLines, l => l.StartsWith("tests/fixtures/copy.site.yaml(4,11)", StringComparison.Ordinal)
            && l.Contains("CL0201", StringComparison.Ordinal));
        Assert.DoesNotContain("node_modules", all.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("obj/", all.Stdout, StringComparison.Ordinal);

        Temp.Write(".certlspignore", "# fixtures are not sites\n\ntests/fixtures/\n");
        var ignored = Cli.RunProcess(Temp.Path, "check", ".");
        Assert.True(ignored.Exit == 0, ignored.ToString());
        Assert.DoesNotContain("fixtures", ignored.Stdout, StringComparison.Ordinal);
        Assert.Equal("1 manifest checked: 0 errors, 0 warnings.", ignored.StdoutLines[^1]);

        File.Delete(Path.Combine(Temp.Path, ".certlspignore"));
        var excluded = Cli.RunProcess(Temp.Path, "check", ".", "--exclude", "*.draft.site.yaml", "--exclude", "fixtures");
        Assert.True(excluded.Exit == 0, excluded.ToString());
        Assert.Equal("1 manifest checked: 0 errors, 0 warnings.", excluded.StdoutLines[^1]);
        Assert.Empty(excluded.Stderr);
    }

    [Fact]
    public async Task A_glob_that_cannot_be_used_is_a_warning_on_stderr()
    {
        Temp.Write("a.site.yaml", Manifest("AHU-1"));
        var outcome = await Cli.RunAsync("check", Temp.Path, "--exclude", "!keep");
        Assert.True(outcome.Exit == 0, outcome.ToString());
        Assert.Equal(["certlsp: warning: exclude “!keep”: “!” (re-including) is not supported; the line is ignored"], outcome.StderrLines);
    }
}
