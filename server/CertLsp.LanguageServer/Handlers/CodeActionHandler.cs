using CertLsp.Core.Diagnostics;
using CertLsp.Core.Editing;
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
        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = context.Workspace.Snapshot;
        var document = context.Document(snapshot, parameters.TextDocument, cancellationToken);
        var lines = document.Parsed.Lines;
        int start = LspConvert.Offset(lines, document.Text, parameters.Range.Start);
        int end = LspConvert.Offset(lines, document.Text, parameters.Range.End);
        var span = TextSpan.FromBounds(Math.Min(start, end), Math.Max(start, end));
        var only = parameters.Context.Only;
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
                actions.Add(new CodeAction(request.Title, CodeActionKind.SourceGenerateCsrs,
                    Command: GenerateCommand(request.Title, document.Uri, request)));
            }
        }
        if (Wanted(CodeActionKind.SourceImport) && document.Parsed.Manifest is not null)
        {
            actions.AddRange(ImportActions(document.Uri));
        }
        return [.. actions];
    }

    /// <summary>At most this many zips beside a manifest get an import action each (the newest).</summary>
    public const int MaxImportActions = 20;

    /// <summary>
    /// "Import signed certificates…" (the client asks for the archive) for a client that said it runs that command itself; for any
    /// other client an action per zip beside the manifest that is not one of the CSR zips this tool wrote (the CA's answers), newest
    /// first, each running certlsp.importCertificates on it; none when there is none.
    /// </summary>
    private IEnumerable<CodeAction> ImportActions(string uri)
    {
        if (context.Client.ClientCommands.Contains(CertLspCommands.ImportCertificatesPrompt))
        {
            return [new CodeAction("Import signed certificates…", CodeActionKind.SourceImport,
                Command: new Command("Import signed certificates…", CertLspCommands.ImportCertificatesPrompt,
                    [new ImportPromptArguments(uri)]))];
        }
        if (UriPaths.LocalPath(uri) is not { } path || Path.GetDirectoryName(path) is not { } folder) return [];
        FileInfo[] zips;
        try
        {
            zips = new DirectoryInfo(folder).GetFiles("*.zip",
                new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive, IgnoreInaccessible = true });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        return zips
            .Where(z => !Workflows.Requests.CsrZip.IsRequestZip(z.Name))
            .OrderByDescending(z => z.LastWriteTimeUtc).ThenBy(z => z.Name, StringComparer.Ordinal)
            .Take(MaxImportActions)
            .Select(z =>
            {
                string title = $"Import signed certificates from {z.Name}";
                return new CodeAction(title, CodeActionKind.SourceImport,
                    Command: new Command(title, CertLspCommands.ImportCertificates, [new ImportCertificatesArguments(uri, z.FullName)]));
            });
    }

    public static Command GenerateCommand(string title, string uri, CsrRequestChoice request) => new(title, CertLspCommands.GenerateCsrs,
    [
        new GenerateCsrsArguments(uri, request.Scope, request.Batch, request.Devices.IsDefaultOrEmpty ? null : [.. request.Devices],
            request.Pending, Renew: request.Renew ? true : null),
    ]);

    /// <summary>A core fix command as an LSP command: request CSRs keeping (all devices) or overwriting (this device) a pending
    /// one.</summary>
    private static Command FixCommand(FixCommand command, string uri) => command.Name switch
    {
        FixCommands.RequestCsrs when command.Arguments is [_, "keep", ..] =>
            new Command("Request CSRs, keeping pending ones", CertLspCommands.GenerateCsrs,
                [new GenerateCsrsArguments(uri, "all", Pending: "keep")]),
        FixCommands.RequestCsrs when command.Arguments is [_, "overwrite", .. var devices] =>
            new Command("Request a new CSR, voiding the pending one", CertLspCommands.GenerateCsrs,
                [new GenerateCsrsArguments(uri, "devices", Devices: [.. devices], Pending: "overwrite")]),
        _ => throw new InvalidOperationException($"no LSP mapping for the fix command {command.Name}"),
    };
}
