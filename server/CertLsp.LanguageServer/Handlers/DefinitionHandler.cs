using CertLsp.Core.Diagnostics;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>
/// textDocument/definition: from any occurrence of a duplicate (CN, instance, address) to every other one, across files. The core
/// reports a duplicate instance or address on each later occurrence, naming the first; a CN on each, naming the others: the places
/// so linked (per code) are one set of twins, whichever of them the cursor is on.
/// </summary>
public sealed class DefinitionHandler(ServerContext context)
{
    private static readonly HashSet<string> Twinned = [DiagnosticBuilder.CL0201.Code, DiagnosticBuilder.CL0601.Code,
        DiagnosticBuilder.CL0604.Code];

    [JsonRpcMethod(Methods.Definition, UseSingleObjectParameterDeserialization = true)]
    public Location[] Definition(TextDocumentPositionParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = context.Workspace.Snapshot;
        var document = context.Document(snapshot, parameters.TextDocument, cancellationToken);
        var lines = document.Parsed.Lines;
        int offset = LspConvert.Offset(lines, document.Text, parameters.Position);
        var twins = Twins(cancellationToken, snapshot.Check.ByPath.Values.SelectMany(list => list));
        var here = twins.Keys.Where(k => k.Place.Path == document.Uri && k.Place.Span.Start <= offset
            && offset <= k.Place.Span.End).ToList();
        var sets = here.Select(k => twins[k]).ToHashSet();
        return [.. twins
            .Where(t => sets.Contains(t.Value) && !here.Contains(t.Key))
            .Select(t => t.Key.Place)
            .Distinct()
            .OrderBy(p => p.Path, StringComparer.Ordinal).ThenBy(p => p.Span.Start)
            .Select(p => new Location(p.Path, LspConvert.Range(snapshot.Lines(p.Path) ?? lines, p.Span)))];
    }

    /// <summary>Every place a duplicate diagnostic links (its own and those it names), mapped to the set of its twins (per code).</summary>
    private static Dictionary<(string Code, SourceLocation Place),
        HashSet<SourceLocation>> Twins(CancellationToken cancellationToken, IEnumerable<Diagnostic> diagnostics)
    {
        var sets = new Dictionary<(string Code, SourceLocation Place), HashSet<SourceLocation>>();
        foreach (var diagnostic in diagnostics)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!Twinned.Contains(diagnostic.Code) || diagnostic.Related.IsEmpty) continue;
            // One set for the diagnostic's place and every place it names: the largest set one of them is in takes in the others
            // (10,000 devices with the same instance stay linear).
            var places = diagnostic.Related.Select(r => r.Location).Prepend(diagnostic.Location).ToList();
            var found = places.Select(p => sets.GetValueOrDefault(
                (diagnostic.Code, p))).OfType<HashSet<SourceLocation>>().Distinct().ToList();
            var merged = found.MaxBy(set => set.Count) ?? [];
            foreach (var place in found.Where(set => set != merged).SelectMany(set => set).Concat(places))
            {
                if (merged.Add(place) || !sets.ContainsKey((diagnostic.Code, place))) sets[(diagnostic.Code, place)] = merged;
            }
        }
        return sets;
    }
}
