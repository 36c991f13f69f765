namespace CertLsp.Core.Yaml;

public static partial class YamlReader
{
    internal sealed partial class TokenTape
    {
        /// <summary>
        /// The tokens of a range written the way a large manifest's devices are — block lists and block mappings, one
        /// "key: value" or "- value" a line, plain values of printable ASCII without YAML's indicators or one-line flow
        /// collections of them — found without YamlDotNet's scanner, which spent most of a large check on them (a pooled
        /// StringBuilder and marks per scalar); the same tokens and marks the scanner gives for the nodes (a test compares
        /// them). Null (nothing appended) for anything else: a comment, a quote, a nested flow collection, a continued or empty
        /// value, a tab or carriage return, a non-ASCII character, an unusual indentation, which the scanner then reads.
        /// </summary>
        private Range? ScanPlainBlocks(string text, int start, int length, int depthAbove, int maxTokens)
        {
            int first = count, end = start + length;
            Span<(int Indent, bool Mapping)> open = stackalloc (int, bool)[MaxDepth];
            int depth = 0;
            // After "key:" at the end of a line, the next line must open the key's collection, indented deeper than this.
            int pendingAbove = -1;
            bool pending = true; // the range's own node
            for (int lineStart = start; lineStart < end;)
            {
                int lineEnd = text.IndexOf('\n', lineStart, end - lineStart);
                if (lineEnd < 0) lineEnd = end;
                int at = lineStart;
                while (at < lineEnd && text[at] == ' ') at++;
                int next = lineEnd + 1;
                if (at == lineEnd)
                {
                    lineStart = next;
                    continue; // a blank line
                }
                int column = at - lineStart;
                if (pending)
                {
                    if (column <= pendingAbove) return Undo(first);
                    pending = false;
                }
                else
                {
                    while (depth > 0 && open[depth - 1].Indent > column)
                    {
                        Add(Kind.BlockEnd, at, at);
                        depth--;
                    }
                    if (depth == 0 || open[depth - 1].Indent != column) return Undo(first);
                    bool item = text[at] == '-';
                    if (item == open[depth - 1].Mapping) return Undo(first); // an item in a mapping, a key in a list
                }
                // "- " items, each opening its list when it is the first at its column.
                if (text[at] == '-')
                {
                    if (at + 1 >= lineEnd || text[at + 1] != ' ') return Undo(first); // "-5", an empty item
                    if (depth == 0 || open[depth - 1].Indent != at - lineStart || open[depth - 1].Mapping)
                    {
                        if (depthAbove + depth + 1 > MaxDepth) return Undo(first);
                        open[depth++] = (at - lineStart, false);
                        Add(Kind.BlockSequenceStart, at, at);
                    }
                    Add(Kind.BlockEntry, at, at + 1);
                    at++;
                    while (at < lineEnd && text[at] == ' ') at++;
                    if (at == lineEnd || text[at] == '-') return Undo(first); // an empty item, a list in a list
                    int keyEnd = KeyEnd(text, at, lineEnd);
                    if (keyEnd < 0)
                    {
                        // A plain value or a one-line flow collection as the item.
                        if (!ScanValue(text, at, lineEnd, depthAbove + depth)) return Undo(first);
                        lineStart = next;
                        continue;
                    }
                    // "- key: …": a mapping opens at the key's column.
                    if (depthAbove + depth + 1 > MaxDepth) return Undo(first);
                    open[depth++] = (at - lineStart, true);
                    Add(Kind.BlockMappingStart, at, at);
                }
                else
                {
                    if (KeyEnd(text, at, lineEnd) < 0) return Undo(first);
                    if (depth == 0 || !open[depth - 1].Mapping || open[depth - 1].Indent != column)
                    {
                        if (depthAbove + depth + 1 > MaxDepth) return Undo(first);
                        open[depth++] = (column, true);
                        Add(Kind.BlockMappingStart, at, at);
                    }
                }
                // "key: value" or "key:" (its value on the lines below).
                int colon = KeyEnd(text, at, lineEnd);
                Add(Kind.Key, at, at);
                Add(Kind.Scalar, at, colon);
                Add(Kind.Value, colon, colon + 1);
                int value = colon + 1;
                while (value < lineEnd && text[value] == ' ') value++;
                if (value == lineEnd)
                {
                    pending = true;
                    pendingAbove = open[depth - 1].Indent;
                }
                else if (!ScanValue(text, value, lineEnd, depthAbove + depth))
                {
                    return Undo(first);
                }
                if (count - first > maxTokens) return Undo(first);
                lineStart = next;
            }
            if (pending) return Undo(first); // an empty range, or a last key without a value
            for (; depth > 0; depth--) Add(Kind.BlockEnd, end, end);
            Add(Kind.StreamEnd, end, end);
            return count - first > maxTokens ? Undo(first) : new Range(start, length, first, count - first);
        }

