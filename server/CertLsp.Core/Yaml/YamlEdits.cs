using System.Text;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Core.Yaml;

/// <summary>Builds the text edits that fixes make: a scalar replaced, a key renamed, a key added to a mapping.</summary>
public static class YamlEdits
{
    /// <summary>The value as YAML text: plain where that reads back as the same string, double-quoted otherwise.</summary>
    public static string FormatString(string value)
    {
        bool plainOk = value.Length > 0
            && YamlScalarResolver.Resolve(value, ScalarStyle.Plain, null) == ScalarType.String
            && value.Trim() == value
            && "-?:,[]{}#&*!|>'\"%@`".IndexOf(value[0]) < 0
            && !value.Contains(": ", StringComparison.Ordinal)
            && !value.Contains(" #", StringComparison.Ordinal)
            && !value.EndsWith(':')
            && value.All(c => c >= ' ' && c != '\u007f');
        if (plainOk) return value;
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
                default:
                    if (c < ' ' || c == '\u007f') sb.Append($"\\x{(int)c:X2}");
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    public static TextEdit ReplaceScalar(string path, YamlScalar scalar, string newValue) =>
        new(path, scalar.Span, FormatString(newValue));

    /// <summary>Adds <c>key: value</c> as the last entry of a mapping, in its style and indentation.</summary>
    public static TextEdit AddPair(string path, string text, YamlMapping? mapping, string key, string valueText)
    {
        string newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
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
        int firstKey = mapping.Pairs[0].Key.Span.Start;
        int lineStart = firstKey;
        while (lineStart > 0 && text[lineStart - 1] is not ('\n' or '\r')) lineStart--;
        string indent = new(' ', firstKey - lineStart);
        // A mapping that is a sequence item starts after "- ": indent by the same column with spaces.
        return new TextEdit(path, new TextSpan(LineEnd(text, mapping.Span.End), 0), $"{newline}{indent}{key}: {valueText}");
    }

    /// <summary>
    /// The end of the line a node ends on (before its line break, after any comment). A block scalar's span ends after
    /// its own line break(s): then the node's last line is the one before, not the next node's.
    /// </summary>
    private static int LineEnd(string text, int nodeEnd)
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

    /// <summary>Adds a key right after another key's line, at the same indentation (e.g. commonName after name).</summary>
    public static TextEdit AddPairAfter(string path, string text, YamlMapping mapping, YamlPair after, string key, string valueText)
    {
        if (mapping.IsFlow) return AddPair(path, text, mapping, key, valueText);
        string newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        int keyStart = after.Key.Span.Start;
        int lineStart = keyStart;
        while (lineStart > 0 && text[lineStart - 1] is not ('\n' or '\r')) lineStart--;
        return new TextEdit(path, new TextSpan(LineEnd(text, after.Value.Span.End), 0), $"{newline}{new string(' ', keyStart - lineStart)}{key}: {valueText}");
    }
}
