using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>
/// workspace/didChangeConfiguration: the settings the server applies without a restart, read once into
/// <see cref="ConfigurationSettings"/>: certlsp.manifests.exclude (VS Code sends the whole “certlsp” section), and workspaceTrusted
/// (sent by the client when the folder becomes trusted: the rename lenses then appear, the client asked to show them again).
/// </summary>
public sealed class ConfigurationHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.DidChangeConfiguration, UseSingleObjectParameterDeserialization = true)]
    public void DidChangeConfiguration(JsonElement? parameters)
    {
        if (!context.Ready) return;
        var settings = ConfigurationSettings.Read(parameters, m => context.Log($"settings: {m}", MessageType.Warning));
        if (settings.WorkspaceTrusted is { } trusted && trusted != context.WorkspaceTrusted)
        {
            context.WorkspaceTrusted = trusted;
            context.Log(trusted ? "the workspace is trusted: git may run (review, rename lenses)" : "the workspace is not trusted: no git");
            if (context.Client.CodeLensRefresh)
            {
                _ = context.Rpc.InvokeWithCancellationAsync<object?>(Methods.CodeLensRefresh, [], CancellationToken.None).ContinueWith(
                    t => context.Log($"the client refused to refresh code lenses: {t.Exception?.InnerException?.Message}",
                        MessageType.Warning),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
        if (settings.Exclude is not { } globs || globs.SequenceEqual(context.Workspace.Scope.Exclude)) return;
        context.Workspace.SetExclude(globs);
        _ = WorkspaceIndex.Start(context);
    }
}
