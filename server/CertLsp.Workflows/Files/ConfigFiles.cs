using System.Collections.Concurrent;
using CertLsp.Core.Configuration;

namespace CertLsp.Workflows.Files;

/// <summary>
/// Finds and reads the workspace's certlsp.json for manifests: the one in the manifest's folder, else the nearest folder above
/// that has one (as Bicep finds bicepconfig.json). Each folder's answer is read once per instance; the core parses the text.
/// </summary>
public sealed class ConfigFiles(Func<string, string>? displayPath = null)
{
    public static TextFileKind Kind { get; } = new("certlsp.json", "certlsp.json", "UTF-8 JSON");

    private readonly ConcurrentDictionary<string, CheckSettings> byFolder = new(StringComparer.Ordinal);

    /// <summary>The path of the certlsp.json that applies to a manifest, or null when no folder above it has one.</summary>
    public static string? Find(string manifestPath) => Candidates(Path.GetFullPath(manifestPath)).FirstOrDefault(File.Exists);

    /// <summary>
    /// Where a certlsp.json for a manifest may be, nearest first: in its folder, then in each folder above it (the first that exists
    /// applies). The one lookup for every host: on disk (<see cref="Find"/>) and in a git revision (relative paths, '/' separated, up
    /// to the repository's top).
    /// </summary>
    public static IEnumerable<string> Candidates(string manifestPath)
    {
        for (var folder = Path.GetDirectoryName(manifestPath); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            yield return folder.Length == 0 ? CheckSettings.FileName : Path.Combine(folder, CheckSettings.FileName);
            if (folder.Length == 0) yield break;
        }
    }

    /// <summary>The settings for a manifest (<see cref="CheckSettings.None"/> when there is no certlsp.json); a file that cannot be read is
    /// a CL0701.</summary>
    public CheckSettings For(string manifestPath)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath)) ?? "";
        return byFolder.GetOrAdd(folder, _ => Find(manifestPath) is { } config ? Read(config, displayPath?.Invoke(config) ?? config)
            : CheckSettings.None);
    }

    /// <summary>Reads one certlsp.json; never throws for a file that is there but unreadable or not text.</summary>
    public static CheckSettings Read(string path, string displayPath) => Load(path, displayPath, () => ManifestFiles.Read(path, Kind));

    /// <summary>Parses one certlsp.json's text as <paramref name="read"/> gets it (from disk, from a git revision); text it refuses (a
    /// <see cref="ManifestReadException"/> naming <paramref name="named"/>) is one CL0701, never a throw.</summary>
    public static CheckSettings Load(string named, string displayPath, Func<string> read)
    {
        try
        {
            return CheckSettings.Parse(displayPath, read());
        }
        catch (ManifestReadException ex)
        {
            string reason = ex.Message.StartsWith(named + ": ", StringComparison.Ordinal) ? ex.Message[(named.Length + 2)..] : ex.Message;
            return CheckSettings.Unreadable(displayPath, reason);
        }
    }
}
