using CertLsp.Core.Configuration;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Files;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>initialize, initialized, shutdown, exit, $/setTrace.</summary>
public sealed class LifecycleHandler(ServerContext context, Func<ServerCapabilities> capabilities)
{
    [JsonRpcMethod(Methods.Initialize, UseSingleObjectParameterDeserialization = true)]
    public InitializeResult Initialize(InitializeParams parameters, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (context.IsInitialized) throw new LocalRpcException("initialize was already sent") { ErrorCode = ErrorCodes.InvalidRequest };
        var options = InitializationOptions.Read(parameters.InitializationOptions, m =>
            context.Log($"initializationOptions.{m}", MessageType.Warning));
        context.Client = ClientFeatures.Read(parameters.Capabilities, options);
        context.Trace = parameters.Trace ?? "off";
        // The editor's "expiry warning days" setting: the window for manifests without certificates.warningDays.
        if (options.WarningDays is { } warningDays) context.Workspace.DefaultWarningDays = warningDays;
        context.Bacnet = options.Bacnet ?? EditorBacnet.None;
        if (options.Exclude is { } globs) context.Workspace.SetExclude(globs);
        context.WorkspaceTrusted = options.WorkspaceTrusted == true;
        var folders = (parameters.WorkspaceFolders ?? []).Select(f => UriPaths.LocalPath(f.Uri)).ToList();
        if (folders.Count == 0) folders.Add(parameters.RootUri is { } root ? UriPaths.LocalPath(root) : parameters.RootPath);
        context.Workspace.SetFolders(folders.OfType<string>().Where(Directory.Exists));
        context.IsInitialized = true;
        return new InitializeResult(capabilities(), new ServerInfo("certlsp",
            typeof(LifecycleHandler).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"));
    }

    [JsonRpcMethod(Methods.Initialized, UseSingleObjectParameterDeserialization = true)]
    public void Initialized(object? parameters)
    {
        _ = parameters;
        if (!context.Ready) return;
        RegisterFileWatchers();
        // Index the workspace's manifests in the background: CN uniqueness spans every manifest of the folder.
        _ = WorkspaceIndex.Start(context);
    }

    /// <summary>Asks the client to report manifests, ledgers, .certlspignore and certlsp.json files changed on disk, when it supports
    /// dynamic registration.</summary>
    private void RegisterFileWatchers()
    {
        if (!context.Client.WatchedFilesRegistration) return;
        context.Workspace.RereadConfigOnChange = false;
        _ = context.Rpc.Request<object?>(Methods.RegisterCapability, FileWatchers).ContinueWith(
            t => context.Log($"the client refused file watching: {t.Exception?.InnerException?.Message}", MessageType.Warning),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>What <see cref="RegisterFileWatchers"/> asks for: manifests and ledgers, .certlspignore and certlsp.json files.</summary>
    internal static RegistrationParams FileWatchers { get; } = new(
    [
        new Registration("certlsp-files", Methods.DidChangeWatchedFiles, new DidChangeWatchedFilesRegistrationOptions(
        [
            new FileWatcher("**/*.site.{yaml,yml,ledger}"),
            new FileWatcher("**/" + ManifestExclusions.IgnoreFileName),
            new FileWatcher("**/" + CheckSettings.FileName),
        ])),
    ]);

    [JsonRpcMethod(Methods.Shutdown)]
    public object? Shutdown(CancellationToken cancellationToken)
    {
        _ = cancellationToken; // answered at once: nothing to cancel
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
