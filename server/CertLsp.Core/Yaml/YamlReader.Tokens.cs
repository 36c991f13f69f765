using System.Buffers;
using System.Collections.Immutable;
using CertLsp.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Tokens;
using YdnScalarStyle = YamlDotNet.Core.ScalarStyle;

namespace CertLsp.Core.Yaml;

public static partial class YamlReader
{
    /// <summary>
    /// The fast read: the same tree and findings as <see cref="ReadEvents"/>, built from YamlDotNet's scanner tokens without its
    /// parser (a quarter less time and a third less garbage on a large manifest). It covers the documents manifests are made of
    /// — block and flow mappings and lists, every scalar style, comments — and returns null for anything else (an empty
    /// value or key, an indentless list, anchors, aliases, tags, directives, several documents, any scanner error), which
    /// the parser then reads, so findings and error messages are always the parser's.
    /// </summary>
    internal static RangeOutcome? ReadTokens(string text, int start, int length, string path, int depth)
    {
        using var tape = new TokenTape();
        return tape.Scan(text, start, length, depth, TokenTape.MaxWholeTokens) is { } scanned ? tape.Build(scanned, text, path, depth)
            : null;
    }

    /// <summary>
    /// YamlDotNet's tokens of one or more ranges of a text, kept as small records without references: no token objects and
    /// no strings the text holds already (a plain scalar's value is its characters). The chunked reader scans a batch of pieces
    /// first and builds their trees after, so the collections that the scanner's garbage causes find almost nothing alive to
    /// copy; building the tree while scanning made every collection copy the tree read so far.
    /// </summary>
    internal sealed partial class TokenTape : IDisposable
    {
        private Token[] tokens = ArrayPool<Token>.Shared.Rent(1024);
        private int count;

        /// <summary>Scalar values that are not the text's own characters (quoted, folded, escaped, joined lines).</summary>
        private readonly List<string> values = [];

        /// <summary>
        /// The most tokens one range read whole may put on the tape (16 MB; about 55,000 devices): a larger text that cannot be
        /// read in pieces (an "&amp;" anywhere, a tab) is left to the parser, which builds as it goes, instead of a tape that size.
        /// </summary>
        public const int MaxWholeTokens = 1 << 20;

        /// <summary>Where one range's tokens are on the tape.</summary>
        public readonly record struct Range(int TextStart, int TextLength, int First, int Count);

        public enum Kind : byte
        {
            BlockMappingStart,
            BlockSequenceStart,
            FlowMappingStart,
            FlowSequenceStart,
            Scalar,
            Key,
            Value,
            BlockEntry,
            BlockEnd,
            FlowEntry,
            FlowSequenceEnd,
            FlowMappingEnd,
            StreamEnd,
        }

        /// <summary>One token (16 bytes): its kind, its marks as offsets in the whole text, and for a scalar its style and value.</summary>
        public struct Token
        {
            public int Start;
            public int End;
            public Kind Kind;

            /// <summary>For a scalar, YamlDotNet's <see cref="YdnScalarStyle"/> (its values fit a byte).</summary>
            public byte Style;

            /// <summary>For a scalar, the index of its value in <see cref="values"/>, or -1 when its value is the text from Start to
            /// End.</summary>
            public int Value;
        }

