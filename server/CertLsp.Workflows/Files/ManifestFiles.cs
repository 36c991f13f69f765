using System.Text;

namespace CertLsp.Workflows.Files;

/// <summary>A manifest file that cannot be checked at all (missing, unreadable, not text): a one-line reason.</summary>
public sealed class ManifestReadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What a text file read by <see cref="ManifestFiles.Read"/> is, for its refusals: "a site manifest is UTF-8 YAML", "save the
/// manifest as UTF-8".</summary>
public sealed record TextFileKind(string Noun, string ShortNoun, string Format)
{
    public static TextFileKind Manifest { get; } = new("site manifest", "manifest", "UTF-8 YAML");

    public static TextFileKind Ledger { get; } = new("CertLsp ledger", "ledger", "UTF-8 text written by certlsp");
}

/// <summary>Finds manifests (*.site.yaml, *.site.yml) and reads them as strict UTF-8 text.</summary>
public static class ManifestFiles
{
    /// <summary>Larger files are refused before they are read: a site of 100,000 devices is about 10 MB.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    public static bool IsManifestPath(string path) =>
        path.EndsWith(".site.yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".site.yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Files as named (always, even where a glob would leave them out); folders searched recursively for manifests, leaving
    /// out what <see cref="ManifestExclusions"/> says for that folder (the default folders, <paramref name="exclude"/>, its
    /// .certlspignore). Sorted, without duplicates. Problems with globs go to <paramref name="problems"/>.
    /// </summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs, IReadOnlyList<string>? exclude = null,
        Action<string>? problems = null)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (File.Exists(input))
            {
                result.Add(Path.GetFullPath(input));
            }
            else if (Directory.Exists(input))
            {
                var exclusions = ManifestExclusions.For(input, exclude ?? []);
                foreach (var problem in exclusions.Problems) problems?.Invoke(problem);
                foreach (var file in Find(exclusions)) result.Add(file);
            }
            else
            {
                throw new ManifestReadException($"{input}: no such file or folder");
            }
        }
        return [.. result];
    }

    /// <summary>The manifests below the exclusions' root folder that they do not leave out (symbolic links to folders are not followed).
    /// Unsorted.</summary>
    public static IEnumerable<string> Find(ManifestExclusions exclusions)
    {
        var pending = new Stack<string>();
        pending.Push(exclusions.Root);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            IEnumerable<string> files, dirs;
            try
            {
                files = Directory.EnumerateFiles(current).ToList();
                dirs = Directory.EnumerateDirectories(current).ToList();
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                throw new ManifestReadException($"{current}: cannot list the folder ({ex.Message})", ex);
            }
            foreach (var file in files)
            {
                if (IsManifestPath(file) && !exclusions.ExcludesEntry(file, isFolder: false)) yield return file;
            }
            foreach (var dir in dirs)
            {
                if (new DirectoryInfo(dir).LinkTarget is not null || exclusions.ExcludesEntry(dir, isFolder: true)) continue;
                pending.Push(dir);
            }
        }
    }

    /// <summary>Reads a manifest as UTF-8 (a BOM is allowed). Refuses binary files, invalid UTF-8 and oversized files with a clear
    /// reason.</summary>
    public static string Read(string path) => Read(path, TextFileKind.Manifest);

    /// <summary>Reads a UTF-8 text file of the given kind (a BOM is allowed); the refusals name the kind.</summary>
    public static string Read(string path, TextFileKind kind)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new ManifestReadException($"{path}: no such file");
            if (info.Length > MaxFileBytes) throw new ManifestReadException(
                $"{path}: the file has {info.Length:N0} bytes; a {kind.Noun} is refused above {MaxFileBytes:N0} bytes");
            // An empty file is empty text. Not opening it also keeps a named pipe or a device (which report no length)
            // from blocking the read forever.
            if (info.Length == 0) return "";
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ManifestReadException($"{path}: cannot read the file ({FileInUse.Describe(ex)})", ex);
        }
        return Decode(path, bytes, kind);
    }

    /// <summary>The UTF-8 byte-order mark, EF BB BF. (A C# <c>"\xEF…"u8</c> literal would be the UTF-8 of U+00EF…, not these
    /// bytes.)</summary>
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    public static string Decode(string path, ReadOnlySpan<byte> bytes, TextFileKind? kind = null)
    {
        kind ??= TextFileKind.Manifest;
        if (bytes.StartsWith(ByteOrderMark)) bytes = bytes[3..];
        int nul = bytes.IndexOf((byte)0);
        if (nul >= 0) throw new ManifestReadException(
            $"{path}: this is not a text file (a NUL byte at offset {nul}); a {kind.Noun} is {kind.Format}");
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new ManifestReadException(
                $"{path}: this is not UTF-8 text (invalid byte 0x{(ex.BytesUnknown is { Length: > 0 } b ? b[0] : 0):X2} at offset " +
                $"{ex.Index}); save the {kind.ShortNoun} as UTF-8", ex);
        }
    }
}
