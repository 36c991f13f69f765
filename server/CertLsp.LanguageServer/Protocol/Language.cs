using System.Text.Json;

namespace CertLsp.LanguageServer.Protocol;

public sealed record Hover(MarkupContent Contents, Range? Range = null);

public sealed record CompletionParams(TextDocumentIdentifier TextDocument, Position Position, JsonElement? Context = null);

public sealed record CompletionItem(
    string Label,
    int Kind,
    string? Detail = null,
    MarkupContent? Documentation = null,
    string? InsertText = null,
    string? FilterText = null,
    string? SortText = null,
    TextEdit? TextEdit = null);

public static class CompletionItemKind
{
    public const int Property = 10, Value = 12, Enum = 13, File = 17, Folder = 19, EnumMember = 20;
}

public sealed record CompletionList(bool IsIncomplete, CompletionItem[] Items);

public sealed record DocumentSymbolParams(TextDocumentIdentifier TextDocument);

public sealed record DocumentSymbol(string Name, int Kind, Range Range, Range SelectionRange, string? Detail = null,
    DocumentSymbol[]? Children = null);

public static class SymbolKind
{
    public const int File = 1, Module = 2, Namespace = 3, Package = 4, Object = 19, Property = 7, Field = 8, Key = 20, Array = 18;
}

public sealed record CodeLensParams(TextDocumentIdentifier TextDocument);

public sealed record CodeLens(Range Range, Command? Command = null);

public sealed record FoldingRangeParams(TextDocumentIdentifier TextDocument);

public sealed record FoldingRange(int StartLine, int EndLine, string? Kind = null);

public sealed record SelectionRangeParams(TextDocumentIdentifier TextDocument, Position[] Positions);

public sealed record SelectionRange(Range Range, SelectionRange? Parent = null);

public sealed record CodeActionContext(LspDiagnostic[] Diagnostics, string[]? Only = null);

public sealed record CodeActionParams(TextDocumentIdentifier TextDocument, Range Range, CodeActionContext Context);

public sealed record CodeAction(
    string Title,
    string Kind,
    LspDiagnostic[]? Diagnostics = null,
    bool? IsPreferred = null,
    WorkspaceEdit? Edit = null,
    Command? Command = null);

public static class CodeActionKind
{
    public const string QuickFix = "quickfix";
    public const string Source = "source";
    public const string SourceGenerateCsrs = "source.certlsp.generateCsrs";
    public const string SourceImport = "source.certlsp.importCertificates";
}

public sealed record ExecuteCommandParams(string Command, JsonElement[]? Arguments = null, JsonElement? WorkDoneToken = null);

public sealed record ApplyWorkspaceEditParams(string? Label, WorkspaceEdit Edit);

public sealed record ApplyWorkspaceEditResult(bool Applied, string? FailureReason = null);

public sealed record WorkDoneProgressCreateParams(JsonElement Token);

public sealed record ProgressParams(JsonElement Token, object Value);

public sealed record WorkDoneProgressBegin(string Title, bool Cancellable, string? Message, int? Percentage)
{
    public string Kind => "begin";
}

public sealed record WorkDoneProgressReport(string? Message, int? Percentage, bool? Cancellable = null)
{
    public string Kind => "report";
}

public sealed record WorkDoneProgressEnd(string? Message)
{
    public string Kind => "end";
}
