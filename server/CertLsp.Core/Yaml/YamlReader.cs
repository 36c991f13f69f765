using System.Collections.Immutable;
using System.Runtime.InteropServices;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YdnScalarStyle = YamlDotNet.Core.ScalarStyle;

namespace CertLsp.Core.Yaml;

/// <summary>The outcome of reading a YAML text: its root node (if one could be built) and the CL0001 findings.</summary>
public sealed record YamlReadResult(YamlNode? Root, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>True when the text could not be read far enough for the manifest's other checks to mean anything.</summary>
    public bool IsUnusable => Root is null && !Diagnostics.IsEmpty;

    /// <summary>The pieces a large text was read in, kept so the next read of an edited text can re-use the unchanged ones.</summary>
    internal YamlChunkSet? Chunks { get; init; }
}

/// <summary>
/// Reads one YAML document into immutable nodes with exact spans, using YamlDotNet's event parser.
/// Hostile input is bounded: aliases are shared (never copied) and their total expansion is capped,
/// nesting is capped, and duplicate keys and extra documents are reported.
/// </summary>
public static partial class YamlReader
{
    public const int MaxDepth = 64;

    /// <summary>How many nodes aliases may add on top of the document's own nodes (a "billion laughs" guard).</summary>
    public const long MaxAliasExpansion = 100_000;

    public static YamlReadResult Read(string text, string path) => Read(text, path, previous: null);

    /// <summary>
    /// Reads a text; a large manifest whose devices list can be cut safely is read in pieces (re-using the
    /// pieces of <paramref name="previous"/> whose text is unchanged), with the same result as one whole read.
    /// </summary>
    public static YamlReadResult Read(string text, string path, YamlReadResult? previous) =>
        Read(text, path, previous, ChunkOptions.Default);

    internal static YamlReadResult Read(string text, string path, YamlReadResult? previous, ChunkOptions options)
    {
        if (YamlChunks.Plan(text, options) is { } plan && YamlChunks.Read(text, path, plan, previous?.Chunks,
            options) is { } chunked) return chunked;
        // Read whole (a YAML error while typing, say): the earlier pieces stay on offer for the next version.
        return ReadWhole(text, path) with { Chunks = previous?.Chunks };
    }

    internal static YamlReadResult ReadWhole(string text, string path)
    {
        var outcome = ReadTokens(text, 0, text.Length, path, 0) ?? ReadEvents(text, 0, text.Length, path, 0, stopAtFailure: false);
        return new YamlReadResult(outcome.Root, outcome.Diagnostics);
    }

    /// <summary>What reading one range of a text gave; <see cref="Clean"/> when it had no YAML error and one document.</summary>
    internal readonly record struct RangeOutcome(YamlNode? Root, ImmutableArray<Diagnostic> Diagnostics, bool Clean);

