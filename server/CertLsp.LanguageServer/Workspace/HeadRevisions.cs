using System.Collections.Concurrent;
using CertLsp.Core.Checking;
using CertLsp.Workflows.Review;

namespace CertLsp.LanguageServer.Workspace;

/// <summary>
/// The manifests at HEAD that the rename lenses compare the open text with: per document, read with git once per HEAD commit. Whether
/// HEAD moved is told from git's own files (the size and time of HEAD, its reflog, the branch's ref and packed-refs), so typing runs
/// no git at all; a commit, checkout or reset runs <c>git rev-parse HEAD</c> once, and <c>git show</c> only when the commit changed.
/// </summary>
public sealed class HeadRevisions
{
    /// <summary>A repository: its top folder, its git folder (HEAD, logs/HEAD) and its common git folder (refs, packed-refs).</summary>
    private sealed record Repository(string Root, string GitDir, string CommonDir);

    /// <summary>One document's version at HEAD: the stamp of git's files it was checked at, the commit, and the parse (null: not in
    /// HEAD).</summary>
    private sealed record Entry(string Stamp, string? Commit, ManifestDocument? Base);

    private readonly ConcurrentDictionary<string, Task<Repository?>> repositories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <summary>How many times a document's HEAD version was read with git (tests: none per keystroke).</summary>
    public int Reads => reads;

    private int reads;

    /// <summary>
    /// The manifest at <paramref name="path"/> as HEAD has it, or null: not in a git repository, no commit yet, or not in HEAD.
    /// Git failing is a <see cref="GitRevisionException"/>.
    /// </summary>
    public async Task<ManifestDocument?> BaseAsync(GitRevisions git, string path, CancellationToken cancellationToken)
    {
        string folder = Path.GetDirectoryName(path)!;
        var repository = await repositories.GetOrAdd(folder, f => FindAsync(git, f)).ConfigureAwait(false);
        if (repository is null) return null;
        string stamp = Stamp(repository);
        if (entries.TryGetValue(path, out var known) && known.Stamp == stamp) return known.Base;
        string commit;
        try
        {
            commit = await git.ResolveAsync(repository.Root, "HEAD", cancellationToken).ConfigureAwait(false);
        }
        catch (GitRevisionException)
        {
            entries[path] = new Entry(stamp, null, null); // no commit yet
            return null;
        }
        if (known is not null && known.Commit == commit)
        {
            entries[path] = known with { Stamp = stamp };
            return known.Base;
        }
        Interlocked.Increment(ref reads);
        var files = await git.FilesAsync(repository.Root, commit, [path], p => p, cancellationToken).ConfigureAwait(false);
        var file = files.FirstOrDefault(); // asked for this one path: the one manifest, or none
        var parsed = file is null ? null : ManifestDocument.Parse(path, file.Text, file.Ledger);
        entries[path] = new Entry(stamp, commit, parsed);
        return parsed;
    }

    private static async Task<Repository?> FindAsync(GitRevisions git, string folder)
    {
        try
        {
            var (root, gitDir, commonDir) = await git.LocateAsync(folder).ConfigureAwait(false);
            return new Repository(root, gitDir, commonDir);
        }
        catch (GitRevisionException)
        {
            return null;
        }
    }

    /// <summary>Size and time of the files a commit, checkout or reset changes (no git run).</summary>
    private static string Stamp(Repository repository)
    {
        var files = new List<string> { Path.Combine(repository.GitDir, "HEAD"), Path.Combine(repository.GitDir, "logs", "HEAD"),
            Path.Combine(repository.CommonDir, "packed-refs") };
        try
        {
            string head = File.ReadAllText(files[0]).Trim();
            if (head.StartsWith("ref: ", StringComparison.Ordinal)) files.Add(Path.Combine(repository.CommonDir, head["ref: ".Length..]));
        }
        catch (IOException)
        {
            // Being rewritten: the stamp below differs from the last one anyway.
        }
        return string.Join("|", files.Select(f => new FileInfo(f) is { Exists: true } i ? $"{i.Length}:{i.LastWriteTimeUtc.Ticks}" : "-"));
    }
}
