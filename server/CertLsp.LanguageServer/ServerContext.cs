using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer;

/// <summary>What every handler shares: the connection, the documents, the publisher, the lifecycle state.</summary>
public sealed class ServerContext(ServerWorkspace workspace, TextWriter log, bool verbose = false)
{
    private JsonRpc? rpc;

    public JsonRpc Rpc => rpc ?? throw new InvalidOperationException("not connected");

    public ServerWorkspace Workspace { get; } = workspace;

    public DiagnosticPublisher Publisher { get; set; } = null!;

    public bool IsInitialized { get; set; }

    public bool IsShutDown { get; set; }

    public string Trace { get; set; } = "off";

    /// <summary>What the client can do, read once at initialize.</summary>
    public ClientFeatures Client { get; set; } = ClientFeatures.None;

    /// <summary>The editor's BACnet settings (initializationOptions.bacnet).</summary>
    public EditorBacnet Bacnet { get; set; } = EditorBacnet.None;

    /// <summary>
    /// Whether the editor trusts the workspace (initializationOptions.workspaceTrusted, then didChangeConfiguration): only then does
    /// the server run git. A client that says nothing is untrusted.
    /// </summary>
    public bool WorkspaceTrusted { get; set; }

    /// <summary>How the server runs git (tests put a recorder here); never used while the workspace is untrusted.</summary>
    public Workflows.Review.GitRevisions Git { get; set; } = new();

    /// <summary>How the commissioning tool joins the hub for Verify Site (tests put a connection of their own here); null: as the
    /// manifest names it (ScToolConnection: its certificate and key from the ledger, bundle and key folder).</summary>
    public Devices.ToolConnect? ToolConnection { get; set; }

    /// <summary>The manifests at HEAD the rename lenses compare with, read once per HEAD commit.</summary>
    public HeadRevisions Heads { get; } = new();

    /// <summary>A git-running request refused: the workspace is not trusted.</summary>
    public const string UntrustedRefusal =
        "the workspace is not trusted: CertLsp runs no git (or any other program) there. Trust the folder (VS Code: Manage Workspace " +
        "Trust; other editors: initializationOptions.workspaceTrusted) to review changes.";

    public TaskCompletionSource<int> Exit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal void Attach(JsonRpc connection) => rpc = connection;

    /// <summary>Refuses requests before initialize (-32002) and after shutdown (-32600).</summary>
    public void EnsureReady()
    {
        if (!IsInitialized) throw new LocalRpcException("the server is not initialized yet: send initialize first")
        {
            ErrorCode =
            ErrorCodes.ServerNotInitialized
        };
        if (IsShutDown) throw new LocalRpcException("the server is shutting down") { ErrorCode = ErrorCodes.InvalidRequest };
    }

    /// <summary>True when notifications may be processed.</summary>
    public bool Ready => IsInitialized && !IsShutDown;

    /// <summary>
    /// Writes to the client's log (<c>window/logMessage</c>) when connected; to stderr only warnings and errors, and everything when
    /// the server runs verbose (<c>certlsp lsp --verbose</c> or <c>CERTLSP_TRACE=1</c>): editors log a server's stderr as errors.
    /// </summary>
    public void Log(string message, int type = MessageType.Log)
    {
        if (verbose || type is MessageType.Error or MessageType.Warning) WriteStderr(message);
        if (rpc is { IsDisposed: false } && IsInitialized)
        {
            _ = rpc.Notify(Methods.LogMessage, new MessageParams(type, message));
        }
    }

    /// <summary>
    /// What the server is doing and how long it took (each diagnostics run): as <c>$/logTrace</c> when the client asked for a trace
    /// (initialize's <c>trace</c> or <c>$/setTrace</c>: messages, or verbose with the details), and to stderr only when the server
    /// runs verbose.
    /// </summary>
    public void LogTrace(string message, string? details = null)
    {
        if (verbose) WriteStderr(details is null ? message : $"{message} {details}");
        if (Trace != "off" && rpc is { IsDisposed: false } && IsInitialized)
        {
            _ = rpc.Notify(Methods.LogTrace, new LogTraceParams(message, Trace == "verbose" ? details : null));
        }
    }

    /// <summary>One timestamped line to the server's log (stderr): never stdout, which is the protocol.</summary>
    private void WriteStderr(string line)
    {
        lock (log)
        {
            log.WriteLine($"[certlsp {DateTime.UtcNow:HH:mm:ss.fff}] {line}");
            log.Flush();
        }
    }

    public Task ShowMessageAsync(int type, string message) =>
        Rpc.Notify(Methods.ShowMessage, new MessageParams(type, message));

    /// <summary>A command's manifest: its local path and current text (the open buffer when it is open), or an invalid-params
    /// error.</summary>
    public (string Path, string Text) Manifest(string uri)
    {
        var (path, text, _, _) = ParsedManifest(uri, parse: false);
        return (path, text);
    }

    /// <summary>
    /// A command's manifest with its reading: the open buffer's (its parse re-used, and its version) when it is open, else the file
    /// read and parsed now; an invalid-params error when there is neither.
    /// </summary>
    public (string Path, string Text, int? Version, Core.Checking.ManifestDocument Parsed) ParsedManifest(string uri)
    {
        var (path, text, version, parsed) = ParsedManifest(uri, parse: true);
        return (path, text, version, parsed!);
    }

    private (string Path, string Text, int? Version, Core.Checking.ManifestDocument? Parsed) ParsedManifest(string uri, bool parse)
    {
        if (UriPaths.LocalPath(uri) is not { } path)
        {
            throw new LocalRpcException($"“{uri}” is not a manifest file on disk") { ErrorCode = ErrorCodes.InvalidParams };
        }
        if (Workspace.Snapshot.Find(uri) is { } open) return (path, open.Text, open.Version, parse ? open.Parsed : null);
        string text;
        try
        {
            text = Workflows.Files.ManifestFiles.Read(path);
        }
        catch (Workflows.Files.ManifestReadException ex)
        {
            throw new LocalRpcException(ex.Message) { ErrorCode = ErrorCodes.InvalidParams };
        }
        return (path, text, null, parse ? Core.Checking.ManifestDocument.Parse(path, text) : null);
    }

    /// <summary>A document the client has open, or an invalid-params error.</summary>
    /// <remarks>Its reading is done (a large document's takes a while) before it is returned: a request cancelled meanwhile stops
    /// here.</remarks>
    public OpenDocument Document(WorkspaceSnapshot snapshot, TextDocumentIdentifier id, CancellationToken cancellationToken)
    {
        var document = snapshot.Find(id.Uri) ?? throw new LocalRpcException($"the document {id.Uri} is not open")
        {
            ErrorCode =
            ErrorCodes.InvalidParams
        };
        _ = document.Parsed;
        cancellationToken.ThrowIfCancellationRequested();
        return document;
    }
}
