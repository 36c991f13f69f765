using CertLsp.Core.Editing;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>textDocument/selectionRange: scalar, key-value pair, enclosing mapping, ... up to the document.</summary>
public sealed class SelectionRangeHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.SelectionRange, UseSingleObjectParameterDeserialization = true)]
    public SelectionRange[] SelectionRanges(SelectionRangeParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        cancellationToken.ThrowIfCancellationRequested();
        var document = context.Document(context.Workspace.Snapshot, parameters.TextDocument, cancellationToken);
        var lines = document.Parsed.Lines;
        return [.. parameters.Positions.Select(position =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            int offset = LspConvert.Offset(lines, document.Text, position);
            SelectionRange? range = null;
            foreach (var span in YamlPath.Enclosing(document.Parsed.Yaml.Root, offset).Reverse())
            {
                range = new SelectionRange(LspConvert.Range(lines, span), range);
            }
            return range ?? new SelectionRange(new Protocol.Range(position, position), null);
        })];
    }
}
