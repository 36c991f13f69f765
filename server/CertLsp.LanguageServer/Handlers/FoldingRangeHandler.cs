using CertLsp.Core.Editing;
using CertLsp.LanguageServer.Protocol;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>textDocument/foldingRange: every mapping or list that spans lines.</summary>
public sealed class FoldingRangeHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.FoldingRange, UseSingleObjectParameterDeserialization = true)]
    public FoldingRange[] FoldingRanges(FoldingRangeParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        cancellationToken.ThrowIfCancellationRequested();
        var document = context.Document(context.Workspace.Snapshot, parameters.TextDocument, cancellationToken);
        var lines = document.Parsed.Lines;
        return [.. Outline.Foldable(document.Parsed.Yaml.Root)
            .Select(span => (Start: lines.GetPosition(span.Start).Line, End: lines.GetPosition(span.End).Line))
            .Where(r => r.End > r.Start)
            .Distinct()
            .OrderBy(r => r.Start)
            .Select(r => new FoldingRange(r.Start, r.End))];
    }
}
