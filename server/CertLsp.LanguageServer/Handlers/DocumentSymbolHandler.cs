using CertLsp.Core.Editing;
using CertLsp.Core.Text;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>textDocument/documentSymbol: site, sections, batches, devices.</summary>
public sealed class DocumentSymbolHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.DocumentSymbol, UseSingleObjectParameterDeserialization = true)]
    public DocumentSymbol[] DocumentSymbols(DocumentSymbolParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        cancellationToken.ThrowIfCancellationRequested();
        var document = context.Document(context.Workspace.Snapshot, parameters.TextDocument, cancellationToken);
        var lines = document.Parsed.Lines;
        return [.. Outline.Of(document.Parsed).Select(i => Convert(i, lines))];
    }

    private static DocumentSymbol Convert(OutlineItem item, LineIndex lines) => new(
        item.Name.Length == 0 ? "(unnamed)" : item.Name,
        item.Kind switch
        {
            OutlineKind.Site => SymbolKind.Module,
            OutlineKind.Batch => SymbolKind.Package,
            OutlineKind.Device => SymbolKind.Object,
            _ => SymbolKind.Namespace,
        },
        LspConvert.Range(lines, item.Span),
        LspConvert.Range(lines, item.SelectionSpan),
        item.Detail,
        item.Children.IsEmpty ? null : [.. item.Children.Select(c => Convert(c, lines))]);
}
