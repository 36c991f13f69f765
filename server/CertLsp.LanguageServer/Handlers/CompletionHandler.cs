using CertLsp.Core.Editing;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>textDocument/completion: keys, enum values, country codes, batch names (from the core's Completions).</summary>
public sealed class CompletionHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.Completion, UseSingleObjectParameterDeserialization = true)]
    public CompletionList Completion(CompletionParams parameters)
    {
        context.EnsureReady();
        var snapshot = context.Workspace.Snapshot;
        var document = context.Document(snapshot, parameters.TextDocument);
        var lines = document.Parsed.Lines;
        int offset = LspConvert.Offset(lines, document.Text, ServerContext.Require(parameters.Position, "position"));
        var items = Completions.At(document.Text, offset, document.Parsed)
            .Select((c, i) => new CompletionItem(
                c.Label,
                c.Kind switch
                {
                    CompletionKind.Key => CompletionItemKind.Property,
                    CompletionKind.EnumValue => CompletionItemKind.EnumMember,
                    CompletionKind.Country => CompletionItemKind.Value,
                    _ => CompletionItemKind.Value,
                },
                c.Detail,
                c.Documentation is null ? null : MarkupContent.Markdown(c.Documentation),
                FilterText: c.Kind == CompletionKind.Country ? $"{c.Label} {c.Detail}" : null,
                SortText: i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
                TextEdit: new Protocol.TextEdit(LspConvert.Range(lines, c.Replace), c.InsertText)))
            .ToArray();
        return new CompletionList(false, items);
    }
}