        /// <summary>
        /// Appends the tokens of <paramref name="length"/> characters of the text from <paramref name="start"/>, whose top node
        /// sits <paramref name="depthAbove"/> levels deep; null (and nothing appended) when the range holds a token the fast read
        /// leaves to the parser, nests deeper than <see cref="MaxDepth"/> (the parser stops there with its finding, before
        /// scanning the rest of a hostile text), has more than <paramref name="maxTokens"/> tokens, or the scanner reports an error.
        /// A range of plain block lines is scanned without YamlDotNet (<see cref="ScanPlainBlocks"/>) unless
        /// <paramref name="plainBlocks"/> is false.
        /// </summary>
        public Range? Scan(string text, int start, int length, int depthAbove, int maxTokens = int.MaxValue, bool plainBlocks = true)
        {
            if (plainBlocks && ScanPlainBlocks(text, start, length, depthAbove, maxTokens) is { } plain) return plain;
            int first = count, firstValue = values.Count, nesting = depthAbove;
            var scanner = new Scanner(Input(text, start, length), skipComments: true);
            if (!Next(scanner) || scanner.Current is not StreamStart) return Undo(first, firstValue);
            while (Next(scanner))
            {
                var token = scanner.Current!;
                Kind kind;
                switch (token)
                {
                    case Scalar: kind = Kind.Scalar; break;
                    case Key: kind = Kind.Key; break;
                    case Value: kind = Kind.Value; break;
                    case BlockEntry: kind = Kind.BlockEntry; break;
                    case BlockEnd: kind = Kind.BlockEnd; break;
                    case BlockMappingStart: kind = Kind.BlockMappingStart; break;
                    case BlockSequenceStart: kind = Kind.BlockSequenceStart; break;
                    case FlowMappingStart: kind = Kind.FlowMappingStart; break;
                    case FlowSequenceStart: kind = Kind.FlowSequenceStart; break;
                    case FlowEntry: kind = Kind.FlowEntry; break;
                    case FlowSequenceEnd: kind = Kind.FlowSequenceEnd; break;
                    case FlowMappingEnd: kind = Kind.FlowMappingEnd; break;
                    case StreamEnd: kind = Kind.StreamEnd; break;
                    default: return Undo(first, firstValue); // anchors, aliases, tags, directives, documents: the parser's case
                }
                if (kind is Kind.BlockMappingStart or Kind.BlockSequenceStart or Kind.FlowMappingStart or Kind.FlowSequenceStart
                    && ++nesting > MaxDepth)
                {
                    return Undo(first, firstValue);
                }
                if (kind is Kind.BlockEnd or Kind.FlowSequenceEnd or Kind.FlowMappingEnd) nesting--;
                if (count - first == maxTokens) return Undo(first, firstValue);
                if (count == tokens.Length) Grow();
                ref var slot = ref tokens[count++];
                slot.Kind = kind;
                slot.Start = start + (int)Math.Clamp(token.Start.Index, 0, length);
                slot.End = start + (int)Math.Clamp(token.End.Index, 0, length);
                slot.Style = 0;
                slot.Value = -1;
                if (token is Scalar scalar)
                {
                    slot.Style = (byte)scalar.Style;
                    string value = scalar.Value;
                    if (value.Length != slot.End - slot.Start || !text.AsSpan(slot.Start, value.Length).SequenceEqual(value))
                    {
                        slot.Value = values.Count;
                        values.Add(value);
                    }
                }
            }
            // The scanner stops after the end of the stream, or at an error before it.
            return count > first && tokens[count - 1].Kind == Kind.StreamEnd ? new Range(start, length, first, count - first)
                : Undo(first, firstValue);
        }

        /// <summary>The scanner's next token; false at the end and when the scanner fails (the parser reads the text again and reports the
        /// error as it always has).</summary>
        private static bool Next(Scanner scanner)
        {
            try
            {
                return scanner.MoveNext();
            }
            catch (Exception ex) when (ex is YamlException or InvalidOperationException or ArgumentException or IndexOutOfRangeException
                or FormatException or OverflowException)
            {
                return false;
            }
        }

        /// <summary>How many tokens the tape holds.</summary>
        public int Count => count;

        /// <summary>A token on the tape, and a scalar token's value.</summary>
        internal (Token Token, string? Value) this[int index, string text] => (tokens[index], tokens[index].Kind != Kind.Scalar ? null
            : tokens[index].Value >= 0 ? values[tokens[index].Value] : text[tokens[index].Start..tokens[index].End]);

        /// <summary>Forgets every token (the ranges scanned so far are no longer valid).</summary>
        public void Clear()
        {
            count = 0;
            values.Clear();
        }

        private Range? Undo(int first, int firstValue)
        {
            count = first;
            values.RemoveRange(firstValue, values.Count - firstValue);
            return null;
        }

        private void Grow()
        {
            var larger = ArrayPool<Token>.Shared.Rent(tokens.Length * 2);
            tokens.AsSpan(0, count).CopyTo(larger);
            ArrayPool<Token>.Shared.Return(tokens);
            tokens = larger;
        }

        public void Dispose()
        {
            if (tokens.Length == 0) return;
            ArrayPool<Token>.Shared.Return(tokens);
            tokens = [];
        }

        /// <summary>Where the tree builder is inside an open collection.</summary>
        private enum Expect : byte
        {
            MappingKey,        // a block mapping: Key or BlockEnd
            MappingValue,      // a block mapping after its key's node: Value
            SequenceItem,      // a block sequence: BlockEntry or BlockEnd
            FlowItemOrEnd,     // a flow sequence just opened: a node or "]"
            FlowItem,          // a flow sequence after ",": a node
            FlowAfterItem,     // a flow sequence after a node: "," or "]"
            FlowKeyOrEnd,      // a flow mapping just opened: Key or "}"
            FlowKey,           // a flow mapping after ",": Key
            FlowValue,         // a flow mapping after its key's node: Value
            FlowAfterValue,    // a flow mapping after a value's node: "," or "}"
        }

