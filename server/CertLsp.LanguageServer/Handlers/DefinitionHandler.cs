using CertLsp.Core.Diagnostics;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>textDocument/definition: from a duplicate (CN, instance, address) to the other place(s) it is used.</summary>
public sealed class DefinitionHandler(ServerContext context)
{
    private static readonly HashSet<string> Twinned = [DiagnosticBuilder.CL0201.Code, DiagnosticBuilder.CL0601.Code, DiagnosticBuilder.CL0603.Code];

    [JsonRpcMethod(Methods.Definition, UseSingleObjectParameterDeserialization = true)]
    public Location[] Definition(TextDocumentPositionParams parameters)
    {
        context.EnsureReady();
        var snapshot = context.Workspace.Snapshot;
        var document = context.Document(snapshot, parameters.TextDocument);
        var lines = document.Parsed.Lines;
        int offset = LspConvert.Offset(lines, document.Text, ServerContext.Require(parameters.Position, "position"));
        var diagnostics = snapshot.Check.ByPath.TryGetValue(document.Uri, out var list) ? list : [];
        return [.. diagnostics
            .Where(d => Twinned.Contains(d.Code) && d.Span.Start <= offset && offset <= d.Span.End)
            .SelectMany(d => d.Related)
            .Select(r => new Location(r.Location.Path, LspConvert.Range(snapshot.Lines(r.Location.Path) ?? lines, r.Location.Span)))
            .Distinct()];
    }
}
