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
    public static string? Find(string manifestPath)
    {
        for (var folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath)); !string.IsNullOrEmpty(folder); folder =
            Path.GetDirectoryName(folder))
        {
            string candidate = Path.Combine(folder, CheckSettings.FileName);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
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
    public static CheckSettings Read(string path, string displayPath)
    {
        try
        {
            return CheckSettings.Parse(displayPath, ManifestFiles.Read(path, Kind));
        }
        catch (ManifestReadException ex)
        {
            string reason = ex.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? ex.Message[(path.Length + 2)..] : ex.Message;
            return CheckSettings.Unreadable(displayPath, reason);
        }
    }
}
