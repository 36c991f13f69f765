using System.Text;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Core.Tests.Support;

/// <summary>
/// Writes a check's findings as expected.diagnostics: one block per diagnostic, by file then position, 1-based UTF-16 columns.
/// <code>
/// file(line,col)-(line,col): severity CODE: message
///   related file(line,col): message
///   fix "title" => @(line,col)-(line,col) "new text" ...
/// </code>
/// </summary>
public static class BaselineFormat
{
    public static string Write(CheckResult result)
    {
        var lines = result.Files.ToDictionary(f => f.Path, f => f.Lines, StringComparer.Ordinal);
        var sb = new StringBuilder();
        foreach (var reported in result.Files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            foreach (var d in result.ByPath[reported.Path])
            {
                sb.Append($"{d.Path}{Range(reported.Lines, d.Span)}: {Severity(d.Severity)} {d.Code}: {d.Message}\n");
                foreach (var related in d.Related)
                {
                    sb.Append(
                        $"  related {related.Location.Path}{Start(lines[related.Location.Path], related.Location.Span)}: " +
                        $"{related.Message}\n");
                }
                foreach (var fix in d.Fixes)
                {
                    sb.Append($"  fix \"{fix.Title}\"{(fix.IsPreferred ? " (preferred)" : "")} =>");
                    foreach (var edit in fix.Edits.OrderBy(e => e.Path, StringComparer.Ordinal).ThenBy(e => e.Span.Start))
                    {
                        string file = edit.Path == d.Path ? "" : edit.Path;
                        sb.Append($" {file}@{Range(lines[edit.Path], edit.Span)} \"{Escape(edit.NewText)}\"");
                    }
                    if (fix.Command is { } command) sb.Append($" command {command.Name}({string.Join(", ", command.Arguments)})");
                    sb.Append('\n');
                }
            }
        }
        return sb.ToString();
    }

    public static string Severity(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Hint => "hint",
        _ => "info",
    };

    private static string Start(LineIndex lines, TextSpan span)
    {
        var p = lines.GetPosition(span.Start);
        return $"({p.Line + 1},{p.Character + 1})";
    }

    private static string Range(LineIndex lines, TextSpan span)
    {
        var r = lines.GetRange(span);
        return $"({r.Start.Line + 1},{r.Start.Character + 1})-({r.End.Line + 1},{r.End.Character + 1})";
    }

    private static string Escape(string text) => text
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("\r", "\\r", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal)
        .Replace("\t", "\\t", StringComparison.Ordinal);
}
