using System.Collections.Immutable;
using System.Text.Json;
using CertLsp.Workflows.Files;

namespace CertLsp.LanguageServer.Workspace;

/// <summary>
/// The workspace folders the server indexes and, per folder, what it leaves out: the default folders, the globs of
/// certlsp.manifests.exclude (initializationOptions.exclude, workspace/didChangeConfiguration) and the folder's
/// .certlspignore: the same <see cref="ManifestExclusions"/> as `certlsp check &lt;folder&gt; --exclude`.
/// </summary>
public sealed class ManifestScope
{
    public const string ExcludeSetting = "certlsp.manifests.exclude";

    private readonly ImmutableArray<ManifestExclusions> exclusions;

    private ManifestScope(ImmutableArray<string> folders, ImmutableArray<string> exclude, ImmutableArray<ManifestExclusions> exclusions)
    {
        Folders = folders;
        Exclude = exclude;
        this.exclusions = exclusions;
    }

    public static ManifestScope Empty { get; } = new([], [], []);

    public ImmutableArray<string> Folders { get; }

    /// <summary>The setting's globs.</summary>
    public ImmutableArray<string> Exclude { get; }

    /// <summary>Globs that could not be used, with the reason.</summary>
    public IEnumerable<string> Problems => exclusions.SelectMany(e => e.Problems).Distinct(StringComparer.Ordinal);

    public static ManifestScope Create(IEnumerable<string> folders, IEnumerable<string> exclude)
    {
        ImmutableArray<string> folderList = [.. folders], globs = [.. exclude];
        return new ManifestScope(folderList, globs, [.. folderList.Select(f => ManifestExclusions.For(f, globs, ExcludeSetting))]);
    }

    /// <summary>Whether a path inside a workspace folder is left out there. Paths outside every folder are not.</summary>
    public bool Excludes(string path) => exclusions.Any(e => e.Excludes(path, isFolder: false));

    /// <summary>The manifests of every folder that are not left out, sorted.</summary>
    public IReadOnlyList<string> FindManifests() =>
        [.. exclusions.SelectMany(ManifestFiles.Find).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>The globs of a JSON array of strings (initializationOptions.exclude, the setting's value); null when it is not
    /// one.</summary>
    public static ImmutableArray<string>? ReadGlobs(JsonElement value, Action<string> ignored)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            ignored($"{ExcludeSetting} is not a list of globs: ignored");
            return null;
        }
        var globs = ImmutableArray.CreateBuilder<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } glob) globs.Add(glob);
            else ignored($"{ExcludeSetting}: {item.GetRawText()} is not a glob: ignored");
        }
        return globs.ToImmutable();
    }
}
