using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>
/// workspace/didChangeConfiguration: the settings the server applies without a restart. Today certlsp.manifests.exclude,
/// read from settings.certlsp.manifests.exclude (VS Code sends the whole “certlsp” section); other settings are ignored.
/// </summary>
public sealed class ConfigurationHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.DidChangeConfiguration, UseSingleObjectParameterDeserialization = true)]
    public void DidChangeConfiguration(JsonElement? parameters)
    {
        if (!context.Ready) return;
        if (parameters is not { ValueKind: JsonValueKind.Object } p
            || !p.TryGetProperty("settings", out var settings) || settings.ValueKind != JsonValueKind.Object
            || !settings.TryGetProperty("certlsp", out var certlsp) || certlsp.ValueKind != JsonValueKind.Object
            || !certlsp.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Object
            || !manifests.TryGetProperty("exclude", out var exclude))
        {
            return;
        }
        if (ManifestScope.ReadGlobs(exclude, m => context.Log(m, MessageType.Warning)) is not { } globs) return;
        if (globs.SequenceEqual(context.Workspace.Scope.Exclude)) return;
        context.Workspace.SetExclude(globs);
        _ = WorkspaceIndex.Start(context);
    }
}
