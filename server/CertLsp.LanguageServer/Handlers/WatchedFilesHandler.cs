using CertLsp.Core.Files;
using CertLsp.Core.Ledger;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>workspace/didChangeWatchedFiles: manifests changed on disk are re-read, so workspace rules see them.</summary>
public sealed class WatchedFilesHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.DidChangeWatchedFiles, UseSingleObjectParameterDeserialization = true)]
    public void DidChangeWatchedFiles(DidChangeWatchedFilesParams parameters)
    {
        if (!context.Ready || parameters.Changes is null) return;
        foreach (var change in parameters.Changes)
        {
            if (UriPaths.LocalPath(change.Uri) is not { } path) continue;
            if (path.EndsWith(LedgerFile.Extension, StringComparison.Ordinal))
            {
                context.Workspace.LedgerChanged(path);
                continue;
            }
            if (!ManifestFiles.IsManifestPath(path)) continue;
            if (change.Type == FileChangeType.Deleted) context.Workspace.SetDisk(path, null);
            else context.Workspace.Reload(path);
        }
    }
}
