using System.CommandLine;
using CertLsp.Cli.Output;
using CertLsp.Core.Review;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Review;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp review --base REV [--head REV] [paths]</c> or <c>certlsp review OLD NEW</c>: what a change does to a site's certificates,
/// as text, markdown, json or SARIF (the findings it introduces); the exit code per <c>--fail-on</c>.
/// </summary>
public static class ReviewCommand
{
    private sealed class ReviewFailure(string message) : Exception(message);

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description =
                "With --base: manifests or folders to review (default: the whole repository). Without: the old and the new file or folder",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var baseRev = new Option<string?>("--base") { Description = "The git revision to compare against (read with git show)" };
        var headRev = new Option<string?>("--head") { Description = "The git revision to review (default: the working tree)" };
        var format = new Option<string>("--format", "-f")
        {
            Description =
            "Output format: text, markdown, json, or sarif or codeclimate (GitLab code quality) of the introduced findings",
            DefaultValueFactory = _ => "text"
        };
        format.AcceptOnlyFromAmong("text", "markdown", "json", "sarif", "codeclimate");
        var failOn = new Option<string>("--fail-on")
        {
            Description =
            "Exit 1 when: none, new-errors (the change introduces an error), certificate-impact (it voids an issued certificate or a " +
            "pending CSR)", DefaultValueFactory = _ => "none"
        };
        failOn.AcceptOnlyFromAmong("none", "new-errors", "certificate-impact");
        var command = new Command("review",
            "Show what a change does to a site's certificates: devices, CSRs to request again, zips, ledger, findings introduced and fixed")
        {
            paths, baseRev, headRev, format, failOn,
        };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(paths) ?? [], result.GetValue(baseRev),
            result.GetValue(headRev),
            result.GetValue(format)!, result.GetValue(failOn)!, DateTimeOffset.UtcNow, stdout, stderr,
                cancellationToken: cancellationToken));
        return command;
    }

    /// <param name="relativeTo">The folder paths are shown relative to (default: the working folder).</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> paths, string? baseRev, string? headRev, string format, string failOn,
        DateTimeOffset now,
        TextWriter stdout, TextWriter stderr, string? relativeTo = null, CancellationToken cancellationToken = default)
    {
        List<ReviewFile> before, after;
        string baseName, headName;
        Func<string, string> display = path => DisplayPath.For(path, relativeTo);
        try
        {
            if (baseRev is not null)
            {
                var git = new GitRevisions();
                string root = await git.RootAsync(Directory.GetCurrentDirectory(), cancellationToken).ConfigureAwait(false);
                // Both states are read at once (git processes wait on the disk and on each other); the base's failure is said first.
                var baseFiles = git.FilesAsync(root, baseRev, paths, display, cancellationToken);
                var headFiles = headRev is null ? Task.Run(() => WorkingTree(root, paths, display), cancellationToken)
                    : git.FilesAsync(root, headRev, paths, display, cancellationToken);
                await Task.WhenAll(baseFiles, headFiles).ConfigureAwait(false);
                (before, after) = (await baseFiles.ConfigureAwait(false), await headFiles.ConfigureAwait(false));
                (baseName, headName) = (baseRev, headRev ?? "working tree");
            }
            else if (headRev is not null)
            {
                throw new ReviewFailure("--head needs --base");
            }
            else if (paths.Count == 2)
            {
                (before, after) = TwoStates(paths[0], paths[1], display);
                // Named as given, or relative to the folder asked for (the demo's temporary copies).
                (baseName, headName) = relativeTo is null ? (paths[0], paths[1])
                    : (display(Path.GetFullPath(paths[0])), display(Path.GetFullPath(paths[1])));
            }
            else
            {
                throw new ReviewFailure("give --base REV (and optionally --head REV), or the old and the new manifest file or folder");
            }
        }
        catch (Exception ex) when (ex is ReviewFailure or ManifestReadException or GitRevisionException)
        {
            stderr.WriteLine($"certlsp: {ex.Message}");
            return Program.CouldNotRun;
        }
        if (before.Count == 0 && after.Count == 0)
        {
            stderr.WriteLine("certlsp: no site manifests (*.site.yaml, *.site.yml) in either state");
            return Program.CouldNotRun;
        }
        var review = SiteReviewer.Review(before, after, now);
        string range = $"{baseName} → {headName}";
        switch (format)
        {
            case "markdown": ReviewText.WriteMarkdown(review, range, stdout); break;
            case "json": ReviewReport.WriteJson(review, baseName, headName, stdout); break;
            case "sarif": new SarifReport().Write(review.IntroducedOnly(), stdout); break;
            case "codeclimate": new CodeClimateReport().Write(review.IntroducedOnly(), stdout); break;
            default: ReviewText.WriteText(review, range, stdout); break;
        }
        bool fail = failOn switch
        {
            "new-errors" => review.IntroducedErrors > 0,
            "certificate-impact" => review.HasCertificateImpact,
            _ => false,
        };
        return fail ? Program.Findings : Program.Ok;
    }

    /// <summary>The working tree's manifests under the paths (the whole repository by default), with their ledgers.</summary>
    private static List<ReviewFile> WorkingTree(string root, IReadOnlyList<string> paths, Func<string, string> display)
    {
        // A path the change deleted is not in the working tree: its manifests are then only in the base (deleted).
        var existing = paths.Where(p => File.Exists(p) || Directory.Exists(p)).ToList();
        if (paths.Count > 0 && existing.Count == 0) return [];
        var files = ManifestFiles.Expand(paths.Count == 0 ? [root] : existing);
        var configs = new ConfigFiles(c => display(Path.GetFullPath(c)));
        return [.. files.Select(f => ReadFile(f, display, configs))];
    }

    /// <summary>Two files, or two folders whose manifests pair by their path inside the folder. Both states are named by the new
    /// paths.</summary>
    private static (List<ReviewFile>, List<ReviewFile>) TwoStates(string old, string now, Func<string, string> display)
    {
        bool folders = Directory.Exists(old) && Directory.Exists(now);
        if (!folders && !(File.Exists(old) && File.Exists(now)))
        {
            throw new ReviewFailure($"{old} and {now}: give two existing manifest files or two folders");
        }
        string oldRoot = Path.GetFullPath(folders ? old : Path.GetDirectoryName(Path.GetFullPath(old))!);
        string newRoot = Path.GetFullPath(folders ? now : Path.GetDirectoryName(Path.GetFullPath(now))!);
        var configs = new ConfigFiles(c => display(Path.GetFullPath(c)));
        var after = ManifestFiles.Expand([now]).Select(f => ReadFile(f, display, configs)).ToList();
        // The old state is named as the new one would be, so that a file pairs with its new version.
        var before = ManifestFiles.Expand([old]).Select(f => ReadFile(f, display, configs) with
        {
            Path = folders ? display(Path.Combine(newRoot, Path.GetRelativePath(oldRoot, Path.GetFullPath(f)))) : after[0].Path,
        }).ToList();
        return (before, after);
    }

    /// <summary>A manifest on disk with its ledger (one that is not text carries its error, so the review names it and goes on) and
    /// the certlsp.json that applies to it.</summary>
    private static ReviewFile ReadFile(string manifest, Func<string, string> display, ConfigFiles configs)
    {
        string ledger = LedgerFile.PathFor(manifest);
        return new ReviewFile(display(Path.GetFullPath(manifest)), ManifestFiles.Read(manifest),
            LedgerFile.Input(ledger, display(Path.GetFullPath(ledger))), configs.For(manifest));
    }
}
