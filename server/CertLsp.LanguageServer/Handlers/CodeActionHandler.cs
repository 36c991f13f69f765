using CertLsp.Core.Diagnostics;
using CertLsp.Core.Editing;
using CertLsp.Core.Ledger;
using CertLsp.Core.Text;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>
/// textDocument/codeAction: the fixes the core attached to the diagnostics under the range (quick fixes, with their
/// edits or commands), and the source actions "Generate CSRs" (all, batch, devices in the selection; keep/overwrite
/// variants when CSRs are pending) and "Import signed certificates…".
/// </summary>
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
        var span = TextSpan.FromBounds(Math.Min(start, end), Math.Max(start, end));
        var only = parameters.Context?.Only;
        bool Wanted(string kind) => only is null || only.Any(k => kind == k || kind.StartsWith(k + ".", StringComparison.Ordinal));

        var actions = new List<CodeAction>();
        if (Wanted(CodeActionKind.QuickFix))
        {
            var diagnostics = snapshot.Check.ByPath.TryGetValue(document.Uri, out var list) ? list : [];
            foreach (var diagnostic in diagnostics)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (diagnostic.Fixes.IsEmpty || !diagnostic.Span.IntersectsOrTouches(span)) continue;
                var lsp = LspConvert.Diagnostic(diagnostic, snapshot, lines);
                foreach (var fix in diagnostic.Fixes)
                {
                    actions.Add(new CodeAction(fix.Title, CodeActionKind.QuickFix, [lsp], fix.IsPreferred,
                        fix.Edits.IsEmpty ? null : LspConvert.Edit(fix.Edits, snapshot),
                        fix.Command is { } command ? FixCommand(command, document.Uri) : null));
                }
            }
        }
        if (Wanted(CodeActionKind.SourceGenerateCsrs) && document.Parsed.Manifest is { } manifest && !manifest.Devices.IsEmpty)
        {
            foreach (var request in SourceActions.Requests(manifest, document.Parsed.Ledger, span))
            {
                actions.Add(new CodeAction(request.Title, CodeActionKind.SourceGenerateCsrs, Command: GenerateCommand(request.Title, document.Uri, request)));
            }
        }
        if (Wanted(CodeActionKind.SourceImport) && document.Parsed.Manifest is not null)
        {
            actions.Add(new CodeAction("Import signed certificates…", CodeActionKind.SourceImport,
                Command: new Command("Import signed certificates…", CertLspCommands.ImportCertificatesPrompt, [new { uri = document.Uri }])));
        }
        return [.. actions];
    }

    public static Command GenerateCommand(string title, string uri, CsrRequestChoice request) => new(title, CertLspCommands.GenerateCsrs,
    [
        new GenerateCsrsArguments(uri, request.Scope, request.Batch, request.Devices.IsDefaultOrEmpty ? null : [.. request.Devices], request.Pending),
    ]);

    /// <summary>A core fix command as an LSP command: request CSRs keeping (all devices) or overwriting (this device) a pending one.</summary>
    private static Command FixCommand(FixCommand command, string uri) => command.Name switch
    {
        FixCommands.RequestCsrs when command.Arguments is [_, "keep", ..] =>
            new Command("Request CSRs, keeping pending ones", CertLspCommands.GenerateCsrs, [new GenerateCsrsArguments(uri, "all", Pending: "keep")]),
        FixCommands.RequestCsrs when command.Arguments is [_, "overwrite", .. var devices] =>
            new Command("Request a new CSR, voiding the pending one", CertLspCommands.GenerateCsrs, [new GenerateCsrsArguments(uri, "devices", Devices: [.. devices], Pending: "overwrite")]),
        _ => throw new InvalidOperationException($"no LSP mapping for the fix command {command.Name}"),
    };
}
