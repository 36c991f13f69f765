using CertLsp.Core.Editing;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Files;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>textDocument/completion: keys, enum values, country codes, batch names, issuer files (from the core's Completions).</summary>
public sealed class CompletionHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.Completion, UseSingleObjectParameterDeserialization = true)]
    public CompletionList Completion(CompletionParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = context.Workspace.Snapshot;
        var document = context.Document(snapshot, parameters.TextDocument, cancellationToken);
        var lines = document.Parsed.Lines;
        int offset = LspConvert.Offset(lines, document.Text, parameters.Position);
        // A manifest on disk: the CA certificate files beside it are offered for ca.issuers.
        string? folder = UriPaths.LocalPath(parameters.TextDocument.Uri) is { } path ? Path.GetDirectoryName(path) : null;
        var items = Completions.At(document.Text, offset, document.Parsed, folder is null ? null : () => IssuerFiles.Under(folder))
            .Select((c, i) => new CompletionItem(
                c.Label,
                c.Kind switch
                {
                    CompletionKind.Key => CompletionItemKind.Property,
                    CompletionKind.EnumValue => CompletionItemKind.EnumMember,
                    CompletionKind.Country => CompletionItemKind.Value,
                    CompletionKind.File => CompletionItemKind.File,
                    _ => CompletionItemKind.Value,
                },
                c.Detail,
                c.Documentation is null ? null : MarkupContent.Markdown(c.Documentation),
                FilterText: c.Kind == CompletionKind.Country ? $"{c.Label} {c.Detail}" : null,
                SortText: i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
                TextEdit: new TextEdit(LspConvert.Range(lines, c.Replace), c.InsertText)))
            .ToArray();
        return new CompletionList(false, items);
    }
}
