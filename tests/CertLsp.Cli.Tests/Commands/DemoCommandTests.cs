using Xunit;

namespace CertLsp.Cli.Tests.Commands;

public sealed class DemoCommandTests
{
    private static string Examples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CertLsp.sln"))) return Path.Combine(dir.FullName, "examples");
        }
        throw new InvalidOperationException("the repository's examples folder was not found");
    }

    private static string[] Tree(string folder) =>
        [.. Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => $"{p} {(File.Exists(p) ? new FileInfo(p).Length : 0)}").Order(StringComparer.Ordinal)];

    [Fact]
    public void The_demo_requests_signs_imports_and_shows_status_without_writing_into_the_repository()
    {
        string examples = Examples();
        var before = Tree(examples);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Program.Run(["demo", "--examples", examples], stdout, stderr);
        string output = stdout.ToString();
        Assert.True(exit == 0, output + stderr);
        Assert.Contains("Summary: 5 requested, 0 no action taken, 0 failed.", output);
        Assert.Contains("Summary: 5 accepted, 0 already imported, 0 rejected", output);
        Assert.Matches(@"Kältemaschine-1\s+Kältemaschine-1\.bms\.riverside\.example\s+valid \(expires soon\)", output);
        Assert.Contains("warning CL0403", output);
        Assert.DoesNotContain("PRIVATE KEY", output + stderr);
        Assert.Equal(before, Tree(examples));
        var work = System.Text.RegularExpressions.Regex.Match(output, @"in (\S*certlsp-demo-\w+) \(removed").Groups[1].Value;
        Assert.False(Directory.Exists(work), $"{work} was left behind");
    }
}
