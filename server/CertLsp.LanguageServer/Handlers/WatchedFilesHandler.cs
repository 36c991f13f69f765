using CertLsp.Core.Configuration;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>
/// workspace/didChangeWatchedFiles: manifests changed on disk are re-read, so workspace rules see them; a changed .certlspignore
/// re-indexes; a changed certlsp.json re-checks every manifest with its rule levels.
/// </summary>
public sealed class WatchedFilesHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.DidChangeWatchedFiles, UseSingleObjectParameterDeserialization = true)]
    public void DidChangeWatchedFiles(DidChangeWatchedFilesParams parameters)
    {
        if (!context.Ready) return;
        bool exclusionsChanged = false, configChanged = false;
        foreach (var change in parameters.Changes)
        {
            if (UriPaths.LocalPath(change.Uri) is not { } path) continue;
            if (Path.GetFileName(path) == ManifestExclusions.IgnoreFileName
                && context.Workspace.Folders.Any(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f)) == Path.GetDirectoryName(
                path)))
            {
                exclusionsChanged = true;
                continue;
            }
            if (Path.GetFileName(path) == CheckSettings.FileName)
            {
                configChanged = true;
                continue;
            }
            if (path.EndsWith(LedgerFile.Extension, StringComparison.Ordinal))
            {
                context.Workspace.LedgerChanged(path);
                continue;
            }
            if (!ManifestFiles.IsManifestPath(path)) continue;
            if (change.Type == FileChangeType.Deleted) context.Workspace.SetDisk(path, null);
            else context.Workspace.Reload(path);
        }
        if (configChanged) context.Workspace.ConfigChanged();
        if (exclusionsChanged)
        {
            // A workspace folder's .certlspignore changed: read it again and index the folders again.
            context.Workspace.ReloadExclusions();
            _ = WorkspaceIndex.Start(context);
        }
    }
}
