using CertLsp.LanguageServer.Protocol;
using CertLsp.Workflows.Files;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>didOpen, didChange (full and incremental), didClose, didSave: applied in the order received.</summary>
public sealed class TextDocumentSyncHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.DidOpen, UseSingleObjectParameterDeserialization = true)]
    public void DidOpen(DidOpenTextDocumentParams parameters)
    {
        if (!context.Ready) return;
        var doc = parameters.TextDocument;
        context.Workspace.Open(doc.Uri, doc.Version, doc.Text);
    }

    [JsonRpcMethod(Methods.DidChange, UseSingleObjectParameterDeserialization = true)]
    public void DidChange(DidChangeTextDocumentParams parameters)
    {
        if (!context.Ready) return;
        var doc = parameters.TextDocument;
        var current = context.Workspace.Snapshot.Find(doc.Uri);
        if (current is null)
        {
            context.Log($"didChange for {doc.Uri}, which is not open: ignored", MessageType.Warning);
            return;
        }
        if (doc.Version <= current.Version)
        {
            context.Log($"didChange for {doc.Uri} version {doc.Version} after version {current.Version}: ignored", MessageType.Warning);
            return;
        }
        context.Workspace.Change(doc.Uri, doc.Version, parameters.ContentChanges);
    }

    [JsonRpcMethod(Methods.DidClose, UseSingleObjectParameterDeserialization = true)]
    public void DidClose(DidCloseTextDocumentParams parameters)
    {
        if (!context.Ready) return;
        string uri = parameters.TextDocument.Uri;
        var closing = context.Workspace.Snapshot.Find(uri);
        context.Workspace.Close(uri);
        _ = context.Publisher.WithdrawAsync(uri);
        if (Workspace.UriPaths.LocalPath(uri) is { } path && ManifestFiles.IsManifestPath(path)) context.Workspace.Reload(path, closing);
    }

    [JsonRpcMethod(Methods.DidSave, UseSingleObjectParameterDeserialization = true)]
    public void DidSave(DidSaveTextDocumentParams parameters)
    {
        if (!context.Ready) return;
        string uri = parameters.TextDocument.Uri;
        if (Workspace.UriPaths.LocalPath(uri) is { } path && ManifestFiles.IsManifestPath(path)) context.Workspace.Reload(path);
    }
}
