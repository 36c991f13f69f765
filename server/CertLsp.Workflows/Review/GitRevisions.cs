using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using CertLsp.Core.Configuration;
using CertLsp.Core.Review;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;

namespace CertLsp.Workflows.Review;

/// <summary>Why a revision's manifests could not be read: no repository, a revision not in this clone, git missing or failing.</summary>
public sealed class GitRevisionException(string message) : Exception(message);

/// <summary>What one git run returned: its exit code, standard output and standard error.</summary>
public sealed record GitOutput(int Exit, byte[] Output, byte[] Error);

/// <summary>Runs git with these arguments in this folder (the seam tests replace to see every call).</summary>
public delegate Task<GitOutput> GitRunner(string directory, IReadOnlyList<string> arguments, CancellationToken cancellationToken);

/// <summary>
/// The manifests and ledgers of a git revision, read with <c>git ls-tree</c> and <c>git show</c>, for <c>certlsp review</c> and the
/// editor's review: a revision missing from the clone (a typo, a shallow CI clone) is said clearly, never a crash.
/// </summary>
public sealed class GitRevisions(GitRunner? runner = null)
{
    private readonly GitRunner run = runner ?? RunProcessAsync;

    /// <summary>The repository's top folder holding <paramref name="directory"/>.</summary>
    public async Task<string> RootAsync(string directory, CancellationToken cancellationToken = default) =>
        (await LocateAsync(directory, cancellationToken).ConfigureAwait(false)).Root;

