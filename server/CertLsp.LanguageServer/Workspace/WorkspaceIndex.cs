using CertLsp.Core.Checking;
using CertLsp.Core.Files;
using CertLsp.LanguageServer.Protocol;

namespace CertLsp.LanguageServer.Workspace;

/// <summary>
/// Reads every manifest of the workspace folders that the scope does not leave out, in the background, and makes them the
/// workspace's files on disk: at start, and again when the exclusions change (the setting, a .certlspignore).
/// </summary>
public static class WorkspaceIndex
{
    private static readonly Lock Gate = new();

    public static Task Start(ServerContext context) => Task.Run(() =>
    {
        // One scan at a time, so an older scan never replaces the result of a newer one.
        lock (Gate)
        {
            var scope = context.Workspace.Scope;
            if (scope.Folders.IsEmpty) return;
            try
            {
                foreach (var problem in scope.Problems) context.Log(problem, MessageType.Warning);
                var files = scope.FindManifests();
                var documents = new KeyValuePair<string, ManifestDocument>[files.Count];
                Parallel.For(0, files.Count, i =>
                {
                    string text;
                    try { text = ManifestFiles.Read(files[i]); }
                    catch (ManifestReadException ex) { context.Log(ex.Message, MessageType.Warning); text = ""; }
                    string uri = UriPaths.FromPath(files[i]);
                    documents[i] = new(files[i], context.Workspace.Parse(uri, text, ServerWorkspace.LedgerOf(uri)));
                });
                context.Workspace.ReplaceDisk(documents);
                context.Log($"indexed {files.Count} manifest(s) in {string.Join(", ", scope.Folders)}");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                context.Log($"indexing the workspace failed: {ex.Message}", MessageType.Warning);
            }
        }
    });
}
