using System.Collections.Concurrent;
using System.Text;
using CertLsp.Core.Configuration;
using CertLsp.Workflows.Review;

namespace CertLsp.Workflows.Tests.Review;

/// <summary>A revision's manifests read with git, in a temporary repository and a linked worktree of it; every git run through the
/// seam.</summary>
public sealed class GitRevisionsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-git-").FullName;

    // GitRevisions runs a few git processes at once: recorded from several threads.
    private readonly ConcurrentQueue<string> runs = new();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Repo => Path.Combine(folder, "repo");

    private static async Task Git(string directory, params string[] args)
    {
        var result = await GitRevisions.RunProcessAsync(directory,
            ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", .. args], CancellationToken.None);
        Assert.True(result.Exit == 0, Encoding.UTF8.GetString(result.Error));
    }

    private GitRevisions Recorded() => new((directory, arguments, cancellationToken) =>
    {
        runs.Enqueue(string.Join(' ', arguments));
        return GitRevisions.RunProcessAsync(directory, arguments, cancellationToken);
    });

    [Fact]
    public async Task A_named_manifest_comes_with_its_ledger_and_a_worktree_shares_the_common_git_folder()
    {
        Directory.CreateDirectory(Path.Combine(Repo, "sites"));
        File.WriteAllText(Path.Combine(Repo, "sites", "a.site.yaml"), "site: A\n");
        File.WriteAllText(Path.Combine(Repo, "sites", "a.site.ledger"), "not read here\n");
        File.WriteAllText(Path.Combine(Repo, "sites", "b.site.yaml"), "site: B\n");
        await Git(Repo, "init", "-q");
        await Git(Repo, "add", "-A");
        await Git(Repo, "commit", "-q", "-m", "sites");
        var git = Recorded();

        var files = await git.FilesAsync(Repo, "HEAD", [Path.Combine(Repo, "sites", "a.site.yaml")], p =>
            Path.GetRelativePath(Repo, p).Replace('\\', '/'));
        var file = Assert.Single(files);
        Assert.Equal(("sites/a.site.yaml", "site: A\n", "HEAD:sites/a.site.ledger"), (file.Path, file.Text, file.Ledger?.Path));
        // git show gets the commit's hash, never the name
        Assert.All(runs, r => Assert.DoesNotContain(" HEAD:", r, StringComparison.Ordinal));

        await Git(Repo, "worktree", "add", "-q", Path.Combine(folder, "linked"));
        var main = await git.LocateAsync(Path.Combine(Repo, "sites"));
        var linked = await git.LocateAsync(Path.Combine(folder, "linked", "sites"));
        Assert.Equal((Path.GetFullPath(Repo), Path.Combine(Path.GetFullPath(Repo), ".git")), (main.Root, main.GitDir));
        Assert.Equal(main.CommonDir.TrimEnd(Path.DirectorySeparatorChar), linked.CommonDir.TrimEnd(Path.DirectorySeparatorChar));
        Assert.NotEqual(main.GitDir, linked.GitDir);
        Assert.True(File.Exists(Path.Combine(linked.GitDir, "HEAD")));
    }

    [Fact]
    public async Task Each_revision_brings_its_own_nearest_certlsp_json_not_the_working_tree_s()
    {
        Directory.CreateDirectory(Path.Combine(Repo, "sites", "north"));
        File.WriteAllText(Path.Combine(Repo, "sites", "north", "n.site.yaml"), "site: N\n");
        File.WriteAllText(Path.Combine(Repo, "sites", "s.site.yaml"), "site: S\n");
        File.WriteAllText(Path.Combine(Repo, "other.site.yaml"), "site: O\n");
        File.WriteAllText(Path.Combine(Repo, "sites", "certlsp.json"), """{ "rules": { "CL0601": "off" } }""");
        await Git(Repo, "init", "-q");
        await Git(Repo, "add", "-A");
        await Git(Repo, "commit", "-q", "-m", "base");
        File.WriteAllText(Path.Combine(Repo, "sites", "certlsp.json"), """{ "rules": { "CL0601": "warning" } }""");
        File.WriteAllText(Path.Combine(Repo, "certlsp.json"), "\0\0 not text");
        await Git(Repo, "add", "-A");
        await Git(Repo, "commit", "-q", "-m", "head");
        File.WriteAllText(Path.Combine(Repo, "sites", "certlsp.json"), """{ "rules": { "CL0601": "hint" } }""");
        var git = Recorded();

        var before = (await git.FilesAsync(Repo, "HEAD~1", [], p => Path.GetRelativePath(Repo, p).Replace('\\', '/')))
            .ToDictionary(f => f.Path);
        Assert.Equal(["other.site.yaml", "sites/north/n.site.yaml", "sites/s.site.yaml"], before.Keys.Order(StringComparer.Ordinal));
        Assert.Same(CheckSettings.None, before["other.site.yaml"].Settings);
        foreach (var path in new[] { "sites/north/n.site.yaml", "sites/s.site.yaml" })
        {
            var settings = before[path].Settings!;
            Assert.Equal(("HEAD~1:sites/certlsp.json", RuleLevel.Off), (settings.Path, settings.Levels["CL0601"]));
        }
        var after = (await git.FilesAsync(Repo, "HEAD", [Path.Combine(Repo, "sites")], p => Path.GetRelativePath(Repo, p)
            .Replace('\\', '/'))).ToDictionary(f => f.Path);
        Assert.Equal(["sites/north/n.site.yaml", "sites/s.site.yaml"], after.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(RuleLevel.Warning, after["sites/north/n.site.yaml"].Settings!.Levels["CL0601"]);
        // A certlsp.json of the revision that is not text is a CL0701 on it, as on disk; the review goes on.
        var root = (await git.FilesAsync(Repo, "HEAD", [Path.Combine(Repo, "other.site.yaml")], p => Path.GetRelativePath(Repo, p)
            .Replace('\\', '/'))).Single().Settings!;
        Assert.Equal(("HEAD:certlsp.json", "CL0701"), (root.Path, Assert.Single(root.Problems).Code));
        Assert.Equal(3, runs.Count(r => r.StartsWith("show ", StringComparison.Ordinal)
            && r.EndsWith("certlsp.json", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Outside_a_repository_or_with_a_revision_not_in_the_clone_the_reason_is_said()
    {
        var git = Recorded();
        var outside = await Assert.ThrowsAsync<GitRevisionException>(() => git.RootAsync(folder));
        Assert.Contains("is not in a git repository", outside.Message, StringComparison.Ordinal);
        Directory.CreateDirectory(Repo);
        await Git(Repo, "init", "-q");
        var missing = await Assert.ThrowsAsync<GitRevisionException>(() => git.ResolveAsync(Repo, "--upload-pack=touch x"));
        Assert.Equal("the revision “--upload-pack=touch x” is not in this clone", missing.Message);
        Assert.False(File.Exists(Path.Combine(Repo, "x")));
    }
}
