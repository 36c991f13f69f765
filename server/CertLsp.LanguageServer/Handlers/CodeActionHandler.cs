using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>textDocument/codeAction: the fixes the core attached to the diagnostics under the range, as quick fixes.</summary>
public sealed class CodeActionHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.CodeAction, UseSingleObjectParameterDeserialization = true)]
    public CodeAction[] CodeActions(CodeActionParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        var snapshot = context.Workspace.Snapshot;
        var document = context.Document(snapshot, parameters.TextDocument);
        var lines = document.Parsed.Lines;
        var range = ServerContext.Require(parameters.Range, "range");
        int start = LspConvert.Offset(lines, document.Text, ServerContext.Require(range.Start, "range.start"));
        int end = LspConvert.Offset(lines, document.Text, ServerContext.Require(range.End, "range.end"));
        var span = Core.Text.TextSpan.FromBounds(Math.Min(start, end), Math.Max(start, end));
        bool wantQuickFix = parameters.Context?.Only is not { } only || only.Any(k => k == CodeActionKind.QuickFix || CodeActionKind.QuickFix.StartsWith(k + ".", StringComparison.Ordinal));
        var actions = new List<CodeAction>();
        if (!wantQuickFix) return [];
        var diagnostics = snapshot.Check.ByPath.TryGetValue(document.Uri, out var list) ? list : [];
        foreach (var diagnostic in diagnostics)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (diagnostic.Fixes.IsEmpty || !diagnostic.Span.IntersectsOrTouches(span)) continue;
            var lsp = LspConvert.Diagnostic(diagnostic, snapshot, lines);
            foreach (var fix in diagnostic.Fixes)
            {
                actions.Add(new CodeAction(fix.Title, CodeActionKind.QuickFix, [lsp], fix.IsPreferred, LspConvert.Edit(fix.Edits, snapshot)));
            }
        }
        return [.. actions];
    }
}
