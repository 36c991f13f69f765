using CertLsp.Core.Editing;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>textDocument/hover: what a field means and its limit; on a device, its CN and certificate status.</summary>
public sealed class HoverHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.Hover, UseSingleObjectParameterDeserialization = true)]
    public Hover? Hover(TextDocumentPositionParams parameters)
    {
        context.EnsureReady();
        var snapshot = context.Workspace.Snapshot;
        var document = context.Document(snapshot, parameters.TextDocument);
        var parsed = document.Parsed;
        int offset = LspConvert.Offset(parsed.Lines, document.Text, ServerContext.Require(parameters.Position, "position"));
        var hover = HoverContent.At(parsed, offset);
        return hover is null ? null : new Hover(MarkupContent.Markdown(hover.Markdown), LspConvert.Range(parsed.Lines, hover.Span));
    }
}
