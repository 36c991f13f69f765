using System.Text.Json.Serialization;

namespace CertLsp.LanguageServer.Protocol;

public sealed record Position(int Line, int Character);

public sealed record Range(Position Start, Position End);

public sealed record Location(string Uri, Range Range);

public sealed record TextEdit(Range Range, string NewText);

/// <summary>
/// Edits by document URI; <see cref="DocumentChanges"/> carries the same edits with the version they were made against (null when
/// the document is not open), so that a client that supports it refuses them once the document has changed.
/// </summary>
public sealed record WorkspaceEdit(IReadOnlyDictionary<string, TextEdit[]> Changes, TextDocumentEdit[]? DocumentChanges = null);

public sealed record OptionalVersionedTextDocumentIdentifier(string Uri,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Version);

public sealed record TextDocumentEdit(OptionalVersionedTextDocumentIdentifier TextDocument, TextEdit[] Edits);

public sealed record Command(string Title, [property: JsonPropertyName("command")] string CommandName, object?[]? Arguments = null);

public sealed record MarkupContent(string Kind, string Value)
{
    public static MarkupContent Markdown(string value) => new("markdown", value);
}

public sealed record TextDocumentIdentifier(string Uri);

public sealed record VersionedTextDocumentIdentifier(string Uri, int Version);

public sealed record TextDocumentItem(string Uri, string LanguageId, int Version, string Text);

public sealed record TextDocumentPositionParams(TextDocumentIdentifier TextDocument, Position Position);

public sealed record MessageParams(int Type, string Message);

/// <summary><c>$/cancelRequest</c>: the id of the request to cancel, a number or a string.</summary>
public sealed record CancelParams(object? Id);

public static class MessageType
{
    public const int Error = 1, Warning = 2, Info = 3, Log = 4;
}
