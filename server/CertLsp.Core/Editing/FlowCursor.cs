using CertLsp.Core.Text;

namespace CertLsp.Core.Editing;

/// <summary>What the cursor stands on inside a flow collection (<c>{ … }</c> or <c>[ … ]</c>).</summary>
internal enum FlowSlot
{
    /// <summary>Where a mapping's key goes (after "{" or ",", or on a key being typed).</summary>
    Key,

    /// <summary>On a mapping's value (after "key:").</summary>
    Value,

    /// <summary>Where a list's item goes (after "[" or ",", or on an item being typed).</summary>
    Item,

    /// <summary>Somewhere nothing can be completed (a comment, after a key without its ":", a complex key).</summary>
    None,
}

/// <summary>
/// The cursor inside a flow collection, worked out from the text (it is usually mid-edit and may not parse).
/// </summary>
/// <param name="Path">The keys from the root to the innermost collection ("[]" for a list item); null when keys cannot name it.</param>
/// <param name="Key">On a value: its key.</param>
/// <param name="Replace">What a completion replaces: the word under the cursor (inside the quotes of a quoted scalar).</param>
/// <param name="Quote">The quote the word under the cursor stands in ('"' or '\''), or '\0'.</param>
/// <param name="Keys">The keys the mapping has, before and after the cursor (not the one being typed).</param>
/// <param name="CommaBefore">A new entry here must start with ", " (the cursor follows a complete entry).</param>
/// <param name="CommaAfter">A new entry here must end with "," (another entry follows the replaced word without one).</param>
/// <param name="OnKey">The word under the cursor is a key followed by its ":": a completion replaces the key only.</param>
internal sealed record FlowCursor(
    FlowSlot Slot,
    List<string>? Path,
    string? Key,
    TextSpan Replace,
    char Quote,
    HashSet<string> Keys,
    bool CommaBefore,
    bool CommaAfter,
    bool OnKey);

/// <summary>
/// Finds whether an offset is inside a flow collection and where in it: a scan of the text from a line that is surely in
/// block context (a list item's "- " line or a root key's line) that follows block lines, quoted scalars, comments and
/// block scalars, and inside flow collections their entries, keys and values.
/// </summary>
internal sealed class FlowScanner
{
    private readonly string text;
    private readonly int offset;

    /// <summary>Where a flow collection's reading stands.</summary>
    private enum Phase
    {
        ExpectKey,   // after "{" or ","
        InKey,       // after a key, before its ":"
        ExpectValue, // after "key:"
        AfterValue,  // after a value
        ExpectItem,  // after "[" or ","
        AfterItem,   // after an item
    }

    /// <summary>One open flow collection.</summary>
    private sealed class Frame(bool isMapping, List<string>? path, int blockIndent)
    {
        public bool IsMapping { get; } = isMapping;

        public List<string>? Path { get; } = path;

        /// <summary>The indentation of the block line the outermost collection opened on (lines at or left of it leave the flow).</summary>
        public int BlockIndent { get; } = blockIndent;

        public Phase Phase { get; set; } = isMapping ? Phase.ExpectKey : Phase.ExpectItem;

        public string? CurrentKey { get; set; }

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }

    private readonly List<Frame> frames = [];
    private FlowCursor? found;
    private Frame? foundFrame;
    private bool finished;

    private FlowScanner(string text, int offset)
    {
        this.text = text;
        this.offset = offset;
    }

    /// <summary>Where the offset stands in a flow collection, or null when it is in block context.</summary>
    public static FlowCursor? At(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        var scanner = new FlowScanner(text, offset);
        scanner.Run(RestartLine(text, offset));
        return scanner.found;
    }

    /// <summary>
    /// The start of the nearest line at or before the offset's that is in block context in any manifest YAML reads: one whose
    /// first characters are "- " (a flow collection cannot hold that) or a key at column 0 (flow lines are indented).
    /// </summary>
    private static int RestartLine(string text, int offset)
    {
        int lineStart = offset;
        while (lineStart > 0 && text[lineStart - 1] is not ('\n' or '\r')) lineStart--;
        while (true)
        {
            int i = lineStart;
            while (i < text.Length && text[i] == ' ') i++;
            bool dash = i < text.Length && text[i] == '-' && (i + 1 == text.Length || text[i + 1] is ' ' or '\t' or '\r' or '\n');
            bool rootKey = i == lineStart && i < text.Length && (char.IsLetter(text[i]) || text[i] is '_' or '"' or '\'');
            if (dash || rootKey || lineStart == 0) return lineStart;
            int end = lineStart - 1;
            if (end > 0 && text[end] == '\n' && text[end - 1] == '\r') end--;
            lineStart = end;
            while (lineStart > 0 && text[lineStart - 1] is not ('\n' or '\r')) lineStart--;
        }
    }

