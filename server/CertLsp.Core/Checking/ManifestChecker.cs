using System.Collections.Immutable;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Rules;

namespace CertLsp.Core.Checking;

/// <summary>The findings of a check, per file, in a stable order (position, then code).</summary>
public sealed record CheckResult(ImmutableArray<ManifestDocument> Documents, ImmutableDictionary<string, ImmutableArray<Diagnostic>> ByPath)
{
    public IEnumerable<Diagnostic> All => Documents.SelectMany(d => ByPath[d.Path]);

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
        return new CheckResult(docs, byPath.ToImmutableDictionary(
            kv => kv.Key,
            kv => kv.Value.OrderBy(d => d.Span.Start).ThenBy(d => d.Span.Length).ThenBy(d => d.Code, StringComparer.Ordinal).ThenBy(d =>
                d.Message, StringComparer.Ordinal).ToImmutableArray(),
            StringComparer.Ordinal));
    }

    private static ManifestInWorkspace InWorkspace(ManifestDocument document) => new(document.Manifest!, document.Builder);

    public static CheckResult Check(string path, string text) => Check([ManifestDocument.Parse(path, text)]);
}
