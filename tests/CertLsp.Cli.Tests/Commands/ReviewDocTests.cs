using Xunit;

namespace CertLsp.Cli.Tests.Commands;

/// <summary>
/// The markdown review that docs/review.md shows whole and README.md begins with is the real command's output: the bundled examples
/// committed to a temporary repository, the change the docs describe made in its working tree, <c>certlsp review --base HEAD
/// examples --format markdown</c> run there.
/// </summary>
public sealed class ReviewDocTests : WithTempFolder
{
    [Fact]
    public void The_review_of_the_bundled_examples_in_the_docs_and_the_readme_is_the_command_s_output()
    {
        string repo = Path.Combine(Temp.Path, "repo");
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("examples"), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(repo, "examples", Path.GetRelativePath(RepoPaths.Combine("examples"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Cli.Git(repo, "init", "-q");
        Cli.Git(repo, "add", "-A");
        Cli.Git(repo, "commit", "-q", "-m", "examples");
        void Edit(string path, string from, string to)
        {
            string full = Path.Combine(repo, "examples", path);
            string text = File.ReadAllText(full);
            Assert.Contains(from, text, StringComparison.Ordinal);
            File.WriteAllText(full, text.Replace(from, to, StringComparison.Ordinal));
        }
        Edit("harbor-tower/harbor-tower.site.yaml", "  - name: ahu-1\n", "  - name: AHU-1B\n");
        Edit("riverside-campus/riverside.site.yaml", "  - name: AHU-2\n", "  - name: AHU-2-East\n");
        Edit("lakeside-plant/lakeside.site.yaml", "organizationalUnit: Plant Controls", "organizationalUnit: Plant Operations");
        var outcome = Cli.RunProcess(repo, "review", "--base", "HEAD", "examples", "--format", "markdown");
        Assert.True(outcome.Exit == 0, outcome.ToString());
        var produced = outcome.Stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
        while (produced.Count > 0 && produced[^1].Length == 0) produced.RemoveAt(produced.Count - 1);

        // docs/review.md: the whole output, indented as a code block, up to the next heading.
        var doc = File.ReadAllLines(RepoPaths.Combine("docs", "review.md"));
        int start = Array.IndexOf(doc, "    " + produced[0]);
        Assert.True(start >= 0, "docs/review.md has no review of the examples");
        var shown = doc.Skip(start).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Select(l => l.Length >= 4 ? l[4..].TrimEnd() : l.Trim()).ToList();
        while (shown.Count > 0 && shown[^1].Length == 0) shown.RemoveAt(shown.Count - 1);
        Assert.Equal(produced, shown);

        // README.md: its beginning (the headline and the summary table), in a markdown block.
        var readme = File.ReadAllLines(RepoPaths.Combine("README.md"));
        int at = Array.IndexOf(readme, produced[0]);
        Assert.True(at > 0 && readme[at - 1] == "```markdown", "README.md has no review of the examples");
        var excerpt = readme.Skip(at).TakeWhile(l => l != "```").ToList();
        Assert.True(excerpt.Count >= 5, string.Join('\n', excerpt));
        Assert.Equal(produced.Take(excerpt.Count), excerpt);
    }
}