    private static bool IsBreak(char c) => c is '\n' or '\r';

    private static bool IsSpace(char c) => c is ' ' or '\t';

    private static bool IsFlowIndicator(char c) => c is ',' or '[' or ']' or '{' or '}';

    private bool StartsPlain(int i) => i < text.Length && !IsSpace(text[i]) && !IsBreak(text[i]) && !IsFlowIndicator(text[i])
        && text[i] is not ('"' or '\'' or '#' or ':');

    private bool EndsToken(int i) => i >= text.Length || IsSpace(text[i]) || IsBreak(text[i]);

    private int LineEnd(int i)
    {
        while (i < text.Length && !IsBreak(text[i])) i++;
        return i;
    }

    private int NextLine(int i)
    {
        i = LineEnd(i);
        if (i < text.Length && text[i] == '\r') i++;
        if (i < text.Length && text[i] == '\n') i++;
        return i;
    }

    private static int LineStartOf(string text, int i)
    {
        while (i > 0 && !IsBreak(text[i - 1])) i--;
        return i;
    }

    /// <summary>Block lines from <paramref name="start"/>, until the offset is passed in block context or found in a flow
    /// collection.</summary>
    private void Run(int start)
    {
        int blockScalarIndent = -1;
        for (int lineStart = start; lineStart <= text.Length && !finished;)
        {
            if (lineStart > offset) return; // passed in block context
            int indent = 0;
            while (lineStart + indent < text.Length && text[lineStart + indent] == ' ') indent++;
            int first = lineStart + indent;
            bool blank = first >= text.Length || IsBreak(text[first]) || text[first] == '#';
            if (blockScalarIndent >= 0)
            {
                if (blank || indent > blockScalarIndent)
                {
                    if (lineStart >= text.Length) return;
                    lineStart = NextLine(lineStart);
                    continue;
                }
                blockScalarIndent = -1;
            }
            int next = BlockLine(lineStart, indent, ref blockScalarIndent);
            if (next <= lineStart) return;
            lineStart = next;
        }
    }

    /// <summary>One block line (with the flow collections that open on it); returns where the next line starts.</summary>
    private int BlockLine(int lineStart, int indent, ref int blockScalarIndent)
    {
        int i = lineStart + indent, dashes = 0;
        string? key = null;
        bool nodeStart = true;
        while (true)
        {
            while (i < text.Length && IsSpace(text[i])) i++;
            if (i >= text.Length) return text.Length + 1;
            char c = text[i];
            if (IsBreak(c) || c == '#') return NextLine(i);
            if (nodeStart && c is '-' or '?' && EndsToken(i + 1))
            {
                if (c == '-') dashes++;
                i++;
                continue;
            }
            if (nodeStart && c is '{' or '[')
            {
                var path = Completions.ParentPath(text, lineStart, indent);
                if (path is not null)
                {
                    for (int d = 0; d < dashes; d++) path.Add("[]");
                    if (key is not null) path.Add(key);
                }
                frames.Add(new Frame(c == '{', path, indent));
                int after = Flow(i + 1);
                if (finished || after > text.Length) return text.Length + 1;
                return NextLine(after); // whatever follows a flow collection on its line is not structure
            }
            if (nodeStart && c is '|' or '>')
            {
                blockScalarIndent = indent;
                return NextLine(i);
            }
            if (nodeStart && c is '&' or '!')
            {
                while (i < text.Length && !IsSpace(text[i]) && !IsBreak(text[i])) i++;
                continue;
            }
            string value;
            if (c is '"' or '\'')
            {
                int end = QuotedEnd(i);
                if (end > text.Length) return text.Length + 1;
                value = text.Substring(i + 1, Math.Max(0, end - i - 2));
                i = end;
                while (i < text.Length && IsSpace(text[i])) i++;
                if (i < text.Length && text[i] == ':' && EndsToken(i + 1))
                {
                    key = value;
                    i++;
                    nodeStart = true;
                    continue;
                }
                if (end > 0 && LineStartOf(text, end - 1) > lineStart) return NextLine(end); // a quoted scalar over several lines
                nodeStart = false;
                continue;
            }
            int from = i;
            while (i < text.Length && !IsBreak(text[i]) && !(text[i] == ':' && EndsToken(i + 1))
                && !(text[i] == '#' && IsSpace(text[i - 1]))) i++;
            if (i < text.Length && text[i] == ':')
            {
                key = text[from..i].TrimEnd();
                i++;
                nodeStart = true;
                continue;
            }
            nodeStart = false;
        }
    }

