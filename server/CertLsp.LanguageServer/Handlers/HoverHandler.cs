using CertLsp.Core.Editing;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>textDocument/hover: what a field means and its limit; on a device, its CN and certificate status.</summary>
public sealed class HoverHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.Hover, UseSingleObjectParameterDeserialization = true)]
    public Hover? Hover(TextDocumentPositionParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = context.Workspace.Snapshot;
        var document = context.Document(snapshot, parameters.TextDocument, cancellationToken);
        var parsed = document.Parsed;
        int offset = LspConvert.Offset(parsed.Lines, document.Text, parameters.Position);
        var hover = HoverContent.At(parsed, offset);
        return hover is null ? null : new Hover(MarkupContent.Markdown(hover.Markdown), LspConvert.Range(parsed.Lines, hover.Span));
    }
}
