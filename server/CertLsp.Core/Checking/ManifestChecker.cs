using System.Collections.Immutable;
using CertLsp.Core.Configuration;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Rules;
using CertLsp.Core.Text;

namespace CertLsp.Core.Checking;

/// <summary>
/// A file findings are reported in: a manifest, or a file beside it (its ledger, the workspace's certlsp.json). Its line index is
/// made when a report first needs it.
/// </summary>
public sealed class ReportedFile(string path, Func<LineIndex> lines)
{
    private readonly Lazy<LineIndex> index = new(lines);

    public ReportedFile(string path, LineIndex lines)
        : this(path, () => lines)
    {
    }

    public string Path { get; } = path;

    public LineIndex Lines => index.Value;
}

/// <summary>
/// The findings of a check, per file, in a stable order (position, then code). <see cref="Files"/> are the manifests in the order
/// given, each followed by the files beside it that have findings of their own (an untrusted ledger, a certlsp.json not valid).
/// </summary>
public sealed record CheckResult(ImmutableArray<ManifestDocument> Documents, ImmutableDictionary<string, ImmutableArray<Diagnostic>> ByPath,
    ImmutableArray<ReportedFile> Files)
{
    public IEnumerable<Diagnostic> All => Files.SelectMany(f => ByPath[f.Path]);

    /// <summary>The line index of a reported file (a manifest, a ledger, a certlsp.json), or null.</summary>
    public LineIndex? Lines(string path) => Files.FirstOrDefault(f => f.Path == path)?.Lines;

    public int Count(DiagnosticSeverity severity) => All.Count(d => d.Severity == severity);

    public bool HasErrors => All.Any(d => d.Severity == DiagnosticSeverity.Error);

    public ManifestDocument? Document(string path) => Documents.FirstOrDefault(d => d.Path == path);
}

/// <summary>Checks a set of manifests together: each file's own findings plus the workspace rules across them.</summary>
public static class ManifestChecker
{
    /// <param name="checkedAlone">
    /// Documents the workspace rules see on their own, not with the others (a manifest open in the editor from a folder the
    /// workspace excludes: it is checked, but it and the workspace do not see each other's CNs).
    /// </param>
    public static CheckResult Check(IEnumerable<ManifestDocument> documents, Func<ManifestDocument, bool>? checkedAlone = null)
    {
        var docs = documents.ToImmutableArray();
        var byPath = docs.ToDictionary(d => d.Path, d => new List<Diagnostic>(d.LocalDiagnostics), StringComparer.Ordinal);
        // Rules see the files in path order, so which duplicate "comes first" does not depend on the order they were given in.
        var usable = docs.Where(d => d.Manifest is not null).OrderBy(d => d.Path, StringComparer.Ordinal).ToList();
        var alone = checkedAlone is null ? [] : usable.Where(checkedAlone).ToList();
        List<List<ManifestInWorkspace>> groups = [[.. usable.Except(alone).Select(InWorkspace)],
            .. alone.Select(d => new List<ManifestInWorkspace> { InWorkspace(d) })];
        var workspace = new List<Diagnostic>();
        foreach (var group in groups)
        {
            foreach (var rule in RuleSet.WorkspaceRules)
            {
                rule.Check(group, workspace);
            }
        }
        foreach (var diagnostic in workspace)
        {
            byPath[diagnostic.Path].Add(diagnostic);
        }
        var files = ImmutableArray.CreateBuilder<ReportedFile>();
        foreach (var document in docs)
        {
            // Suppression comments first (they name what the rules found), then the levels of the workspace's certlsp.json.
            var settings = document.Settings;
            byPath[document.Path] = Levels(settings, Suppressions.Apply(document.Path, document.Text, () => document.Lines,
                byPath[document.Path]));
            files.Add(new ReportedFile(document.Path, () => document.Lines));
            if (document.LedgerFile is { } ledger && byPath.TryAdd(ledger.Path, Levels(settings, [document.LedgerDiagnostic!])))
            {
                files.Add(ledger);
            }
            if (settings.Path is { } config && !settings.Problems.IsEmpty && byPath.TryAdd(config, Levels(settings, settings.Problems)))
            {
                files.Add(new ReportedFile(config, () => settings.Lines));
            }
        }
        return new CheckResult(docs, byPath.ToImmutableDictionary(
            kv => kv.Key,
            kv => kv.Value.OrderBy(d => d.Span.Start).ThenBy(d => d.Span.Length).ThenBy(d => d.Code, StringComparer.Ordinal).ThenBy(d =>
                d.Message, StringComparer.Ordinal).ToImmutableArray(),
            StringComparer.Ordinal), files.ToImmutable());
    }

    private static List<Diagnostic> Levels(CheckSettings settings, IEnumerable<Diagnostic> diagnostics) =>
        [.. diagnostics.Select(settings.Apply).OfType<Diagnostic>()];

    private static ManifestInWorkspace InWorkspace(ManifestDocument document) => new(document.Manifest!, document.Builder);

    public static CheckResult Check(string path, string text) => Check([ManifestDocument.Parse(path, text)]);
}
