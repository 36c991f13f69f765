using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>The built CLI as its own process (dotnet certlsp.dll): exit codes and streams as a CI job sees them.</summary>
public sealed class OutOfProcessTests : WithTempFolder
{
    [Fact]
    public void A_clean_site_exits_0_with_paths_relative_to_the_working_folder()
    {
        var outcome = Cli.RunProcess(RepoPaths.Root, "check", "examples/riverside-campus");
        Assert.True(outcome.Exit == 0, outcome.ToString());
        Assert.StartsWith("examples/riverside-campus/riverside.site.yaml(", outcome.StdoutLines[0], StringComparison.Ordinal);
        Assert.Empty(outcome.Stderr);
    }

    [Fact]
    public void Errors_exit_1_and_json_goes_to_stdout()
    {
        var outcome = Cli.RunProcess(RepoPaths.Root, "check", "examples/harbor-tower", "--format", "json");
        Assert.True(outcome.Exit == 1, outcome.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(outcome.Stdout);
        Assert.Contains(json.RootElement.EnumerateArray(), f =>
            f.GetProperty("file").GetString() == "examples/harbor-tower/harbor-tower.site.yaml");
    }

    [Fact]
    public void Bad_arguments_exit_2_with_nothing_on_stdout()
    {
        var outcome = Cli.RunProcess(Temp.Path, "check", "--format", "yaml", "x.site.yaml");
        Assert.Equal(2, outcome.Exit);
        Assert.Empty(outcome.Stdout);
        Assert.StartsWith("certlsp: ", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_file_exits_2_in_one_line()
    {
        Temp.WriteBytes("bad.site.yaml", [0x73, 0x69, 0x74, 0x65, 0x3A, 0x20, 0xC3, 0x28, 0x0A]);
        var outcome = Cli.RunProcess(Temp.Path, "check", "bad.site.yaml");
        Assert.Equal(2, outcome.Exit);
        Assert.Equal("certlsp: bad.site.yaml: this is not UTF-8 text (invalid byte 0xC3 at offset 6); save the manifest as UTF-8",
            outcome.Stderr.TrimEnd());
        Assert.Empty(outcome.Stdout);
    }
}