    /// <summary>The repository holding <paramref name="directory"/>: its top folder, its git folder and its common git folder (shared by
    /// worktrees).</summary>
    public async Task<(string Root, string GitDir, string CommonDir)> LocateAsync(string directory, CancellationToken cancellationToken =
        default)
    {
        var (exit, output, error) = await run(directory, ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"],
            cancellationToken).ConfigureAwait(false);
        var lines = Text(output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (exit != 0 || lines.Length != 3) throw new GitRevisionException($"{directory} is not in a git repository: {Text(error).Trim()}");
        return (Path.GetFullPath(lines[0]), Path.GetFullPath(lines[1]), Path.GetFullPath(lines[2], directory));
    }

    /// <summary>The commit a revision names (a hash: git never reads it as an option afterwards), or why it is not in this clone.</summary>
    public async Task<string> ResolveAsync(string root, string revision, CancellationToken cancellationToken = default)
    {
        var (exit, resolved, _) = await run(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"],
            cancellationToken).ConfigureAwait(false);
        if (exit == 0) return Text(resolved).Trim();
        var shallow = await run(root, ["rev-parse", "--is-shallow-repository"], cancellationToken).ConfigureAwait(false);
        throw new GitRevisionException($"the revision “{revision}” is not in this clone"
            + (Text(shallow.Output).Trim() == "true"
                ? " (it is a shallow clone: fetch the base, e.g. git fetch --deepen=50, or actions/checkout with fetch-depth: 0)" : ""));
    }

    /// <summary>
    /// The manifests (with their ledgers) of a revision under the paths (the whole repository when none), each named by
    /// <paramref name="display"/> from its full path in the working tree. A manifest the revision does not hold is left out (added).
    /// </summary>
    public async Task<List<ReviewFile>> FilesAsync(string root, string revision, IReadOnlyList<string> paths, Func<string, string> display,
        CancellationToken cancellationToken = default)
    {
        string commit = await ResolveAsync(root, revision, cancellationToken).ConfigureAwait(false);
        var specs = paths.Select(p => Path.GetRelativePath(root, Path.GetFullPath(p)).Replace('\\', '/')).ToList();
        // A manifest named alone brings its ledger (beside it) along.
        specs.AddRange(specs.Where(ManifestFiles.IsManifestPath).Select(s => LedgerFile.PathFor(s).Replace('\\', '/')).ToList());
        var (listExit, listing, listError) = await run(root, ["ls-tree", "-r", "-z", "--name-only", commit, "--", .. specs],
            cancellationToken).ConfigureAwait(false);
        if (listExit != 0) throw new GitRevisionException($"git ls-tree {revision}: {Text(listError).Trim()}");
        var names = Text(listing).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var present = names.ToHashSet(StringComparer.Ordinal);
        var manifests = names.Where(ManifestFiles.IsManifestPath).Order(StringComparer.Ordinal).ToList();
        // The files are read a few git processes at a time (a site's manifest and its ledger at once), and the certlsp.json files
        // meanwhile: one after the other, the eleven git processes of a review were a tenth of its time (bench/run-review.sh).
        var settingsTask = SettingsAsync(root, commit, revision, manifests, display, cancellationToken);
        var files = new ReviewFile?[manifests.Count];
        var failures = new GitRevisionException?[manifests.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, manifests.Count), new ParallelOptions
        {
            MaxDegreeOfParallelism = ConcurrentReads, CancellationToken = cancellationToken,
        }, async (i, token) =>
        {
            string name = manifests[i];
            string ledger = LedgerFile.PathFor(name).Replace('\\', '/');
            var textTask = ShowAsync(root, commit, revision, name, token);
            var ledgerTask = present.Contains(ledger) ? ShowAsync(root, commit, revision, ledger, token) : null;
            try
            {
                string text;
                try
                {
                    text = ManifestFiles.Decode($"{revision}:{name}", await textTask.ConfigureAwait(false));
                }
                catch (ManifestReadException ex)
                {
                    throw new GitRevisionException(ex.Message);
                }
                var ledgerInput = ledgerTask is null ? null
                    : LedgerFile.Input($"{revision}:{display(Path.Combine(root, ledger))}", await ledgerTask.ConfigureAwait(false));
                files[i] = new ReviewFile(display(Path.Combine(root, name)), text, ledgerInput, null);
            }
            catch (GitRevisionException ex)
            {
                // The first manifest's failure (in path order) is the one said, as when they were read one by one.
                failures[i] = ex;
                if (ledgerTask is not null) await ledgerTask.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        var settings = await settingsTask.ConfigureAwait(false);
        if (failures.OfType<GitRevisionException>().FirstOrDefault() is { } failure) throw failure;
        return [.. files.Select((f, i) => f! with { Settings = settings(manifests[i]) })];
    }

    /// <summary>How many manifests are read at once (each with its ledger: two git processes).</summary>
    private const int ConcurrentReads = 4;

    /// <summary>
    /// The certlsp.json of the revision that applies to each manifest (found as on disk: the nearest folder up to the repository's top
    /// that has one, <see cref="ConfigFiles.Candidates"/>), each read once; a file that is not text is a CL0701, as on disk.
    /// </summary>
    private async Task<Func<string, CheckSettings>> SettingsAsync(string root, string commit, string revision,
        IReadOnlyList<string> manifests, Func<string, string> display, CancellationToken cancellationToken)
    {
        var candidates = manifests.Select(m => ConfigFiles.Candidates(m).Select(c => c.Replace('\\', '/')).ToList()).ToList();
        var wanted = candidates.SelectMany(c => c).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0) return _ => CheckSettings.None;
        var (exit, listing, error) = await run(root, ["ls-tree", "-r", "-z", "--name-only", commit, "--", .. wanted], cancellationToken)
            .ConfigureAwait(false);
        if (exit != 0) throw new GitRevisionException($"git ls-tree {revision}: {Text(error).Trim()}");
        var present = Text(listing).Split('\0', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var nearest = candidates.Select(c => c.FirstOrDefault(present.Contains)).ToList();
        var read = new Dictionary<string, CheckSettings>(StringComparer.Ordinal);
        foreach (var config in nearest.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            string shown = $"{revision}:{display(Path.Combine(root, config))}";
            var bytes = await ShowAsync(root, commit, revision, config, cancellationToken).ConfigureAwait(false);
            read[config] = ConfigFiles.Load(shown, shown, () => ManifestFiles.Decode(shown, bytes, ConfigFiles.Kind));
        }
        var byManifest = manifests.Select((m, i) => (Manifest: m, Config: nearest[i]))
            .ToDictionary(p => p.Manifest, p => p.Config is null ? CheckSettings.None : read[p.Config], StringComparer.Ordinal);
        return m => byManifest[m];
    }

    private async Task<byte[]> ShowAsync(string root, string commit, string revision, string path, CancellationToken cancellationToken)
    {
        var (exit, output, error) = await run(root, ["show", $"{commit}:{path}"], cancellationToken).ConfigureAwait(false);
        if (exit != 0) throw new GitRevisionException($"git show {revision}:{path}: {Text(error).Trim()}");
        if (output.Length > ManifestFiles.MaxFileBytes) throw new GitRevisionException(
            $"{revision}:{path}: the file has {output.Length:N0} bytes; a site manifest is refused above {ManifestFiles.MaxFileBytes:N0} " +
            $"bytes");
        return output;
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>git as a process: no terminal prompt, nothing on its standard input; a missing git is a <see
    /// cref="GitRevisionException"/>.</summary>
    public static async Task<GitOutput> RunProcessAsync(string directory, IReadOnlyList<string> arguments,
        CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true,
            RedirectStandardInput = true, UseShellExecute = false
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new GitRevisionException("git could not be started");
        }
        catch (Win32Exception ex)
        {
            throw new GitRevisionException($"git could not be started ({ex.Message}): reviewing a revision needs git on the PATH");
        }
        using (process)
        {
            process.StandardInput.Close();
            using var output = new MemoryStream();
            using var error = new MemoryStream();
            try
            {
                var errorTask = process.StandardError.BaseStream.CopyToAsync(error, cancellationToken);
                await process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                await errorTask.ConfigureAwait(false);
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            return new GitOutput(process.ExitCode, output.ToArray(), error.ToArray());
        }
    }
}
