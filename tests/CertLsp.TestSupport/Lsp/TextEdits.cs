using CertLsp.LanguageServer.Protocol;

namespace CertLsp.TestSupport;

/// <summary>The client side of edits, written independently of the server: LSP positions (UTF-16) to offsets.</summary>
public static class TextEdits
{
    public static int Offset(string text, Position position)
    {
        int line = 0, i = 0;
        while (line < position.Line && i < text.Length)
        {
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            if (text[i] is '\n' or '\r') line++;
            i++;
        }
        int lineEnd = i;
        while (lineEnd < text.Length && text[lineEnd] is not ('\n' or '\r')) lineEnd++;
        return Math.Min(i + position.Character, lineEnd);
    }

    public static Position PositionOf(string text, int offset)
    {
        int line = 0, lineStart = 0;
        for (int i = 0; i < offset; i++)
        {
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') continue;
            if (text[i] is '\n' or '\r') { line++; lineStart = i + 1; }
        }
        return new Position(line, offset - lineStart);
    }

    public static string Apply(string text, IEnumerable<TextEdit> edits)
    {
        foreach (var edit in edits.OrderByDescending(e => Offset(text, e.Range.Start)))
        {
            int start = Offset(text, edit.Range.Start), end = Offset(text, edit.Range.End);
            text = text[..start] + edit.NewText + text[end..];
        }
        return text;
    }

    /// <summary>The text a range covers.</summary>
    public static string Slice(string text, LanguageServer.Protocol.Range range) =>
        text[Offset(text, range.Start)..Offset(text, range.End)];
}
