namespace CertLsp.LanguageServer.Protocol;

/// <summary>LSP method names, each once.</summary>
public static class Methods
{
    public const string Initialize = "initialize";
    public const string Initialized = "initialized";
    public const string Shutdown = "shutdown";
    public const string Exit = "exit";
    public const string SetTrace = "$/setTrace";
    public const string LogTrace = "$/logTrace";
    public const string CancelRequest = "$/cancelRequest";
    public const string Progress = "$/progress";

    public const string DidOpen = "textDocument/didOpen";
    public const string DidChange = "textDocument/didChange";
    public const string DidClose = "textDocument/didClose";
    public const string DidSave = "textDocument/didSave";
    public const string PublishDiagnostics = "textDocument/publishDiagnostics";
    public const string CodeAction = "textDocument/codeAction";
    public const string Completion = "textDocument/completion";
    public const string Hover = "textDocument/hover";
    public const string DocumentSymbol = "textDocument/documentSymbol";
    public const string CodeLens = "textDocument/codeLens";
    public const string Definition = "textDocument/definition";
    public const string FoldingRange = "textDocument/foldingRange";
    public const string SelectionRange = "textDocument/selectionRange";

    public const string DidChangeWatchedFiles = "workspace/didChangeWatchedFiles";
    public const string DidChangeConfiguration = "workspace/didChangeConfiguration";
    public const string ExecuteCommand = "workspace/executeCommand";
    public const string ApplyEdit = "workspace/applyEdit";
    public const string RegisterCapability = "client/registerCapability";
    public const string CodeLensRefresh = "workspace/codeLens/refresh";

    public const string LogMessage = "window/logMessage";
    public const string ShowMessage = "window/showMessage";
    public const string WorkDoneProgressCreate = "window/workDoneProgress/create";
}

/// <summary>LSP error codes beyond JSON-RPC's own.</summary>
public static class ErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int InvalidParams = -32602;
    public const int ServerNotInitialized = -32002;
    public const int RequestFailed = -32803;
    public const int ContentModified = -32801;
    public const int RequestCancelled = -32800;
}

/// <summary>CertLsp's own commands (workspace/executeCommand) and requests.</summary>
public static class CertLspCommands
{
    public const string GenerateCsrs = "certlsp.generateCsrs";
    public const string ImportCertificates = "certlsp.importCertificates";
    public const string ShowStatus = "certlsp.showStatus";
    public const string DiscoverDevices = "certlsp.discoverDevices";
    public const string InstallCertificates = "certlsp.installCertificates";
    public const string VerifySite = "certlsp.verifySite";
    public const string ReviewChanges = "certlsp.reviewChanges";

    /// <summary>Not a server command: the client asks for the archive (a file picker), then calls <see
    /// cref="ImportCertificates"/>.</summary>
    public const string ImportCertificatesPrompt = "certlsp.importCertificatesPrompt";

    /// <summary>Not a server command: the client's "Review Changes Against…" (the rename lenses run it when the client declares
    /// it).</summary>
    public const string ReviewChangesPrompt = "certlsp.review";

    /// <summary>Custom request: the site's devices with their certificate status (the editor's certificates view).</summary>
    public const string SiteStatus = "certlsp/siteStatus";

    public const string WorkDoneProgressCancel = "window/workDoneProgress/cancel";

    /// <summary>The commands the server runs (workspace/executeCommand), as its registry lists them.</summary>
    public static string[] Server => Commands.CommandRegistry.Default.Names;
}
