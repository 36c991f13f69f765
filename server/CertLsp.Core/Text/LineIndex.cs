namespace CertLsp.Core.Text;

/// <summary>
/// Converts between UTF-16 offsets and zero-based line/character positions. Line starts are computed once.
/// A line break is "\n", "\r\n" or a lone "\r", as in YAML and LSP.
/// This is the only place where offsets become positions.
/// </summary>
public sealed class LineIndex
{
    private readonly int[] lineStarts;
    private readonly int length;

    public LineIndex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        length = text.Length;
        var starts = new List<int>(Math.Max(16, text.Length / 24)) { 0 };
        var span = text.AsSpan();
        int i = 0;
        while (true)
        {
            int next = span[i..].IndexOfAny('\r', '\n');
            if (next < 0) break;
            i += next;
            if (span[i] == '\r' && i + 1 < span.Length && span[i + 1] == '\n') i++;
            i++;
            starts.Add(i);
        }
        lineStarts = starts.ToArray();
    }

    public int LineCount => lineStarts.Length;

    public int TextLength => length;

    public int GetLineStart(int line) => lineStarts[Math.Clamp(line, 0, lineStarts.Length - 1)];

    public LinePosition GetPosition(int offset)
    {
        offset = Math.Clamp(offset, 0, length);
        int line = Array.BinarySearch(lineStarts, offset);
        if (line < 0) line = ~line - 1;
        return new LinePosition(line, offset - lineStarts[line]);
    }

    public LineRange GetRange(TextSpan span) => new(GetPosition(span.Start), GetPosition(span.End));

    /// <summary>The span of a zero-based line's text, without its line break (clamped to the text's lines).</summary>
    public TextSpan GetLineSpan(int line, string text)
    {
        int start = GetLineStart(line);
        return TextSpan.FromBounds(start, GetOffset(new LinePosition(Math.Clamp(line, 0, lineStarts.Length - 1), int.MaxValue - start),
            text));
    }

    /// <summary>The offset of a position; a character past the end of its line is clamped to the line's end (before its break).</summary>
    public int GetOffset(LinePosition position, string text)
    {
        if (position.Line < 0) return 0;
        if (position.Line >= lineStarts.Length) return length;
        int start = lineStarts[position.Line];
        int end = position.Line + 1 < lineStarts.Length ? lineStarts[position.Line + 1] : length;
        while (end > start && (text[end - 1] == '\n' || text[end - 1] == '\r')) end--;
        return Math.Clamp(start + Math.Max(0, position.Character), start, end);
    }
}
