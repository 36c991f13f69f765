using System.Text.Json;
using CertLsp.Core.Checking;
using CertLsp.Core.Files;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>initialize, initialized, shutdown, exit, $/setTrace.</summary>
public sealed class LifecycleHandler(ServerContext context, Func<ServerCapabilities> capabilities)
{
    [JsonRpcMethod(Methods.Initialize, UseSingleObjectParameterDeserialization = true)]
    public InitializeResult Initialize(InitializeParams parameters)
    {
        if (context.IsInitialized) throw new LocalRpcException("initialize was already sent") { ErrorCode = ErrorCodes.InvalidRequest };
        context.ClientCapabilities = parameters.Capabilities;
        context.Trace = parameters.Trace ?? "off";
        // The editor's "expiry warning days" setting: the window for manifests without certificates.warningDays.
        if (parameters.InitializationOptions is { ValueKind: System.Text.Json.JsonValueKind.Object } options
            && options.TryGetProperty("warningDays", out var days) && days.TryGetInt32(out int warningDays) && warningDays is >= 0 and <= 3650)
        {
            context.Workspace.DefaultWarningDays = warningDays;
        }
        context.ClientCommands = ClientCommands(parameters.InitializationOptions, parameters.Capabilities);
        context.Bacnet = EditorBacnet.Read(parameters.InitializationOptions, m => context.Log($"initializationOptions.{m}", MessageType.Warning));
        var folders = (parameters.WorkspaceFolders ?? []).Select(f => UriPaths.LocalPath(f.Uri)).ToList();
        if (folders.Count == 0) folders.Add(parameters.RootUri is { } root ? UriPaths.LocalPath(root) : parameters.RootPath);
        context.Workspace.SetFolders(folders.OfType<string>().Where(Directory.Exists));
        context.IsInitialized = true;
        return new InitializeResult(capabilities(), new ServerInfo("certlsp", typeof(LifecycleHandler).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"));
    }

    [JsonRpcMethod(Methods.Initialized, UseSingleObjectParameterDeserialization = true)]
    public void Initialized(object? parameters)
    {
        _ = parameters;
        if (!context.Ready) return;
        RegisterFileWatchers();
        var folders = context.Workspace.Folders;
        if (folders.IsEmpty) return;
        // Index the workspace's manifests in the background: CN uniqueness spans every manifest of the folder.
        _ = Task.Run(() =>
        {
            try
            {
                var files = ManifestFiles.Expand(folders);
                var documents = new KeyValuePair<string, ManifestDocument>[files.Count];
                Parallel.For(0, files.Count, i =>
                {
                    string text;
                    try { text = ManifestFiles.Read(files[i]); }
                    catch (ManifestReadException ex) { context.Log(ex.Message, MessageType.Warning); text = ""; }
                    string uri = UriPaths.FromPath(files[i]);
                    documents[i] = new(files[i], context.Workspace.Parse(uri, text, ServerWorkspace.LedgerOf(uri)));
                });
                context.Workspace.SetDisk(documents);
                context.Log($"indexed {files.Count} manifest(s) in {string.Join(", ", folders)}");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                context.Log($"indexing the workspace failed: {ex.Message}", MessageType.Warning);
            }
        });
    }

    /// <summary>The command names listed as <c>clientCommands</c> in the initialization options or the experimental capabilities.</summary>
    private static HashSet<string> ClientCommands(JsonElement? initializationOptions, JsonElement? capabilities)
    {
        var commands = new HashSet<string>(StringComparer.Ordinal);
        JsonElement? experimental = capabilities is { ValueKind: JsonValueKind.Object } caps && caps.TryGetProperty("experimental", out var e) ? e : null;
        foreach (var options in new[] { initializationOptions, experimental })
        {
            if (options is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("clientCommands", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                commands.UnionWith(list.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!));
            }
        }
        return commands;
    }

    /// <summary>Asks the client to report manifests and ledgers changed on disk, when it supports dynamic registration.</summary>
    private void RegisterFileWatchers()
    {
        if (context.ClientCapabilities is not { ValueKind: System.Text.Json.JsonValueKind.Object } caps
            || !caps.TryGetProperty("workspace", out var workspace) || workspace.ValueKind != System.Text.Json.JsonValueKind.Object
            || !workspace.TryGetProperty("didChangeWatchedFiles", out var watched) || watched.ValueKind != System.Text.Json.JsonValueKind.Object
            || !watched.TryGetProperty("dynamicRegistration", out var dynamic) || dynamic.ValueKind != System.Text.Json.JsonValueKind.True)
        {
            return;
        }
        var registration = new
        {
            registrations = new[]
            {
                new
                {
                    id = "certlsp-files",
                    method = Methods.DidChangeWatchedFiles,
                    registerOptions = new { watchers = new[] { new { globPattern = "**/*.site.{yaml,yml,ledger}" } } },
                },
            },
        };
        _ = context.Rpc.InvokeWithParameterObjectAsync<object?>(Methods.RegisterCapability, registration).ContinueWith(
            t => context.Log($"the client refused file watching: {t.Exception?.InnerException?.Message}", MessageType.Warning),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    [JsonRpcMethod(Methods.Shutdown)]
    public object? Shutdown()
    {
        context.EnsureReady();
        context.IsShutDown = true;
        return null;
    }

    [JsonRpcMethod(Methods.Exit)]
    public void Exit() => context.Exit.TrySetResult(context.IsShutDown ? 0 : 1);

    [JsonRpcMethod(Methods.SetTrace, UseSingleObjectParameterDeserialization = true)]
    public void SetTrace(SetTraceParams parameters)
    {
        if (parameters.Value is "off" or "messages" or "verbose") context.Trace = parameters.Value;
    }
}