    /// <summary>Where a quoted scalar starting at <paramref name="i"/> ends (after its closing quote), or past the text when it does
    /// not.</summary>
    private int QuotedEnd(int i)
    {
        char quote = text[i];
        for (int j = i + 1; j < text.Length; j++)
        {
            if (quote == '"' && text[j] == '\\') { j++; continue; }
            if (text[j] != quote) continue;
            if (quote == '\'' && j + 1 < text.Length && text[j + 1] == '\'') { j++; continue; }
            return j + 1;
        }
        return text.Length + 1;
    }

    /// <summary>The flow collections from <paramref name="i"/> until the outermost closes; returns where it closed.</summary>
    private int Flow(int i)
    {
        int outerIndent = frames[0].BlockIndent;
        while (frames.Count > 0 && !finished)
        {
            // The offset between tokens (a word that starts at the offset is captured as the word).
            if (found is null && (i > offset || (i == offset && !StartsPlain(i)))) CaptureBetween();
            if (i >= text.Length) return text.Length + 1;
            char c = text[i];
            var top = frames[^1];
            if (IsBreak(c))
            {
                int lineStart = NextLine(i);
                int indent = 0;
                // a flow line may be indented with tabs
                while (lineStart + indent < text.Length && text[lineStart + indent] is ' ' or '\t') indent++;
                int first = lineStart + indent;
                // A line at or left of the block line that opened the flow ends it (a bracket not closed yet, while typing).
                if (first < text.Length && indent <= outerIndent && !IsBreak(text[first]) && text[first] is not ('}' or ']' or ',' or '#'))
                {
                    if (found is null && offset > i)
                    {
                        frames.Clear(); // the offset is in block context again
                        return i;
                    }
                    finished = true;
                    return i;
                }
                if (found is null && offset > i && offset < lineStart) CaptureBetween();
                i = lineStart;
                continue;
            }
            if (IsSpace(c))
            {
                i++;
                continue;
            }
            if (c == '#' && (i == 0 || IsSpace(text[i - 1]) || IsBreak(text[i - 1])))
            {
                int end = LineEnd(i);
                if (found is null && offset > i && offset <= end) Capture(FlowSlot.None, new TextSpan(offset, 0), '\0', onKey: false,
                    commaBefore: false);
                i = end;
                continue;
            }
            switch (c)
            {
                case '{' or '[':
                    {
                        List<string>? path = top.Path is null ? null : top switch
                        {
                            { IsMapping: false } => [.. top.Path, "[]"],
                            { Phase: Phase.ExpectValue, CurrentKey: { } k } => [.. top.Path, k],
                            _ => null,
                        };
                        Node(top, null);
                        frames.Add(new Frame(c == '{', path, outerIndent));
                        i++;
                        continue;
                    }
                case '}' or ']':
                    frames.RemoveAt(frames.Count - 1);
                    if (ReferenceEquals(top, foundFrame)) finished = true;
                    i++;
                    continue;
                case ',':
                    top.Phase = top.IsMapping ? Phase.ExpectKey : Phase.ExpectItem;
                    top.CurrentKey = null;
                    i++;
                    continue;
                case ':' when EndsToken(i + 1) || (i + 1 < text.Length && IsFlowIndicator(text[i + 1]))
                    || (i > 0 && text[i - 1] is '"' or '\''):
                    if (top.Phase == Phase.InKey) top.Phase = Phase.ExpectValue;
                    i++;
                    continue;
                case '?' when EndsToken(i + 1):
                    i++;
                    continue;
                case '"' or '\'':
                    {
                        int end = QuotedEnd(i);
                        int inner = Math.Min(end - 1, text.Length);
                        if (found is null && offset > i && offset <= inner)
                        {
                            var slot = top.Phase switch
                            {
                                Phase.ExpectValue => FlowSlot.Value,
                                Phase.ExpectItem => FlowSlot.Item,
                                _ => FlowSlot.None,
                            };
                            Capture(slot, TextSpan.FromBounds(i + 1, inner), c, onKey: false, commaBefore: false);
                        }
                        Node(top, top.Phase != Phase.ExpectKey ? null : inner > i + 1 ? text[(i + 1)..inner] : "");
                        if (end > text.Length) return text.Length + 1;
                        i = end;
                        continue;
                    }
                default:
                    i = Plain(top, i);
                    continue;
            }
        }
        return i;
    }

