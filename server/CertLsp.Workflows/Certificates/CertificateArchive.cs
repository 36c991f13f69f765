using System.IO.Compression;
using CertLsp.Core.Certificates;
using CertLsp.Workflows.Files;

namespace CertLsp.Workflows.Certificates;

/// <summary>A zip or folder refused as a whole, before anything in it is used: the reason names the entry.</summary>
public sealed class ArchiveRejectedException(string reason) : Exception(reason);

/// <summary>What a file in a signed-certificate zip is taken to be, from its name alone.</summary>
public enum ArchiveFileKind
{
    Certificate,
    Issuer,
    Notes,
    Request,
    PrivateKey,
}

/// <summary>One file of an archive, read into memory (never onto disk).</summary>
public sealed record ArchiveFile(string Name, ArchiveFileKind Kind, byte[] Data);

/// <summary>
/// Reads what a CA sent back (a zip, or a folder it was unpacked into) as hostile input. Every entry is judged from the zip's
/// central directory first — names (no traversal, no absolute or drive paths, no backslashes or control characters, no
/// duplicates), types (no symlinks), declared sizes and compression ratios, counts (at most 50 certificates plus issuers and
/// notes) — and the whole archive is refused on the first problem. Only then are the entries read, into memory, each with a
/// hard cap that does not trust the declared size; then files holding only CA certificates are issuer files, whatever their name,
/// and at most 50 device certificate files remain. A single file that is not a zip is read as the whole answer (a certificate, a
/// fullchain PEM or a PKCS#7 bundle).
/// </summary>
public static class CertificateArchive
{
    public const int MaxCertificates = 50;
    public const int MaxIssuerFiles = 10;
    public const int MaxOtherFiles = 10;
    public const int MaxDirectories = 200;
    public const long MaxEntryBytes = 64 * 1024;
    public const long MaxArchiveBytes = 16L * 1024 * 1024;
    public const int MaxCompressionRatio = 100;

