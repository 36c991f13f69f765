using System.Text;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Core.Yaml;

/// <summary>Builds the text edits that fixes make: a scalar replaced, a key renamed, a key added to a mapping.</summary>
public static class YamlEdits
{
    /// <summary>
    /// The value as YAML text: plain where that reads back as the same string, double-quoted otherwise. Inside a flow
    /// collection (<paramref name="inFlow"/>) a plain scalar cannot hold ",[]{}" either.
    /// </summary>
    public static string FormatString(string value, bool inFlow = false)
    {
        bool plainOk = value.Length > 0
            && !(inFlow && value.AsSpan().IndexOfAny(",[]{}") >= 0)
            && YamlScalarResolver.Resolve(value, ScalarStyle.Plain, null) == ScalarType.String
            && value.Trim() == value
            && "-?:,[]{}#&*!|>'\"%@`".IndexOf(value[0]) < 0
            && !value.Contains(": ", StringComparison.Ordinal)
            && !value.Contains(" #", StringComparison.Ordinal)
            && !value.EndsWith(':')
            && value.All(Printable);
        return plainOk ? value : DoubleQuoted(value);
    }

    /// <summary>
    /// A character YAML takes as it is (its printable set, minus the line breaks YamlDotNet knows: NEL, LS, PS, and the BOM);
    /// anything else needs an escape in a double-quoted scalar.
    /// </summary>
    private static bool Printable(char c) =>
        c is >= ' ' and <= '~' || (c is >= '\u00A0' and <= '\uD7FF' && c is not ('\u2028' or '\u2029')) || char.IsSurrogate(c)
            || (c is >= '\uE000' and <= '\uFFFD' && c != '\uFEFF');

    /// <summary>The value as a double-quoted YAML scalar, with the escapes it needs.</summary>
    public static string DoubleQuoted(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\u0085': sb.Append("\\N"); break;
                case '\u2028': sb.Append("\\L"); break;
                case '\u2029': sb.Append("\\P"); break;
                default:
                    if (Printable(c)) sb.Append(c);
                    else if (c <= '\u00FF') sb.Append($"\\x{(int)c:X2}");
                    else sb.Append($"\\u{(int)c:X4}");
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>The file's line break: CRLF when it has any, else LF (new lines match the file).</summary>
    public static string Newline(string text) => text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";

    /// <summary>The column (UTF-16 code units from the line's start) of an offset.</summary>
    internal static int Column(string text, int offset)
    {
        int lineStart = offset;
        while (lineStart > 0 && text[lineStart - 1] is not ('\n' or '\r')) lineStart--;
        return offset - lineStart;
    }

    /// <summary>
    /// Replaces a scalar by a string: plain where YAML reads that back (in a flow collection, <paramref name="inFlow"/>, too),
    /// else in the quotes the scalar had. A quoted scalar may stand in a flow collection the caller does not know of: a value
    /// that a plain scalar there could not hold (",[]{}") stays quoted.
    /// </summary>
    public static TextEdit ReplaceScalar(string path, YamlScalar scalar, string newValue, bool inFlow = false) =>
        new(path, scalar.Span, scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted
            && FormatString(newValue, inFlow: true) != newValue
            ? InStyle(newValue, scalar.Style, inFlow)
            : FormatString(newValue, inFlow));

    /// <summary>A scalar in the style the replaced one had, where that style can hold the value; else plain or double-quoted.</summary>
    public static string InStyle(string value, ScalarStyle style, bool inFlow) => style switch
    {
        ScalarStyle.SingleQuoted when value.All(c => c is >= ' ' and not '\u007f') =>
            $"'{value.Replace("'", "''", StringComparison.Ordinal)}'",
        ScalarStyle.DoubleQuoted => DoubleQuoted(value),
        _ => FormatString(value, inFlow),
    };

    /// <summary>Replaces a scalar or a key at <paramref name="span"/> by a string, quoted when YAML needs it.</summary>
    public static TextEdit ReplaceText(string path, TextSpan span, string newValue) => new(path, span, FormatString(newValue));

    /// <summary>Adds <c>key: value</c> as the last entry of a mapping, in its style and indentation.</summary>
    public static TextEdit AddPair(string path, string text, YamlMapping? mapping, string key, string valueText)
    {
        string newline = Newline(text);
        if (mapping is null || mapping.Pairs.IsEmpty && !mapping.IsFlow)
        {
            return new TextEdit(path, new TextSpan(0, 0), $"{key}: {valueText}{newline}");
        }
        if (mapping.IsFlow)
        {
            // After the last pair's value ("{ a: 1 }" -> "{ a: 1, key: value }"); in an empty "{}", before its "}".
            return mapping.Pairs.IsEmpty
                ? new TextEdit(path, new TextSpan(mapping.Span.End - 1, 0), $" {key}: {valueText} ")
                : new TextEdit(path, new TextSpan(mapping.Pairs[^1].Value.Span.End, 0), $", {key}: {valueText}");
        }
        string indent = new(' ', Column(text, mapping.Pairs[0].Key.Span.Start));
        // A mapping that is a sequence item starts after "- ": indent by the same column with spaces.
        return new TextEdit(path, new TextSpan(LineEnd(text, mapping.Span.End), 0), $"{newline}{indent}{key}: {valueText}");
    }

    /// <summary>
    /// The end of the line a node ends on (before its line break, after any comment). A block scalar's span ends after
    /// its own line break(s): then the node's last line is the one before, not the next node's.
    /// </summary>
    internal static int LineEnd(string text, int nodeEnd)
    {
        int at = Math.Min(nodeEnd, text.Length);
        if (at > 0 && text[at - 1] is '\n' or '\r')
        {
            while (at > 0 && text[at - 1] is '\n' or '\r' or ' ' or '\t') at--;
            return at;
        }
        while (at < text.Length && text[at] is not ('\n' or '\r')) at++;
        return at;
    }

    /// <summary>Adds a key right after another key's line, at the same indentation (e.g. commonName after name); in a flow mapping as its
    /// last entry.</summary>
    public static TextEdit AddPairAfter(string path, string text, YamlMapping mapping, YamlPair after, string key, string valueText)
    {
        if (mapping.IsFlow) return AddPair(path, text, mapping, key, valueText);
        string newline = Newline(text);
        return new TextEdit(path, new TextSpan(LineEnd(text, after.Value.Span.End), 0),
            $"{newline}{new string(' ', Column(text, after.Key.Span.Start))}{key}: {valueText}");
    }
}
