using CertLsp.Workflows.Files;

namespace CertLsp.Workflows.Tests.Files;

/// <summary>The folder walk's exclusions: default folders, globs (setting, --exclude) and the root's .certlspignore.</summary>
public sealed class ManifestExclusionsTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("certlsp-excl-").FullName;

    private string Write(string relative, string text = "site: x\n")
    {
        string path = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private IEnumerable<string> Found(params string[] exclude) =>
        ManifestFiles.Expand([root], exclude).Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'));

    private void Layout()
    {
        foreach (var file in new[]
        {
            "site/riverside.site.yaml", "site/old/riverside.old.site.yaml", "tests/fixtures/dup.site.yaml",
                "tests/fixtures/deep/more.site.yml",
            "tests/unit.site.yaml", "node_modules/pkg/x.site.yaml", "a/bin/y.site.yaml", "obj/z.site.yaml", ".git/w.site.yaml",
            "fixtures.site.yaml", "b1.site.yaml", "b2.site.yaml",
        })
        {
            Write(file);
        }
    }

    [Fact]
    public void Default_folders_are_skipped_at_any_depth_without_any_glob()
    {
        Layout();
        Assert.Equal(All, Found());
    }

    private static readonly string[] All =
        ["b1.site.yaml", "b2.site.yaml", "fixtures.site.yaml", "site/old/riverside.old.site.yaml", "site/riverside.site.yaml",
            "tests/fixtures/deep/more.site.yml", "tests/fixtures/dup.site.yaml", "tests/unit.site.yaml"];

    [Theory]
    // a name at any depth (fixtures.site.yaml is another name)
    [InlineData("fixtures", "tests/fixtures/deep/more.site.yml tests/fixtures/dup.site.yaml")]
    [InlineData("fixtures/", "tests/fixtures/deep/more.site.yml tests/fixtures/dup.site.yaml")] // folders only
    [InlineData("**/fixtures/**", "tests/fixtures/deep/more.site.yml tests/fixtures/dup.site.yaml")]
    [InlineData("/tests", "tests/fixtures/deep/more.site.yml tests/fixtures/dup.site.yaml tests/unit.site.yaml")] // from the root
    [InlineData("tests/*.site.yaml", "tests/unit.site.yaml")] // “*” stays in one folder
    [InlineData("*.old.site.yaml", "site/old/riverside.old.site.yaml")]
    [InlineData("b[12].site.yaml", "b1.site.yaml b2.site.yaml")]
    [InlineData("b?.site.yaml", "b1.site.yaml b2.site.yaml")]
    [InlineData("tests/**/*.yml", "tests/fixtures/deep/more.site.yml")]
    [InlineData("site/old", "site/old/riverside.old.site.yaml")]
    [InlineData("old", "site/old/riverside.old.site.yaml")]
    public void Globs_follow_gitignore(string glob, string excluded)
    {
        Layout();
        var expected = All.Except(excluded.Split(' ')).ToList();
        Assert.Equal(expected, Found(glob));
        // The same glob in the root's .certlspignore leaves out the same files.
        Write(ManifestExclusions.IgnoreFileName, $"# fixtures are not sites\n\n{glob}\n");
        Assert.Equal(expected, Found());
    }

    [Fact]
    public void The_ignore_file_reports_what_it_cannot_use_and_named_files_are_always_checked()
    {
        Layout();
        Write(ManifestExclusions.IgnoreFileName, "tests/\r\n!tests/unit.site.yaml\r\nsite/[old\r\n");
        var problems = new List<string>();
        var found = ManifestFiles.Expand([root], [], problems.Add);
        Assert.DoesNotContain(found, f => f.Contains($"{Path.DirectorySeparatorChar}tests{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal));
        Assert.Equal(2, problems.Count);
        Assert.EndsWith(".certlspignore:2: “!” (re-including) is not supported; the line is ignored", problems[0],
            StringComparison.Ordinal);
        Assert.EndsWith(".certlspignore:3: not a glob CertLsp can read (an unclosed “[”); the line is ignored", problems[1],
            StringComparison.Ordinal);
        // A file named on the command line is checked whatever the globs say.
        string fixture = Path.Combine(root, "tests", "fixtures", "dup.site.yaml");
        Assert.Contains(fixture, ManifestFiles.Expand([root, fixture], ["tests"]));
    }

    [Fact]
    public void Excludes_answers_for_paths_below_the_root_only()
    {
        Write(ManifestExclusions.IgnoreFileName, "fixtures/\n");
        var exclusions = ManifestExclusions.For(root, ["*.draft.site.yaml"]);
        Assert.True(exclusions.Excludes(Path.Combine(root, "tests", "fixtures", "a.site.yaml"), isFolder: false));
        Assert.True(exclusions.Excludes(Path.Combine(root, "x", "node_modules", "a.site.yaml"), isFolder: false));
        Assert.True(exclusions.Excludes(Path.Combine(root, "a.draft.site.yaml"), isFolder: false));
        // a file named fixtures: the glob is for folders
        Assert.False(exclusions.Excludes(Path.Combine(root, "fixtures"), isFolder: false));
        Assert.False(exclusions.Excludes(Path.Combine(root, "site", "a.site.yaml"), isFolder: false));
        Assert.False(exclusions.Excludes(Path.Combine(Path.GetTempPath(), "elsewhere", "fixtures", "a.site.yaml"), isFolder: false));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