    /// <summary>
    /// The read through YamlDotNet's parser (events): every document YAML allows, with its errors. Reads <paramref name="length"/>
    /// characters of <paramref name="text"/> from <paramref name="start"/> as one YAML stream; spans are offsets into the whole
    /// text. <paramref name="depth"/> is how deep the range's top node sits in the whole document. With
    /// <paramref name="stopAtFailure"/> the read gives up (not clean) at the first YAML error or second document.
    /// </summary>
    internal static RangeOutcome ReadEvents(string text, int start, int length, string path, int depth, bool stopAtFailure)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var builder = new DiagnosticBuilder(path);
        var state = new ReadState(text, start, length, depth, builder, diagnostics);
        var parser = new Parser(Input(text, start, length));
        YamlNode? root = null;
        int lastGoodEnd = start;
        try
        {
            int documents = 0;
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                switch (ev)
                {
                    case DocumentStart documentStart:
                        documents++;
                        if (documents == 2)
                        {
                            if (stopAtFailure) return default;
                            int from = state.At(documentStart.Start);
                            var span = TextSpan.FromBounds(from, Math.Max(state.At(documentStart.End), from));
                            diagnostics.Add(builder.ExtraDocument(span.Length == 0 ? LineSpan(text, span.Start) : span));
                        }
                        break;
                    case DocumentEnd:
                    case StreamStart:
                    case StreamEnd:
                        break;
                    default:
                        var node = state.Handle(ev);
                        lastGoodEnd = Math.Max(lastGoodEnd, state.At(ev.End));
                        if (node is not null && documents == 1) root = node;
                        if (state.Failed) return new RangeOutcome(null, diagnostics.ToImmutable(), false);
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            if (stopAtFailure) return default;
            diagnostics.Add(builder.YamlSyntax(ErrorSpan(text, ex, lastGoodEnd), CleanMessage(ex.Message)));
            return new RangeOutcome(null, diagnostics.ToImmutable(), false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException
            or OverflowException)
        {
            if (stopAtFailure) return default;
            // YamlDotNet throws these for some malformed input instead of a YamlException (an unclosed "[" or "{" among them).
            diagnostics.Add(state.InnermostOpenFlow() is { } open
                ? builder.YamlSyntax(new TextSpan(open.Start, 1), open.IsMapping
                    ? "this “{” opens a mapping that is never closed with “}”"
                    : "this “[” opens a list that is never closed with “]”")
                : builder.YamlSyntax(LineSpan(text, lastGoodEnd), "the YAML is malformed here"));
            return new RangeOutcome(null, diagnostics.ToImmutable(), false);
        }
        return new RangeOutcome(root, diagnostics.ToImmutable(), true);
    }

    private static string CleanMessage(string message)
    {
        var m = message.Trim();
        if (m.StartsWith("While ", StringComparison.Ordinal)) m = char.ToLowerInvariant(m[0]) + m[1..];
        return m.TrimEnd('.');
    }

    /// <summary>YamlDotNet's error marks are sometimes (0,0); fall back to where parsing last succeeded, or to the offending tab.</summary>
    private static TextSpan ErrorSpan(string text, YamlException ex, int lastGoodEnd)
    {
        if (ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            int tab = FindIndentTab(text, lastGoodEnd);
            if (tab >= 0) return new TextSpan(tab, 1);
        }
        int start = (int)ex.Start.Index;
        int end = (int)ex.End.Index;
        if (start <= 0 && lastGoodEnd > 0) return LineSpan(text, lastGoodEnd);
        if (start >= text.Length && text.AsSpan().TrimEnd().Length > 0)
        {
            // Found at the end of the file (an unclosed bracket or quote): point at the last line that has text.
            int last = text.AsSpan().TrimEnd().Length - 1;
            int lineStart = last;
            while (lineStart > 0 && text[lineStart - 1] is not ('\n' or '\r')) lineStart--;
            while (text[lineStart] is ' ' or '\t') lineStart++;
            return TextSpan.FromBounds(lineStart, last + 1);
        }
        start = Math.Clamp(start, 0, text.Length);
        end = Math.Clamp(Math.Max(end, start), start, text.Length);
        return end > start ? TextSpan.FromBounds(start, end) : LineSpan(text, start);
    }

    private static int FindIndentTab(string text, int from)
    {
        int lineStart = from;
        while (lineStart > 0 && text[lineStart - 1] != '\n' && text[lineStart - 1] != '\r') lineStart--;
        for (int i = lineStart; i < text.Length; i++)
        {
            bool atLineStart = i == 0 || text[i - 1] == '\n' || text[i - 1] == '\r';
            if (!atLineStart) continue;
            int j = i;
            while (j < text.Length && (text[j] == ' ' || text[j] == '\t' || text[j] == '-'))
            {
                if (text[j] == '\t') return j;
                j++;
            }
        }
        return -1;
    }

    /// <summary>From an offset to the end of its line (at least one character when the text has one there).</summary>
    private static TextSpan LineSpan(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        int end = offset;
        while (end < text.Length && text[end] != '\n' && text[end] != '\r') end++;
        if (end == offset && offset < text.Length && text[offset] is not ('\n' or '\r')) end++;
        return TextSpan.FromBounds(offset, end);
    }

    private sealed class ReadState(string text, int start, int length, int depthAbove, DiagnosticBuilder builder,
        ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        /// <summary>A mark of YamlDotNet as an offset into the whole text: some marks (an empty node at the end) lie past the end of the
        /// range.</summary>
        public int At(Mark mark) => start + (int)Math.Clamp(mark.Index, 0, length);

        /// <summary>Mappings up to this many pairs find duplicate keys by a scan; larger ones build a dictionary once.</summary>
        private const int ScanLimit = 8;

        // The open collections, innermost last. Their children wait on two shared stacks (each frame owns the tail
        // from its First index), so a mapping costs its node and one array, not builders and a dictionary of its own.
        private Frame[] frames = new Frame[16];
        private int depth;
        private readonly List<YamlPair> pairs = [];
        private readonly List<YamlNode> items = [];
        private readonly Dictionary<string, (YamlNode Node, long Size)> anchors = new(StringComparer.Ordinal);
        private long aliasExpansion;

        public bool Failed { get; private set; }

        /// <summary>Where the innermost flow collection still open starts, if one is (and its bracket is there).</summary>
        public (int Start, bool IsMapping)? InnermostOpenFlow()
        {
            for (int i = depth - 1; i >= 0; i--)
            {
                var frame = frames[i];
                if (frame.IsFlow && frame.Start < start + length && text[frame.Start] is '[' or '{') return (frame.Start, frame.IsMapping);
            }
            return null;
        }

        /// <summary>Feeds one event; returns the finished root node when the document's top node completes.</summary>
        public YamlNode? Handle(ParsingEvent ev)
        {
            switch (ev)
            {
                case Scalar s:
                    return OnScalar(At(s.Start), At(s.End), s.Value, s.Style, s.Tag.IsEmpty ? null : s.Tag.Value, s.Anchor.IsEmpty ? null
                        : s.Anchor.Value);
                case AnchorAlias alias:
                    {
                        var span = TextSpan.FromBounds(At(alias.Start), At(alias.End));
                        if (!anchors.TryGetValue(alias.Value.Value, out var target))
                        {
                            diagnostics.Add(builder.YamlSyntax(span,
                                $"the alias '*{alias.Value.Value}' refers to no anchor defined before it"));
                            Failed = true;
                            return null;
                        }
                        aliasExpansion += target.Size;
                        if (aliasExpansion > MaxAliasExpansion)
                        {
                            diagnostics.Add(builder.YamlSyntax(span,
                                $"aliases expand to more than {MaxAliasExpansion:N0} nodes; a site manifest never needs that many (is " +
                                $"this a YAML bomb?)"));
                            Failed = true;
                            return null;
                        }
                        return Complete(target.Node, target.Size, null);
                    }
                case MappingStart m:
                    return Open(true, At(m.Start), m.Style == MappingStyle.Flow, m.Anchor.IsEmpty ? null : m.Anchor.Value);
                case SequenceStart q:
                    return Open(false, At(q.Start), q.Style == SequenceStyle.Flow, q.Anchor.IsEmpty ? null : q.Anchor.Value);
                case MappingEnd or SequenceEnd:
                    return Close(At(ev.Start), At(ev.End));
                default:
                    return null;
            }
        }

        /// <summary>
        /// A scalar from <paramref name="from"/> to <paramref name="to"/> (offsets in the whole text) whose value is
        /// <paramref name="value"/>, or when that is null the text's characters there (a plain scalar's).
        /// </summary>
        public YamlNode? OnScalar(int from, int to, string? value, YdnScalarStyle ydnStyle, string? tag, string? anchor)
        {
            if (anchor is null && depth > 0 && frames[depth - 1] is { IsMapping: true, PendingKey: null })
            {
                // A mapping's key: no node of its own (one with an anchor gets one, for the aliases that may name it).
                ref var parent = ref frames[depth - 1];
                parent.Size++;
                parent.LastEnd = Math.Max(parent.LastEnd, to);
                parent.PendingKey = new YamlKey(TextSpan.FromBounds(from, to), value is null ? Key(text.AsSpan(from, to - from))
                    : Key(value));
                return null;
            }
            value ??= text[from..to];
            var style = MapStyle(ydnStyle);
            var type = YamlScalarResolver.Resolve(value, style, tag);
            return Complete(new YamlScalar(TextSpan.FromBounds(from, to), value, style, type), 1, anchor);
        }

        /// <summary>Closes the innermost collection; for a flow collection <paramref name="closeStart"/> is its bracket.</summary>
        public YamlNode? Close(int closeStart, int closeEnd)
        {
            var frame = frames[--depth];
            frames[depth] = default;
            int end = frame.LastEnd;
            if (frame.IsFlow)
            {
                // YamlDotNet's end mark is empty at the closing bracket: the node's span includes the bracket.
                end = Math.Max(end, closeStart < start + length && text[closeStart] is ']' or '}' ? closeStart + 1 : closeEnd);
            }
            if (end < frame.Start) end = frame.Start;
            YamlNode node = frame.IsMapping
                ? new YamlMapping(TextSpan.FromBounds(frame.Start, end), Take(pairs, frame.First), frame.IsFlow)
                : new YamlSequence(TextSpan.FromBounds(frame.Start, end), Take(items, frame.First), frame.IsFlow);
            return Complete(node, frame.Size + 1, frame.Anchor);
        }

        /// <summary>Keys repeat in every item of a list: one string each, so a large manifest keeps one copy of "name", not
        /// thousands.</summary>
        private readonly Dictionary<string, string> keys = new(StringComparer.Ordinal);

        private string Key(string key)
        {
            if (keys.TryGetValue(key, out var known)) return known;
            if (keys.Count < 256) keys[key] = key;
            return key;
        }

        /// <summary>The key with these characters: no string is made for a key seen before.</summary>
        private string Key(ReadOnlySpan<char> key) =>
            keys.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var known) ? known : Key(new string(key));

        /// <summary>Moves a frame's children (the stack's tail from <paramref name="first"/>) into an immutable array.</summary>
        private static ImmutableArray<T> Take<T>(List<T> stack, int first)
        {
            int count = stack.Count - first;
            if (count == 0) return [];
            var array = new T[count];
            stack.CopyTo(first, array, 0, count);
            stack.RemoveRange(first, count);
            return ImmutableCollectionsMarshal.AsImmutableArray(array);
        }

        public YamlNode? Open(bool isMapping, int start, bool isFlow, string? anchor)
        {
            if (depthAbove + depth + 1 == MaxDepth + 1)
            {
                diagnostics.Add(builder.YamlSyntax(new TextSpan(start, 1),
                    $"the document nests deeper than {MaxDepth} levels; a site manifest needs a handful"));
                Failed = true;
            }
            if (depth == frames.Length) Array.Resize(ref frames, depth * 2);
            frames[depth++] = new Frame
            {
                IsMapping = isMapping,
                Start = start,
                IsFlow = isFlow,
                Anchor = anchor,
                LastEnd = start,
                First = isMapping ? pairs.Count : items.Count,
            };
            return null;
        }

        private YamlNode? Complete(YamlNode node, long size, string? anchor)
        {
            if (anchor is not null) anchors[anchor] = (node, size);
            if (depth == 0) return node;
            ref var parent = ref frames[depth - 1];
            parent.Size += size;
            parent.LastEnd = Math.Max(parent.LastEnd, node.Span.End);
            if (!parent.IsMapping)
            {
                items.Add(node);
                return null;
            }
            if (parent.PendingKey is null)
            {
                if (node is YamlScalar key)
                {
                    parent.PendingKey = new YamlKey(key.Span, Key(key.Value));
                }
                else
                {
                    diagnostics.Add(builder.YamlSyntax(node.Span, "a key must be plain text, not " + node.KindName));
                    parent.PendingKey = new YamlKey(node.Span, "");
                    parent.SkipPair = true;
                }
                return null;
            }
            var pendingKey = parent.PendingKey.Value;
            parent.PendingKey = null;
            if (parent.SkipPair)
            {
                parent.SkipPair = false;
                return null;
            }
            if (FindKey(ref parent, pendingKey.Value) is { } first)
            {
                diagnostics.Add(builder.DuplicateKey(pendingKey.Span, pendingKey.Value, first.Span));
                return null;
            }
            parent.Keys?.Add(pendingKey.Value, pendingKey);
            pairs.Add(new YamlPair(pendingKey, node));
            return null;
        }

        /// <summary>The key already in this mapping with the same text, if any.</summary>
        private YamlKey? FindKey(ref Frame frame, string key)
        {
            if (frame.Keys is not null) return frame.Keys.TryGetValue(key, out var known) ? known : null;
            int count = pairs.Count - frame.First;
            if (count >= ScanLimit)
            {
                frame.Keys = new Dictionary<string, YamlKey>(count * 2, StringComparer.Ordinal);
                for (int i = frame.First; i < pairs.Count; i++) frame.Keys[pairs[i].Key.Value] = pairs[i].Key;
                return frame.Keys.TryGetValue(key, out var found) ? found : null;
            }
            for (int i = frame.First; i < pairs.Count; i++)
            {
                if (string.Equals(pairs[i].Key.Value, key, StringComparison.Ordinal)) return pairs[i].Key;
            }
            return null;
        }

        private static ScalarStyle MapStyle(YdnScalarStyle style) => style switch
        {
            YdnScalarStyle.SingleQuoted => ScalarStyle.SingleQuoted,
            YdnScalarStyle.DoubleQuoted => ScalarStyle.DoubleQuoted,
            YdnScalarStyle.Literal => ScalarStyle.Literal,
            YdnScalarStyle.Folded => ScalarStyle.Folded,
            _ => ScalarStyle.Plain,
        };

        /// <summary>An open mapping or sequence; its children sit on the shared stacks from index First on.</summary>
        private struct Frame
        {
            public bool IsMapping;
            public int Start;
            public bool IsFlow;
            public string? Anchor;
            public int LastEnd;
            public long Size;
            public int First;
            public YamlKey? PendingKey;
            public bool SkipPair;

            /// <summary>Only for mappings of more than a few pairs; smaller ones are scanned.</summary>
            public Dictionary<string, YamlKey>? Keys;
        }
    }

    /// <summary>The characters of a range of the text, for YamlDotNet.</summary>
    private static TextReader Input(string text, int start, int length) =>
        start == 0 && length == text.Length ? new StringReader(text) : new SliceReader(text, start, length);

    /// <summary>A reader over part of a string, so that a piece of a large text is read without copying it.</summary>
    private sealed class SliceReader(string text, int start, int length) : TextReader
    {
        private int position = start;
        private readonly int end = start + length;

        public override int Peek() => position < end ? text[position] : -1;

        public override int Read() => position < end ? text[position++] : -1;

        public override int Read(Span<char> buffer)
        {
            int n = Math.Min(buffer.Length, end - position);
            text.AsSpan(position, n).CopyTo(buffer);
            position += n;
            return n;
        }

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));
    }
}
