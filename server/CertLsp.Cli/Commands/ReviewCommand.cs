using System.CommandLine;
using System.Diagnostics;
using CertLsp.Cli.Output;
using CertLsp.Core.Review;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;

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
        command.SetAction(result => Run(result.GetValue(paths) ?? [], result.GetValue(baseRev), result.GetValue(headRev),
            result.GetValue(format)!,
            result.GetValue(failOn)!, DateTimeOffset.UtcNow, stdout, stderr));
        return command;
    }

    public static int Run(IReadOnlyList<string> paths, string? baseRev, string? headRev, string format, string failOn, DateTimeOffset now,
        TextWriter stdout, TextWriter stderr)
    {
        List<ReviewFile> before, after;
        string baseName, headName;
        try
        {
            if (baseRev is not null)
            {
                string root = Git.Root();
                before = Git.Files(root, baseRev, paths);
                after = headRev is null ? WorkingTree(root, paths) : Git.Files(root, headRev, paths);
                (baseName, headName) = (baseRev, headRev ?? "working tree");
            }
            else if (headRev is not null)
            {
                throw new ReviewFailure("--head needs --base");
            }
            else if (paths.Count == 2)
            {
                (before, after) = TwoStates(paths[0], paths[1]);
                (baseName, headName) = (paths[0], paths[1]);
            }
            else
            {
                throw new ReviewFailure("give --base REV (and optionally --head REV), or the old and the new manifest file or folder");
            }
        }
        catch (Exception ex) when (ex is ReviewFailure or ManifestReadException)
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
            case "markdown": ReviewReport.WriteMarkdown(review, range, stdout); break;
            case "json": ReviewReport.WriteJson(review, baseName, headName, stdout); break;
            case "sarif": new SarifReport().Write(review.IntroducedOnly(), stdout); break;
            case "codeclimate": new CodeClimateReport().Write(review.IntroducedOnly(), stdout); break;
            default: ReviewReport.WriteText(review, range, stdout); break;
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
    private static List<ReviewFile> WorkingTree(string root, IReadOnlyList<string> paths)
    {
        // A path the change deleted is not in the working tree: its manifests are then only in the base (deleted).
        var existing = paths.Where(p => File.Exists(p) || Directory.Exists(p)).ToList();
        if (paths.Count > 0 && existing.Count == 0) return [];
        var files = ManifestFiles.Expand(paths.Count == 0 ? [root] : existing);
        return [.. files.Select(ReadFile)];
    }

    /// <summary>Two files, or two folders whose manifests pair by their path inside the folder. Both states are named by the new
    /// paths.</summary>
    private static (List<ReviewFile>, List<ReviewFile>) TwoStates(string old, string now)
    {
        bool folders = Directory.Exists(old) && Directory.Exists(now);
        if (!folders && !(File.Exists(old) && File.Exists(now)))
        {
            throw new ReviewFailure($"{old} and {now}: give two existing manifest files or two folders");
        }
        string oldRoot = Path.GetFullPath(folders ? old : Path.GetDirectoryName(Path.GetFullPath(old))!);
        string newRoot = Path.GetFullPath(folders ? now : Path.GetDirectoryName(Path.GetFullPath(now))!);
        List<ReviewFile> Read(string input) => [.. ManifestFiles.Expand([input]).Select(ReadFile)];
        var after = Read(now);
        // The old state is named as the new one would be, so that a file pairs with its new version.
        var before = Read(old).Select(f => f with
        {
            Path = folders
            ? DisplayPath.For(Path.Combine(newRoot, Path.GetRelativePath(oldRoot, f.Path))) : after[0].Path
        }).ToList();
        return (before, after);
    }

    /// <summary>A manifest on disk with its ledger (one that is not text carries its error, so the review names it and goes on).</summary>
    private static ReviewFile ReadFile(string manifest)
    {
        string ledger = LedgerFile.PathFor(manifest);
        return new ReviewFile(DisplayPath.For(manifest), ManifestFiles.Read(manifest), LedgerFile.Input(ledger, DisplayPath.For(ledger)));
    }

    /// <summary>Manifests and ledgers of a revision, read with git (ls-tree, show).</summary>
    private static class Git
    {
        public static string Root()
        {
            var (exit, output, error) = Run(Directory.GetCurrentDirectory(), "rev-parse", "--show-toplevel");
            if (exit != 0) throw new ReviewFailure($"--base needs a git repository: {Text(error).Trim()}");
            return Text(output).Trim();
        }

        public static List<ReviewFile> Files(string root, string revision, IReadOnlyList<string> paths)
        {
            var (exit, resolved, _) = Run(root, "rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}");
            if (exit != 0)
            {
                bool shallow = Text(Run(root, "rev-parse", "--is-shallow-repository").Output).Trim() == "true";
                throw new ReviewFailure($"the revision “{revision}” is not in this clone"
                    + (shallow
                        ? " (it is a shallow clone: fetch the base, e.g. git fetch --deepen=50, or actions/checkout with fetch-depth: 0)"
                        : ""));
            }
            // The commit's hash from here on: git ls-tree and git show then never read the revision as an option.
            string commit = Text(resolved).Trim();
            var specs = paths.Select(p => Path.GetRelativePath(root, Path.GetFullPath(p)).Replace('\\', '/')).ToArray();
            var (listExit, listing, listError) = Run(root, ["ls-tree", "-r", "-z", "--name-only", commit, "--", .. specs]);
            if (listExit != 0) throw new ReviewFailure($"git ls-tree {revision}: {Text(listError).Trim()}");
            var names = Text(listing).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            var present = names.ToHashSet(StringComparer.Ordinal);
            var files = new List<ReviewFile>();
            foreach (var name in names.Where(ManifestFiles.IsManifestPath).Order(StringComparer.Ordinal))
            {
                string display = DisplayPath.For(Path.Combine(root, name));
                string text = ManifestFiles.Decode($"{revision}:{name}", Show(root, commit, revision, name));
                string ledger = LedgerFile.PathFor(name).Replace('\\', '/');
                var ledgerInput = present.Contains(ledger)
                    ? LedgerFile.Input($"{revision}:{DisplayPath.For(Path.Combine(root, ledger))}", Show(root, commit, revision, ledger))
                    : null;
                files.Add(new ReviewFile(display, text, ledgerInput));
            }
            return files;
        }

        private static byte[] Show(string root, string commit, string revision, string path)
        {
            var (exit, output, error) = Run(root, "show", $"{commit}:{path}");
            if (exit != 0) throw new ReviewFailure($"git show {revision}:{path}: {Text(error).Trim()}");
            if (output.Length > ManifestFiles.MaxFileBytes) throw new ReviewFailure(
                $"{revision}:{path}: the file has {output.Length:N0} bytes; a site manifest is refused above " +
                $"{ManifestFiles.MaxFileBytes:N0} bytes");
            return output;
        }

        private static string Text(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);

        private static (int Exit, byte[] Output, byte[] Error) Run(string directory, params string[] args)
        {
            var info = new ProcessStartInfo("git")
            {
                WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError =
                true, RedirectStandardInput = true, UseShellExecute = false
            };
            foreach (var a in args) info.ArgumentList.Add(a);
            info.Environment["GIT_TERMINAL_PROMPT"] = "0";
            Process process;
            try
            {
                process = Process.Start(info) ?? throw new ReviewFailure("git could not be started");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new ReviewFailure($"git could not be started ({ex.Message}); --base needs git on the PATH");
            }
            using (process)
            {
                process.StandardInput.Close();
                using var output = new MemoryStream();
                using var error = new MemoryStream();
                var errorTask = process.StandardError.BaseStream.CopyToAsync(error);
                process.StandardOutput.BaseStream.CopyTo(output);
                errorTask.GetAwaiter().GetResult();
                process.WaitForExit();
                return (process.ExitCode, output.ToArray(), error.ToArray());
            }
        }
    }
}
