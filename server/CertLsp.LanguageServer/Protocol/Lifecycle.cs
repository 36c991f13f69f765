using System.Text.Json;

namespace CertLsp.LanguageServer.Protocol;

public sealed record WorkspaceFolder(string Uri, string Name);

public sealed record ClientInfo(string Name, string? Version = null);

public sealed record InitializeParams(
    int? ProcessId = null,
    ClientInfo? ClientInfo = null,
    string? RootUri = null,
    string? RootPath = null,
    WorkspaceFolder[]? WorkspaceFolders = null,
    JsonElement? Capabilities = null,
    JsonElement? InitializationOptions = null, // LSPAny: read once, leniently, into Protocol.InitializationOptions
    string? Trace = null);

public sealed record ServerInfo(string Name, string Version);

public sealed record InitializeResult(ServerCapabilities Capabilities, ServerInfo ServerInfo);

public sealed record TextDocumentSyncOptions(bool OpenClose, int Change, SaveOptions Save);

public sealed record SaveOptions(bool IncludeText);

public static class TextDocumentSyncKind
{
    public const int None = 0, Full = 1, Incremental = 2;
}

public sealed record CompletionOptions(string[] TriggerCharacters, bool ResolveProvider);

public sealed record CodeActionOptions(string[] CodeActionKinds, bool ResolveProvider);

public sealed record CodeLensOptions(bool ResolveProvider);

public sealed record ExecuteCommandOptions(string[] Commands, bool WorkDoneProgress);

/// <summary>Exactly what this server implements, nothing more.</summary>
public sealed record ServerCapabilities(
    TextDocumentSyncOptions TextDocumentSync,
    CompletionOptions CompletionProvider,
    bool HoverProvider,
    bool DocumentSymbolProvider,
    bool DefinitionProvider,
    bool FoldingRangeProvider,
    bool SelectionRangeProvider,
    CodeActionOptions CodeActionProvider,
    CodeLensOptions? CodeLensProvider = null,
    ExecuteCommandOptions? ExecuteCommandProvider = null);

public sealed record SetTraceParams(string Value);

public sealed record LogTraceParams(string Message, string? Verbose = null);