    /// <summary>A plain scalar from <paramref name="from"/> (captures the offset when it is on it); returns where it ends.</summary>
    private int Plain(Frame top, int from)
    {
        int i = from;
        while (i < text.Length && !IsBreak(text[i]) && !IsFlowIndicator(text[i])
            && !(text[i] == ':' && (EndsToken(i + 1) || IsFlowIndicator(text[i + 1])))
            && !(text[i] == '#' && IsSpace(text[i - 1])))
        {
            i++;
        }

        int to = i;
        while (to > from && IsSpace(text[to - 1])) to--;
        if (found is null && offset >= from && offset <= to)
        {
            int wordStart = offset;
            while (wordStart > from && !IsSpace(text[wordStart - 1])) wordStart--;
            int wordEnd = offset;
            while (wordEnd < to && !IsSpace(text[wordEnd])) wordEnd++;
            switch (top.Phase)
            {
                case Phase.ExpectKey:
                    Capture(FlowSlot.Key, TextSpan.FromBounds(wordStart, wordEnd), '\0', onKey: wordEnd == to && i < text.Length
                        && text[i] == ':', commaBefore: false);
                    top.Phase = Phase.InKey; // the key being typed is not one the mapping has
                    return i;
                case Phase.ExpectValue when wordStart == from:
                    Capture(FlowSlot.Value, TextSpan.FromBounds(from, to), '\0', onKey: false, commaBefore: false);
                    break;
                case Phase.ExpectValue or Phase.AfterValue:
                    // "{ a: x k|": the value ended at the space, the cursor types the next key.
                    Capture(FlowSlot.Key, TextSpan.FromBounds(wordStart, wordEnd), '\0', onKey: false, commaBefore: true);
                    break;
                case Phase.ExpectItem or Phase.AfterItem:
                    Capture(FlowSlot.Item, TextSpan.FromBounds(wordStart == from ? from : wordStart, wordStart == from ? to : wordEnd),
                        '\0', onKey: false, commaBefore: wordStart > from || top.Phase == Phase.AfterItem);
                    break;
                default:
                    Capture(FlowSlot.None, new TextSpan(offset, 0), '\0', onKey: false, commaBefore: false);
                    break;
            }
        }
        Node(top, top.Phase == Phase.ExpectKey ? text[from..to] : null); // only a key's text is kept
        return i;
    }

    /// <summary>A node completes in the collection: for a key its text (null for a collection as a key).</summary>
    private static void Node(Frame top, string? value)
    {
        switch (top.Phase)
        {
            case Phase.ExpectKey:
                top.CurrentKey = value;
                if (value is not null) top.Keys.Add(value);
                top.Phase = Phase.InKey;
                break;
            case Phase.ExpectValue:
                top.Phase = Phase.AfterValue;
                break;
            case Phase.ExpectItem:
                top.Phase = Phase.AfterItem;
                break;
        }
    }

    /// <summary>The offset between tokens: what goes there follows from where the collection is.</summary>
    private void CaptureBetween()
    {
        var top = frames[^1];
        int lineStart = LineStartOf(text, offset);
        if (offset - lineStart <= frames[0].BlockIndent && text.AsSpan(lineStart, offset - lineStart).Trim(" \t").IsEmpty)
        {
            // In the indentation of a flow line, at or left of the block that holds the flow: text there would leave the flow.
            Capture(FlowSlot.None, new TextSpan(offset, 0), '\0', onKey: false, commaBefore: false);
            return;
        }
        var (slot, comma) = top.Phase switch
        {
            Phase.ExpectKey => (FlowSlot.Key, false),
            Phase.ExpectValue => (FlowSlot.Value, false),
            Phase.AfterValue => (FlowSlot.Key, true),
            Phase.ExpectItem => (FlowSlot.Item, false),
            Phase.AfterItem => (FlowSlot.Item, true),
            _ => (FlowSlot.None, false),
        };
        Capture(slot, new TextSpan(offset, 0), '\0', onKey: false, commaBefore: comma);
    }

    private void Capture(FlowSlot slot, TextSpan replace, char quote, bool onKey, bool commaBefore)
    {
        var top = frames[^1];
        bool commaAfter = false;
        if (!onKey && quote == '\0' && slot != FlowSlot.None)
        {
            int j = replace.End;
            while (j < text.Length && (IsSpace(text[j]) || IsBreak(text[j]))) j++;
            commaAfter = j < text.Length && text[j] is not (',' or '}' or ']' or '#');
        }
        found = new FlowCursor(slot, top.Path, slot == FlowSlot.Value ? top.CurrentKey : null, replace, quote, top.Keys, commaBefore,
            commaAfter, onKey);
        foundFrame = top;
    }

}
