using System.Collections.Immutable;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Rules;
using CertLsp.Core.Schema;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Checking;

/// <summary>
/// One manifest text, read and checked on its own: an immutable snapshot. Workspace-wide rules
/// (CN uniqueness across files) are added by <see cref="ManifestChecker"/>.
/// </summary>
public sealed class ManifestDocument
{
    private readonly Lazy<LineIndex> lines;

    private ManifestDocument(string path, string text, YamlReadResult yaml, SiteManifest? manifest, ImmutableArray<Diagnostic> diagnostics)
    {
        Path = path;
        Text = text;
        Yaml = yaml;
        Manifest = manifest;
        LocalDiagnostics = diagnostics;
        lines = new Lazy<LineIndex>(() => new LineIndex(text));
    }

    public string Path { get; }

    public string Text { get; }

    public LineIndex Lines => lines.Value;

    public YamlReadResult Yaml { get; }

    /// <summary>The typed manifest, or null when the YAML could not be read.</summary>
    public SiteManifest? Manifest { get; }

    /// <summary>What this file alone shows: YAML, schema and per-manifest rules.</summary>
    public ImmutableArray<Diagnostic> LocalDiagnostics { get; }

    public DiagnosticBuilder Builder => new(Path, Text);

    public static ManifestDocument Parse(string path, string text)
    {
        var builder = new DiagnosticBuilder(path, text);
        var yaml = YamlReader.Read(text, path);
        var diagnostics = new List<Diagnostic>(yaml.Diagnostics);
        if (yaml.IsUnusable) return new ManifestDocument(path, text, yaml, null, [.. diagnostics]);

        SchemaValidator.Validate(yaml.Root, ManifestSchema.Root, builder, diagnostics);
        var manifest = ManifestBinder.Bind(yaml.Root);
        foreach (var rule in RuleSet.ManifestRules)
        {
            rule.Check(manifest, builder, diagnostics);
        }
        return new ManifestDocument(path, text, yaml, manifest, [.. diagnostics]);
    }
}
