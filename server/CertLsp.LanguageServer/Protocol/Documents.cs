namespace CertLsp.LanguageServer.Protocol;

public sealed record DidOpenTextDocumentParams(TextDocumentItem TextDocument);

public sealed record TextDocumentContentChangeEvent(string Text, Range? Range = null, int? RangeLength = null);

public sealed record DidChangeTextDocumentParams(VersionedTextDocumentIdentifier TextDocument,
    TextDocumentContentChangeEvent[] ContentChanges);

public sealed record DidCloseTextDocumentParams(TextDocumentIdentifier TextDocument);

public sealed record DidSaveTextDocumentParams(TextDocumentIdentifier TextDocument, string? Text = null);

public sealed record FileEvent(string Uri, int Type);

public static class FileChangeType
{
    public const int Created = 1, Changed = 2, Deleted = 3;
}

public sealed record DidChangeWatchedFilesParams(FileEvent[] Changes);

/// <summary><c>client/registerCapability</c>: the server asks for <c>workspace/didChangeWatchedFiles</c> on these globs.</summary>
public sealed record RegistrationParams(Registration[] Registrations);

public sealed record Registration(string Id, string Method, DidChangeWatchedFilesRegistrationOptions RegisterOptions);

public sealed record DidChangeWatchedFilesRegistrationOptions(FileWatcher[] Watchers);

public sealed record FileWatcher(string GlobPattern);

public sealed record DiagnosticRelatedInformation(Location Location, string Message);

public sealed record CodeDescription(string Href);

public sealed record LspDiagnostic(
    Range Range,
    string Message,
    int? Severity = null,
    string? Code = null,
    string? Source = null,
    CodeDescription? CodeDescription = null,
    DiagnosticRelatedInformation[]? RelatedInformation = null);

public sealed record PublishDiagnosticsParams(string Uri, LspDiagnostic[] Diagnostics, int? Version = null);
