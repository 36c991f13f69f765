using System.Collections.Immutable;
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
}

/// <summary>
/// Reads one YAML document into immutable nodes with exact spans, using YamlDotNet's event parser.
/// Hostile input is bounded: aliases are shared (never copied) and their total expansion is capped,
/// nesting is capped, and duplicate keys and extra documents are reported.
/// </summary>
public static class YamlReader
{
    public const int MaxDepth = 64;

    /// <summary>How many nodes aliases may add on top of the document's own nodes (a "billion laughs" guard).</summary>
    public const long MaxAliasExpansion = 100_000;

    public static YamlReadResult Read(string text, string path)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var builder = new DiagnosticBuilder(path);
        var state = new ReadState(text, builder, diagnostics);
        var parser = new Parser(new StringReader(text));
        YamlNode? root = null;
        int lastGoodEnd = 0;
        try
        {
            int documents = 0;
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                switch (ev)
                {
                    case DocumentStart start:
                        documents++;
                        if (documents == 2)
                        {
                            var span = TextSpan.FromBounds((int)start.Start.Index, Math.Max((int)start.End.Index, (int)start.Start.Index));
                            diagnostics.Add(builder.ExtraDocument(span.Length == 0 ? LineSpan(text, span.Start) : span));
                        }
                        break;
                    case DocumentEnd:
                    case StreamStart:
                    case StreamEnd:
                        break;
                    default:
                        var node = state.Handle(ev);
                        lastGoodEnd = Math.Max(lastGoodEnd, (int)ev.End.Index);
                        if (node is not null && documents == 1) root = node;
                        if (state.Failed) return new YamlReadResult(null, diagnostics.ToImmutable());
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            diagnostics.Add(builder.YamlSyntax(ErrorSpan(text, ex, lastGoodEnd), CleanMessage(ex.Message)));
            return new YamlReadResult(null, diagnostics.ToImmutable());
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
        {
            // YamlDotNet throws these for some malformed input instead of a YamlException.
            diagnostics.Add(builder.YamlSyntax(LineSpan(text, lastGoodEnd), "the YAML is malformed here"));
            return new YamlReadResult(null, diagnostics.ToImmutable());
        }
        return new YamlReadResult(root, diagnostics.ToImmutable());
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

    private sealed class ReadState(string text, DiagnosticBuilder builder, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        private readonly Stack<Frame> frames = new();
        private readonly Dictionary<string, (YamlNode Node, long Size)> anchors = new(StringComparer.Ordinal);
        private long aliasExpansion;

        public bool Failed { get; private set; }

        /// <summary>Feeds one event; returns the finished root node when the document's top node completes.</summary>
        public YamlNode? Handle(ParsingEvent ev)
        {
            switch (ev)
            {
                case Scalar s:
                    {
                        var style = MapStyle(s.Style);
                        var type = YamlScalarResolver.Resolve(s.Value, style, s.Tag.IsEmpty ? null : s.Tag.Value);
                        var node = new YamlScalar(TextSpan.FromBounds((int)s.Start.Index, (int)s.End.Index), s.Value, style, type);
                        return Complete(node, 1, s.Anchor.IsEmpty ? null : s.Anchor.Value);
                    }
                case AnchorAlias alias:
                    {
                        var span = TextSpan.FromBounds((int)alias.Start.Index, (int)alias.End.Index);
                        if (!anchors.TryGetValue(alias.Value.Value, out var target))
                        {
                            diagnostics.Add(builder.YamlSyntax(span, $"the alias '*{alias.Value.Value}' refers to no anchor defined before it"));
                            Failed = true;
                            return null;
                        }
                        aliasExpansion += target.Size;
                        if (aliasExpansion > MaxAliasExpansion)
                        {
                            diagnostics.Add(builder.YamlSyntax(span, $"aliases expand to more than {MaxAliasExpansion:N0} nodes; a site manifest never needs that many (is this a YAML bomb?)"));
                            Failed = true;
                            return null;
                        }
                        return Complete(target.Node, target.Size, null);
                    }
                case MappingStart m:
                    return Open(new Frame(true, (int)m.Start.Index, m.Style == MappingStyle.Flow, m.Anchor.IsEmpty ? null : m.Anchor.Value));
                case SequenceStart q:
                    return Open(new Frame(false, (int)q.Start.Index, q.Style == SequenceStyle.Flow, q.Anchor.IsEmpty ? null : q.Anchor.Value));
                case MappingEnd or SequenceEnd:
                    {
                        var frame = frames.Pop();
                        int end = frame.LastEnd;
                        // YamlDotNet marks a flow collection's end at its closing bracket; the node includes the bracket.
                        if (frame.IsFlow)
                        {
                            int close = (int)ev.Start.Index;
                            end = Math.Max(end, close < text.Length && text[close] is '}' or ']' ? close + 1 : (int)ev.End.Index);
                        }
                        if (end < frame.Start) end = frame.Start;
                        YamlNode node = frame.IsMapping
                            ? new YamlMapping(TextSpan.FromBounds(frame.Start, end), frame.Pairs.ToImmutable(), frame.IsFlow)
                            : new YamlSequence(TextSpan.FromBounds(frame.Start, end), frame.Items.ToImmutable(), frame.IsFlow);
                        return Complete(node, frame.Size + 1, frame.Anchor);
                    }
                default:
                    return null;
            }
        }

        private YamlNode? Open(Frame frame)
        {
            frame.Depth = frames.Count + 1;
            if (frame.Depth == MaxDepth + 1)
            {
                diagnostics.Add(builder.YamlSyntax(new TextSpan(frame.Start, 1), $"the document nests deeper than {MaxDepth} levels; a site manifest needs a handful"));
                Failed = true;
            }
            frames.Push(frame);
            return null;
        }

        private YamlNode? Complete(YamlNode node, long size, string? anchor)
        {
            if (anchor is not null) anchors[anchor] = (node, size);
            if (frames.Count == 0) return node;
            var parent = frames.Peek();
            parent.Size += size;
            parent.LastEnd = Math.Max(parent.LastEnd, node.Span.End);
            if (!parent.IsMapping)
            {
                parent.Items.Add(node);
                return null;
            }
            if (parent.PendingKey is null)
            {
                if (node is YamlScalar key)
                {
                    parent.PendingKey = key;
                }
                else
                {
                    diagnostics.Add(builder.YamlSyntax(node.Span, "a key must be plain text, not " + node.KindName));
                    parent.PendingKey = new YamlScalar(node.Span, "", ScalarStyle.Plain, ScalarType.String);
                    parent.SkipPair = true;
                }
                return null;
            }
            var pendingKey = parent.PendingKey;
            parent.PendingKey = null;
            if (parent.SkipPair)
            {
                parent.SkipPair = false;
                return null;
            }
            if (parent.Keys.TryGetValue(pendingKey.Value, out var first))
            {
                diagnostics.Add(builder.DuplicateKey(pendingKey.Span, pendingKey.Value, first.Span));
                return null;
            }
            parent.Keys[pendingKey.Value] = pendingKey;
            parent.Pairs.Add(new YamlPair(pendingKey, node));
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

        private sealed class Frame(bool isMapping, int start, bool isFlow, string? anchor)
        {
            public bool IsMapping { get; } = isMapping;
            public int Start { get; } = start;
            public bool IsFlow { get; } = isFlow;
            public string? Anchor { get; } = anchor;
            public int Depth { get; set; }
            public int LastEnd { get; set; } = start;
            public long Size { get; set; }
            public YamlScalar? PendingKey { get; set; }
            public bool SkipPair { get; set; }
            public ImmutableArray<YamlPair>.Builder Pairs { get; } = ImmutableArray.CreateBuilder<YamlPair>();
            public ImmutableArray<YamlNode>.Builder Items { get; } = ImmutableArray.CreateBuilder<YamlNode>();
            public Dictionary<string, YamlScalar> Keys { get; } = new(StringComparer.Ordinal);
        }
    }
}
