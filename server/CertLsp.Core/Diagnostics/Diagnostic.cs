using System.Collections.Immutable;
using CertLsp.Core.Text;

namespace CertLsp.Core.Diagnostics;

public enum DiagnosticSeverity
{
    Error = 1,
    Warning = 2,
    Information = 3,
    Hint = 4,
}

/// <summary>A code of the catalog: defined once, never reused.</summary>
public sealed record DiagnosticDefinition(string Code, DiagnosticSeverity Severity, string Title)
{
    public Uri DocumentationUri => DiagnosticCatalog.DocumentationUriFor(Code);
}

/// <summary>A place in a document: the file's path and the span of the node.</summary>
public sealed record SourceLocation(string Path, TextSpan Span);

public sealed record RelatedLocation(SourceLocation Location, string Message);

/// <summary>Replace the text of a span in a file.</summary>
public sealed record TextEdit(string Path, TextSpan Span, string NewText);

/// <summary>
/// A fix that runs a CertLsp command instead of (or after) editing text, e.g. "request CSRs, keeping the pending one":
/// its name (see <see cref="FixCommands"/>) and arguments, as data a front end maps to its own command.
/// </summary>
public sealed record FixCommand(string Name, ImmutableArray<string> Arguments);

/// <summary>The commands fixes can carry.</summary>
public static class FixCommands
{
    /// <summary>Request CSRs: arguments are the manifest path, the pending policy ("keep" or "overwrite") and the device names.</summary>
    public const string RequestCsrs = "certlsp.requestCsrs";
}

/// <summary>A fix attached to a diagnostic where it was made: data, turned into a code action by a front end.</summary>
public sealed record Fix(string Title, ImmutableArray<TextEdit> Edits, bool IsPreferred = false, FixCommand? Command = null);

public sealed record Diagnostic(
    DiagnosticDefinition Definition,
    SourceLocation Location,
    string Message,
    ImmutableArray<RelatedLocation> Related,
    ImmutableArray<Fix> Fixes)
{
    public string Code => Definition.Code;

    /// <summary>The catalog's severity, unless the workspace's certlsp.json sets the rule's level (see <c>CheckSettings</c>).</summary>
    public DiagnosticSeverity Severity { get; init; } = Definition.Severity;

    public string Path => Location.Path;

    public TextSpan Span => Location.Span;

    public override string ToString() => $"{Path}{Span} {Code}: {Message}";
}
