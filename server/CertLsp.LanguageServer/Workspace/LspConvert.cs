using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;
using CertLsp.LanguageServer.Protocol;
using CoreDiagnostic = CertLsp.Core.Diagnostics.Diagnostic;
using CoreSeverity = CertLsp.Core.Diagnostics.DiagnosticSeverity;
using LspRange = CertLsp.LanguageServer.Protocol.Range;
using LspTextEdit = CertLsp.LanguageServer.Protocol.TextEdit;

namespace CertLsp.LanguageServer.Workspace;

/// <summary>Core values to LSP values: the only place spans become LSP ranges.</summary>
public static class LspConvert
{
    public static LspRange Range(LineIndex lines, TextSpan span)
    {
        var range = lines.GetRange(span);
        return new LspRange(new Position(range.Start.Line, range.Start.Character), new Position(range.End.Line, range.End.Character));
    }

    public static int Offset(LineIndex lines, string text, Position position) =>
        lines.GetOffset(new LinePosition(position.Line, position.Character), text);

    public static int Severity(CoreSeverity severity) => severity switch
    {
        CoreSeverity.Error => 1,
        CoreSeverity.Warning => 2,
        CoreSeverity.Hint => 4,
        _ => 3,
    };

    public static LspDiagnostic Diagnostic(CoreDiagnostic d, WorkspaceSnapshot snapshot, LineIndex lines) => new(
        Range(lines, d.Span),
        d.Message,
        Severity(d.Severity),
        d.Code,
        DiagnosticCatalog.Source,
        new CodeDescription(d.Definition.DocumentationUri.ToString()),
        d.Related.IsEmpty ? null : [.. d.Related.Select(r => new DiagnosticRelatedInformation(
            new Location(r.Location.Path, Range(snapshot.Lines(r.Location.Path) ?? lines, r.Location.Span)), r.Message))]);

    public static WorkspaceEdit Edit(IEnumerable<Core.Diagnostics.TextEdit> edits, WorkspaceSnapshot snapshot) =>
        new(edits.GroupBy(e => e.Path).ToDictionary(
            g => g.Key,
            g => g.Select(e => new LspTextEdit(Range(snapshot.Lines(e.Path) ?? new LineIndex(""), e.Span), e.NewText)).ToArray()));
}