        /// <summary>The tree of one scanned range, or null when its tokens do not make a document the fast read takes.</summary>
        public RangeOutcome? Build(Range range, string text, string path, int depth)
        {
            var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
            var state = new ReadState(text, range.TextStart, range.TextLength, depth, new DiagnosticBuilder(path), diagnostics);
            var open = new Expect[16];
            int depthNow = 0;
            YamlNode? root = null;
            int at = range.First, end = range.First + range.Count;
            bool needNode = true;
            while (at < end)
            {
                ref readonly var token = ref tokens[at];
                if (needNode)
                {
                    // A node: a scalar, or a collection that opens (its contents follow).
                    YamlNode? done = null;
                    (bool Mapping, bool Flow, Expect Then)? opens = token.Kind switch
                    {
                        Kind.BlockMappingStart => (true, false, Expect.MappingKey),
                        Kind.BlockSequenceStart => (false, false, Expect.SequenceItem),
                        Kind.FlowMappingStart => (true, true, Expect.FlowKeyOrEnd),
                        Kind.FlowSequenceStart => (false, true, Expect.FlowItemOrEnd),
                        _ => null,
                    };
                    if (opens is { } collection)
                    {
                        state.Open(collection.Mapping, token.Start, collection.Flow, null);
                        Push(ref open, ref depthNow, collection.Then);
                    }
                    else if (token.Kind == Kind.Scalar)
                    {
                        done = state.OnScalar(token.Start, token.End, token.Value < 0 ? null : values[token.Value],
                            (YdnScalarStyle)token.Style, null, null);
                    }
                    else
                    {
                        return null; // an empty node: the parser's case
                    }
                    if (state.Failed) return null;
                    needNode = false;
                    if (done is not null) root = done;
                    at++;
                    continue;
                }
                if (depthNow == 0)
                {
                    // The document's node is complete: only the end of the stream may follow.
                    return token.Kind == Kind.StreamEnd && at + 1 == end && root is not null
                        ? new RangeOutcome(root, diagnostics.ToImmutable(), true) : null;
                }
                ref var expect = ref open[depthNow - 1];
                bool close = false;
                switch (expect, token.Kind)
                {
                    case (Expect.MappingKey, Kind.Key):
                        expect = Expect.MappingValue;
                        needNode = true;
                        break;
                    case (Expect.MappingKey, Kind.BlockEnd):
                    case (Expect.SequenceItem, Kind.BlockEnd):
                    case (Expect.FlowItemOrEnd or Expect.FlowAfterItem, Kind.FlowSequenceEnd):
                    case (Expect.FlowKeyOrEnd or Expect.FlowAfterValue, Kind.FlowMappingEnd):
                        close = true;
                        break;
                    case (Expect.MappingValue, Kind.Value):
                        expect = Expect.MappingKey;
                        needNode = true;
                        break;
                    case (Expect.SequenceItem, Kind.BlockEntry):
                        needNode = true;
                        break;
                    case (Expect.FlowItemOrEnd or Expect.FlowItem, _):
                        expect = Expect.FlowAfterItem;
                        needNode = true;
                        continue; // this token is the item itself
                    case (Expect.FlowAfterItem, Kind.FlowEntry):
                        expect = Expect.FlowItem;
                        break;
                    case (Expect.FlowKeyOrEnd or Expect.FlowKey, Kind.Key):
                        expect = Expect.FlowValue;
                        needNode = true;
                        break;
                    case (Expect.FlowValue, Kind.Value):
                        expect = Expect.FlowAfterValue;
                        needNode = true;
                        break;
                    case (Expect.FlowAfterValue, Kind.FlowEntry):
                        expect = Expect.FlowKey;
                        break;
                    default:
                        return null;
                }
                if (close)
                {
                    depthNow--;
                    var done = state.Close(token.Start, token.End);
                    if (state.Failed) return null;
                    if (done is not null) root = done;
                }
                at++;
            }
            return null; // the stream ended inside a node
        }

        private static void Push(ref Expect[] open, ref int depth, Expect expect)
        {
            if (depth == open.Length) Array.Resize(ref open, depth * 2);
            open[depth++] = expect;
        }
    }
}