    public static IReadOnlyList<ArchiveFile> Read(string path)
    {
        if (Directory.Exists(path)) return ReadFolder(path);
        if (!File.Exists(path)) throw new ArchiveRejectedException($"{path}: no such file or folder");
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) throw new ArchiveRejectedException($"{path} is a symbolic link");
        if (info.Length > MaxArchiveBytes) throw new ArchiveRejectedException(
            $"the zip has {info.Length:N0} bytes; a zip of 50 certificates is refused above {MaxArchiveBytes:N0}");
        using var stream = OpenRead(path);
        // A .zip that is not one is refused as such; any other file that is not a zip is the answer itself (one certificate file).
        if (!path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) && !IsZip(stream)) return ReadSingleFile(stream,
            Path.GetFileName(path));
        return ReadZip(stream);
    }

    /// <summary>Opens the CA's answer; one that another program holds open (Windows: still being saved, or open in an archiver) is refused
    /// as such.</summary>
    private static FileStream OpenRead(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (IOException ex) when (FileInUse.Is(ex))
        {
            throw new ArchiveRejectedException($"{path} cannot be read: {FileInUse.Reason}");
        }
    }

    /// <summary>A zip starts with a local file header, or (empty) with the end of its central directory.</summary>
    private static bool IsZip(Stream stream)
    {
        Span<byte> magic = stackalloc byte[4];
        int read = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        return read == 4 && (magic.SequenceEqual("PK\x03\x04"u8) || magic.SequenceEqual("PK\x05\x06"u8));
    }

    /// <summary>A CA's answer as one file: a certificate, a leaf followed by its chain ("fullchain"), or a PKCS#7 bundle (.p7b).</summary>
    private static IReadOnlyList<ArchiveFile> ReadSingleFile(Stream stream, string name)
    {
        if (stream.Length > MaxEntryBytes) throw new ArchiveRejectedException(
            $"“{Shown(name)}” has {stream.Length:N0} bytes; a certificate file is refused above {MaxEntryBytes:N0}");
        var files = ByContent([new ArchiveFile(name, Classify(name), ReadCapped(stream, name))]);
        CheckCounts(files.Select(f => f.Kind), read: true);
        return files;
    }

    public static IReadOnlyList<ArchiveFile> ReadZip(Stream stream)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw new ArchiveRejectedException($"not a readable zip ({ex.Message})");
        }
        using (zip)
        {
            var entries = zip.Entries.ToList();
            var files = new List<(ZipArchiveEntry Entry, string Name, ArchiveFileKind Kind)>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            int directories = 0;
            foreach (var entry in entries)
            {
                // Zips made on Windows by some tools (PowerShell 5's Compress-Archive) separate folders with a backslash,
                // against the zip format: read as "/", so "certs\ahu-1.pem" is certs/ahu-1.pem and "..\x" leaves its folder.
                string name = entry.FullName.Replace('\\', '/');
                CheckName(name);
                if (!seen.Add(name.TrimEnd('/'))) throw new ArchiveRejectedException($"the name “{Shown(name)}” appears twice");
                int unixType = (entry.ExternalAttributes >> 16) & 0xF000;
                if (unixType == 0xA000) throw new ArchiveRejectedException($"“{Shown(name)}” is a symbolic link");
                if (name.EndsWith('/'))
                {
                    if (++directories > MaxDirectories) throw new ArchiveRejectedException($"more than {MaxDirectories} folders");
                    continue;
                }
                if (unixType is not 0 and not 0x8000) throw new ArchiveRejectedException($"“{Shown(name)}” is not a regular file");
                if (entry.Length > MaxEntryBytes) throw new ArchiveRejectedException(
                    $"“{Shown(name)}” has {entry.Length:N0} bytes; a certificate file is refused above {MaxEntryBytes:N0}");
                if (entry.Length > 1024 && entry.Length > MaxCompressionRatio * Math.Max(1, entry.CompressedLength))
                    throw new ArchiveRejectedException(
                        $"“{Shown(name)}” is compressed {entry.Length / Math.Max(1, entry.CompressedLength)}:1; more than " +
                        $"{MaxCompressionRatio}:1 is refused (a zip bomb)");
                files.Add((entry, name, Classify(name)));
            }
            CheckCounts(files.Select(f => f.Kind), read: false);

            var result = new List<ArchiveFile>(files.Count);
            foreach (var (entry, name, kind) in files)
            {
                try
                {
                    using var content = entry.Open();
                    result.Add(new ArchiveFile(name, kind, ReadCapped(content, name)));
                }
                catch (InvalidDataException ex)
                {
                    throw new ArchiveRejectedException($"“{Shown(name)}” cannot be read ({ex.Message})");
                }
            }
            result = ByContent(result);
            CheckCounts(result.Select(f => f.Kind), read: true);
            return result;
        }
    }

    private static IReadOnlyList<ArchiveFile> ReadFolder(string folder)
    {
        folder = Path.GetFullPath(folder);
        if (new DirectoryInfo(folder).LinkTarget is not null) throw new ArchiveRejectedException($"{folder} is a symbolic link");
        var files = new List<(string Path, string Name, ArchiveFileKind Kind)>();
        var pending = new Stack<(string Path, int Depth)>();
        pending.Push((folder, 0));
        int directories = 0;
        while (pending.Count > 0)
        {
            var (current, depth) = pending.Pop();
            foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos())
            {
                string name = Path.GetRelativePath(folder, entry.FullName).Replace('\\', '/');
                if (entry.LinkTarget is not null) throw new ArchiveRejectedException($"“{Shown(name)}” is a symbolic link");
                if (entry is DirectoryInfo)
                {
                    if (++directories > MaxDirectories || depth > 8) throw new ArchiveRejectedException(
                        "too many or too deeply nested folders");
                    pending.Push((entry.FullName, depth + 1));
                    continue;
                }
                if (entry is not FileInfo file || (file.Attributes & FileAttributes.Device) != 0) throw new ArchiveRejectedException(
                    $"“{Shown(name)}” is not a regular file");
                if (file.Length > MaxEntryBytes) throw new ArchiveRejectedException(
                    $"“{Shown(name)}” has {file.Length:N0} bytes; a certificate file is refused above {MaxEntryBytes:N0}");
                files.Add((file.FullName, name, Classify(name)));
            }
        }
        CheckCounts(files.Select(f => f.Kind), read: false);
        var result = ByContent([.. files.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f =>
        {
            using var stream = File.OpenRead(f.Path);
            return new ArchiveFile(f.Name, f.Kind, ReadCapped(stream, f.Name));
        })]);
        CheckCounts(result.Select(f => f.Kind), read: true);
        return result;
    }

    private static void CheckName(string name)
    {
        if (name.Length == 0) throw new ArchiveRejectedException("an entry has an empty name");
        if (name.Length > 512) throw new ArchiveRejectedException($"the name “{Shown(name)}” is too long");
        if (name.Any(c => c is < (char)0x20 or (char)0x7F)) throw new ArchiveRejectedException(
            $"the name “{Shown(name)}” contains control characters");
        if (name.StartsWith('/') || name.Length >= 2 && name[1] == ':') throw new ArchiveRejectedException(
            $"the name “{Shown(name)}” is an absolute path");
        foreach (var segment in name.TrimEnd('/').Split('/'))
        {
            if (segment is ".." or "." || segment.Length == 0) throw new ArchiveRejectedException(
                $"the name “{Shown(name)}” leaves its folder (path traversal)");
        }
    }

    /// <summary>
    /// Before reading (<paramref name="read"/> false) files are counted by name, and files that may hold certificates may number up to
    /// the device certificates plus the issuer files (an issuer is known by its content, whatever its name: ca.crt). After reading,
    /// certificate files are counted by what they hold (<see cref="ByContent"/>): at most 50 device certificates and 10 issuer files.
    /// </summary>
    private static void CheckCounts(IEnumerable<ArchiveFileKind> kinds, bool read)
    {
        var counts = kinds.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        int Count(ArchiveFileKind k) => counts.GetValueOrDefault(k);
        if (Count(ArchiveFileKind.Certificate) > (read ? MaxCertificates : MaxCertificates + MaxIssuerFiles))
        {
            throw new ArchiveRejectedException(read
                ? $"it holds {Count(ArchiveFileKind.Certificate)} device certificate files; a zip holds at most {MaxCertificates} " +
                    $"operational certificates (besides at most {MaxIssuerFiles} issuer certificates), so the whole zip is refused (as " +
                    $"the vendor tools do)"
                : $"it holds {Count(ArchiveFileKind.Certificate)} certificate files; a zip holds at most {MaxCertificates} operational " +
                    $"certificates and {MaxIssuerFiles} issuer certificates, so the whole zip is refused (as the vendor tools do)");
        }

        if (Count(ArchiveFileKind.Issuer) > MaxIssuerFiles)
            throw new ArchiveRejectedException(
                $"it holds {Count(ArchiveFileKind.Issuer)} issuer files; at most {MaxIssuerFiles} are accepted");
        if (Count(ArchiveFileKind.Request) > MaxCertificates)
            throw new ArchiveRejectedException(
                $"it holds {Count(ArchiveFileKind.Request)} CSR files; a zip answers at most {MaxCertificates} requests");
        int other = Count(ArchiveFileKind.Notes) + Count(ArchiveFileKind.PrivateKey);
        if (other > MaxOtherFiles) throw new ArchiveRejectedException(
            $"it holds {other} files that are neither certificates, issuers nor CSRs; at most {MaxOtherFiles} are accepted");
    }

    /// <summary>
    /// Files named like certificates that hold only CA certificates (basicConstraints CA:TRUE: the CA's own "ca.crt", a chain file)
    /// are issuer files, whatever their name. A file that cannot be read stays a certificate file (and is rejected as one).
    /// </summary>
    private static List<ArchiveFile> ByContent(IEnumerable<ArchiveFile> files) =>
        [.. files.Select(f => f.Kind == ArchiveFileKind.Certificate && OnlyAuthorities(f.Data) ? f with { Kind = ArchiveFileKind.Issuer }
            : f)];

    private static bool OnlyAuthorities(byte[] data)
    {
        try
        {
            var certificates = CertificateFiles.ReadAll(data);
            bool all = certificates.All(CertificateFiles.IsAuthority);
            foreach (var c in certificates) c.Dispose();
            return all;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Reads at most the cap plus one byte: an entry whose real size exceeds what it declared is refused.</summary>
    private static byte[] ReadCapped(Stream stream, string name)
    {
        var buffer = new byte[MaxEntryBytes + 1];
        int total = 0, read;
        while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0) total += read;
        if (total > MaxEntryBytes) throw new ArchiveRejectedException(
            $"“{Shown(name)}” expands beyond {MaxEntryBytes:N0} bytes (its header lied about its size)");
        return buffer[..total];
    }

    /// <summary>Kinds by name: CARI names (opr-, iss-, csr-, key-), issuer folders, notes; everything else is a certificate.</summary>
    public static ArchiveFileKind Classify(string name)
    {
        string lower = name.ToLowerInvariant();
        string file = lower[(lower.LastIndexOf('/') + 1)..];
        if (lower.StartsWith("issuer/", StringComparison.Ordinal) || lower.Contains("/issuer/", StringComparison.Ordinal)
            || file.StartsWith("iss-", StringComparison.Ordinal)) return ArchiveFileKind.Issuer;
        if (file.StartsWith("key-", StringComparison.Ordinal) || file.EndsWith(".key", StringComparison.Ordinal)
            || file.EndsWith(".p12", StringComparison.Ordinal) || file.EndsWith(".pfx",
            StringComparison.Ordinal)) return ArchiveFileKind.PrivateKey;
        if (file.StartsWith("csr-", StringComparison.Ordinal)
            || file.EndsWith(".csr", StringComparison.Ordinal)) return ArchiveFileKind.Request;
        if (file.EndsWith(".txt", StringComparison.Ordinal) || file == "vendor-data" || file.StartsWith('.')) return ArchiveFileKind.Notes;
        return ArchiveFileKind.Certificate;
    }

    private static string Shown(string name)
    {
        var clean = new string([.. name.Select(c => c is < (char)0x20 or (char)0x7F ? '?' : c)]);
        return clean.Length > 80 ? clean[..77] + "…" : clean;
    }
}