        private const int MaxKeyLength = 128;

        /// <summary>
        /// The tokens of the value that fills the rest of a line from <paramref name="at"/>: a plain scalar, or a flow mapping of plain
        /// keys and values or a flow list of plain values (<c>{ a: 1, b: c d }</c>, <c>[a, b]</c>: not empty, nothing nested, no
        /// trailing comma); false for anything else. <paramref name="depth"/> is how deep the value sits.
        /// </summary>
        private bool ScanValue(string text, int at, int lineEnd, int depth)
        {
            if (text[at] is not ('{' or '['))
            {
                int valueEnd = PlainEnd(text, at, lineEnd);
                if (valueEnd < 0) return false;
                Add(Kind.Scalar, at, valueEnd);
                return true;
            }
            if (depth + 1 > MaxDepth) return false;
            bool mapping = text[at] == '{';
            Add(mapping ? Kind.FlowMappingStart : Kind.FlowSequenceStart, at, at);
            int i = at + 1;
            while (true)
            {
                while (i < lineEnd && text[i] == ' ') i++;
                if (i == lineEnd) return false;
                if (mapping)
                {
                    int colon = KeyEnd(text, i, lineEnd);
                    if (colon < 0 || colon + 1 == lineEnd) return false;
                    Add(Kind.Key, i, i);
                    Add(Kind.Scalar, i, colon);
                    Add(Kind.Value, colon, colon + 1);
                    i = colon + 1;
                    while (i < lineEnd && text[i] == ' ') i++;
                    if (i == lineEnd) return false;
                }
                // A plain scalar up to the next ',', ']' or '}' (without the spaces before it).
                if (text[i] is '-' or '?' or '~' || !Plain(text[i])) return false;
                int end = i + 1, scalarEnd = end;
                for (; end < lineEnd && text[end] is not (',' or ']' or '}'); end++)
                {
                    if (text[end] == ' ') continue;
                    if (!Plain(text[end])) return false;
                    scalarEnd = end + 1;
                }
                if (end == lineEnd) return false;
                Add(Kind.Scalar, i, scalarEnd);
                if (text[end] == ',')
                {
                    Add(Kind.FlowEntry, end, end + 1);
                    i = end + 1;
                    continue;
                }
                if (text[end] != (mapping ? '}' : ']')) return false;
                Add(mapping ? Kind.FlowMappingEnd : Kind.FlowSequenceEnd, end, end);
                for (i = end + 1; i < lineEnd; i++)
                {
                    if (text[i] != ' ') return false;
                }
                return true;
            }
        }

        private Range? Undo(int first)
        {
            count = first;
            return null;
        }

        private void Add(Kind kind, int start, int end)
        {
            if (count == tokens.Length) Grow();
            tokens[count++] = new Token
            {
                Kind = kind,
                Start = start,
                End = end,
                Style = kind == Kind.Scalar ? (byte)YamlDotNet.Core.ScalarStyle.Plain : (byte)0,
                Value = -1,
            };
        }

        /// <summary>Where a key of letters, digits, '_', '-' and '.' (a letter or digit first; 128 at most) ends at a ':' followed by a
        /// space or the end of the line; -1 when the line does not start with one.</summary>
        private static int KeyEnd(string text, int at, int lineEnd)
        {
            if (!char.IsAsciiLetterOrDigit(text[at])) return -1;
            int i = at + 1;
            while (i < lineEnd && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-' or '.')) i++;
            // YAML lets a key without "?" run 1,024 characters at most: a longer one is the scanner's error to report.
            return i - at <= MaxKeyLength && i < lineEnd && text[i] == ':' && (i + 1 == lineEnd || text[i + 1] == ' ') ? i : -1;
        }

        /// <summary>Where a plain value that fills the rest of the line ends (before trailing spaces): printable ASCII without the
        /// characters that mean something to YAML; -1 for anything else.</summary>
        private static int PlainEnd(string text, int at, int lineEnd)
        {
            if (text[at] is '-' or '?' or '~' || !Plain(text[at])) return -1;
            int last = at;
            for (int i = at + 1; i < lineEnd; i++)
            {
                char c = text[i];
                if (c == ' ') continue;
                if (!Plain(c)) return -1;
                last = i;
            }
            return last + 1;
        }

        private static bool Plain(char c) =>
            c is > ' ' and < (char)0x7F and not ('#' or ':' or ',' or '[' or ']' or '{' or '}' or '"' or '\'' or '`' or '|' or '>' or '&'
                or '*' or '!' or '%' or '@' or '\\');
    }
}
