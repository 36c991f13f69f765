using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Core.Configuration;

/// <summary>
/// <c># certlsp-disable-next-line CL0302 CL0401 -- why</c>: a comment line that suppresses findings of those codes (comma or space
/// separated; text after “--” is the reason) starting on the line right after it. A code that suppresses nothing is reported as a
/// hint (CL0702) on the comment.
/// </summary>
public static class Suppressions
{
    public const string Directive = "certlsp-disable-next-line";

    /// <summary>A suppression comment: its zero-based line, the comment's span (from “#” to the end of its text) and its codes.</summary>
    public sealed record Comment(int Line, TextSpan Span, IReadOnlyList<string> Codes);

    /// <summary>The suppression comments of a text: lines whose first non-blank character is “#” followed by the directive.</summary>
    public static List<Comment> Find(string text, LineIndex lines)
    {
        var found = new List<Comment>();
        if (!text.Contains(Directive, StringComparison.Ordinal)) return found;
        for (int line = 0; line < lines.LineCount; line++)
        {
            var span = lines.GetLineSpan(line, text);
            var content = text.AsSpan(span.Start, span.Length);
            int hash = content.IndexOfAnyExcept(' ', '\t');
            if (hash < 0 || content[hash] != '#') continue;
            var rest = content[(hash + 1)..].TrimStart(" \t");
            if (!rest.StartsWith(Directive, StringComparison.Ordinal)) continue;
            var tail = rest[Directive.Length..];
            if (tail.Length > 0 && tail[0] is not (' ' or '\t' or ',')) continue;
            int reason = tail.IndexOf("--", StringComparison.Ordinal);
            var codes = (reason < 0 ? tail : tail[..reason]).ToString().Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
            var trimmed = content[hash..].TrimEnd(" \t");
            found.Add(new Comment(line, new TextSpan(span.Start + hash, trimmed.Length), codes));
        }
        return found;
    }

    /// <summary>
    /// The diagnostics of one manifest without those its comments suppress, plus a CL0702 hint for each comment (or code in it)
    /// that suppressed nothing.
    /// </summary>
    /// <param name="lineIndex">The text's line index, made only when the text has a suppression comment (a large workspace has
    /// few).</param>
    public static List<Diagnostic> Apply(string path, string text, Func<LineIndex> lineIndex, IEnumerable<Diagnostic> diagnostics)
    {
        var all = diagnostics.ToList();
        if (!text.Contains(Directive, StringComparison.Ordinal)) return all;
        var lines = lineIndex();
        var comments = Find(text, lines);
        if (comments.Count == 0) return all;
        var used = new HashSet<(int Line, string Code)>();
        var byLine = comments.ToDictionary(c => c.Line + 1);
        var kept = new List<Diagnostic>(all.Count);
        foreach (var d in all)
        {
            if (d.Path == path && byLine.TryGetValue(lines.GetPosition(d.Span.Start).Line, out var comment)
                && comment.Codes.Contains(d.Code))
            {
                used.Add((comment.Line, d.Code));
                continue;
            }
            kept.Add(d);
        }
        var builder = new DiagnosticBuilder(path, text);
        foreach (var comment in comments)
        {
            var unused = comment.Codes.Where(c => !used.Contains((comment.Line, c))).Distinct(StringComparer.Ordinal).ToList();
            if (unused.Count > 0 || comment.Codes.Count == 0) kept.Add(builder.UnusedSuppression(comment.Span, unused));
        }
        return kept;
    }
}
