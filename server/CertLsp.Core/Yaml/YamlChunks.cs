using System.Collections.Immutable;
using System.Runtime.InteropServices;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Core.Yaml;

/// <summary>When a text is read in pieces, and how large they are.</summary>
/// <param name="MinimumLength">Texts shorter than this are read whole: cutting them saves nothing.</param>
/// <param name="AverageItems">On average a cut every this many items; never fewer than a quarter nor more than four times as many.</param>
/// <param name="TapeTokens">How many tokens are scanned before the trees of the pieces scanned so far are built (a 10,000-device manifest
/// has about 190,000).</param>
internal sealed record ChunkOptions(int MinimumLength, int AverageItems, int TapeTokens = 1 << 18)
{
    public static readonly ChunkOptions Default = new(48 * 1024, 128);
}

/// <summary>
/// Where a large manifest's text may be cut so that its pieces read as YAML on their own: before items of the top-level
/// <c>devices:</c> list (a block list that ends the document). Cut points are chosen by the content of the item line
/// (content-defined chunking), so an edit moves only the cuts near it and the other pieces stay byte-identical.
/// </summary>
/// <param name="Starts">Offsets where the pieces start; the first is 0.</param>
/// <param name="DevicesKey">Offset of the <c>devices</c> key.</param>
/// <param name="ItemIndent">Column of the list's dashes.</param>
internal sealed record ChunkPlan(ImmutableArray<int> Starts, int DevicesKey, int ItemIndent);

/// <summary>One piece as read: where it was in its text, the hash of that text, its top node (spans in that text) and its YAML
/// findings.</summary>
internal sealed record ChunkPiece(int Start, int Length, int Hash, YamlNode Root, ImmutableArray<Diagnostic> Diagnostics);

/// <summary>The pieces of one read, found again by their text (within the same file: findings carry its path).</summary>
internal sealed class YamlChunkSet(string text, string path, ImmutableArray<ChunkPiece> pieces)
{
    public string Path { get; } = path;

    private readonly Dictionary<int, ChunkPiece> byHash = Index(pieces);

    private static Dictionary<int, ChunkPiece> Index(ImmutableArray<ChunkPiece> pieces)
    {
        var index = new Dictionary<int, ChunkPiece>(pieces.Length);
        foreach (var piece in pieces) index[piece.Hash] = piece; // pieces with the same text: any one of them serves
        return index;
    }

    /// <summary>A piece of the earlier text with exactly this text, if there was one.</summary>
    public ChunkPiece? Find(ReadOnlySpan<char> slice, int hash) =>
        byHash.TryGetValue(hash, out var piece) && text.AsSpan(piece.Start, piece.Length).SequenceEqual(slice) ? piece : null;
}

/// <summary>
/// Reads a large manifest in pieces, re-using the unchanged pieces of the previous read of the same document,
/// and joins them into the tree one whole read gives. Whenever a piece does not read cleanly (a YAML error, an anchor, a
/// second document, anything unexpected) the caller reads the text whole, so findings never depend on the cut.
/// </summary>
internal static class YamlChunks
{
    public static ChunkPlan? Plan(string text, ChunkOptions options)
    {
        if (text.Length < options.MinimumLength) return null;
        int average = options.AverageItems;
        // Anchors and aliases can reach across pieces, and tabs change how YAML errors are reported: read those texts whole.
        if (text.AsSpan().IndexOfAny('&', '*', '\t') >= 0) return null;
        int devicesKey = -1, itemIndent = -1, sinceCut = 0;
        int minItems = Math.Max(1, average / 4), maxItems = average * 4;
        var starts = ImmutableArray.CreateBuilder<int>();
        starts.Add(0);
        for (int lineStart = 0; lineStart < text.Length;)
        {
            int lineEnd = text.IndexOfAny(['\n', '\r'], lineStart);
            if (lineEnd < 0) lineEnd = text.Length;
            var line = text.AsSpan(lineStart, lineEnd - lineStart);
            int next = lineEnd < text.Length && text[lineEnd] == '\r' && lineEnd + 1 < text.Length && text[lineEnd + 1] == '\n' ? lineEnd
                + 2 : lineEnd + 1;
            int indent = line.Length - line.TrimStart(' ').Length;
            bool blank = indent == line.Length || line[indent] == '#';
            if (line.StartsWith("---") || line.StartsWith("...") || line.StartsWith("%")) return null;
            if (devicesKey < 0)
            {
                if (indent == 0 && IsDevicesKey(line)) devicesKey = lineStart;
            }
            else if (!blank)
            {
                bool item = line.Length > indent && line[indent] == '-' && (line.Length == indent + 1 || line[indent + 1] == ' ');
                if (itemIndent < 0)
                {
                    if (!item) return null;
                    itemIndent = indent;
                }
                else if (indent < itemIndent || (indent == itemIndent && !item))
                {
                    return null; // the list ends before the document does: read whole
                }
                else if (indent == itemIndent)
                {
                    sinceCut++;
                    if (sinceCut > minItems && (sinceCut > maxItems || (uint)string.GetHashCode(line) % (uint)average == 0))
                    {
                        starts.Add(lineStart);
                        sinceCut = 1;
                    }
                }
            }
            lineStart = next;
        }
        return devicesKey >= 0 && starts.Count > 1 ? new ChunkPlan(starts.ToImmutable(), devicesKey, itemIndent) : null;
    }

    private static bool IsDevicesKey(ReadOnlySpan<char> line)
    {
        if (!line.StartsWith("devices:")) return false;
        var rest = line["devices:".Length..].TrimStart(' ');
        return rest.IsEmpty || rest[0] == '#';
    }

    /// <summary>The whole tree from the pieces (those not found in <paramref name="previous"/> read now), or null when the text must be
    /// read whole.</summary>
    public static YamlReadResult? Read(string text, string path, ChunkPlan plan, YamlChunkSet? previous, ChunkOptions options)
    {
        int count = plan.Starts.Length;
        var pieces = new ChunkPiece[count];
        var hashes = new int[count];
        var scanned = new YamlReader.TokenTape.Range?[count];
        using var tape = new YamlReader.TokenTape();
        // Where piece i is in the text, and how deep its top node sits: the first holds the document's mapping, the others items of its
        // devices list.
        (int Start, int Length, int Depth) Piece(int i) => (plan.Starts[i],
            (i + 1 < count ? plan.Starts[i + 1] : text.Length) - plan.Starts[i], i == 0 ? 0 : 1);
        // Scan the pieces to be read first and build their trees after: the collections the scanner's garbage causes then
        // find little alive to copy (building while scanning made each of them copy the tree read so far). A very large
        // text is taken a batch of pieces at a time, so the tape stays a few megabytes. A piece the tape cannot take ends its
        // batch: it is read by the parser next, and when that finds an error the text is read whole without scanning the rest.
        for (int next = 0; next < count;)
        {
            int batch = next;
            tape.Clear();
            for (bool refused = false; next < count && !refused && (next == batch || tape.Count < options.TapeTokens); next++)
            {
                var (start, length, depth) = Piece(next);
                var slice = text.AsSpan(start, length);
                hashes[next] = string.GetHashCode(slice);
                if (previous is not null && previous.Path == path && previous.Find(slice, hashes[next]) is { } earlier
                    && Reusable(earlier, start))
                {
                    pieces[next] = earlier.Start == start ? earlier : earlier with
                    {
                        Start = start,
                        Root =
                        Shift(earlier.Root, start - earlier.Start)
                    };
                    continue;
                }
                scanned[next] = tape.Scan(text, start, length, depth);
                refused = scanned[next] is null;
            }
            for (int i = batch; i < next; i++)
            {
                if (pieces[i] is not null) continue;
                var (start, length, depth) = Piece(i);
                var outcome = (scanned[i] is { } range ? tape.Build(range, text, path, depth) : null)
                    ?? YamlReader.ReadEvents(text, start, length, path, depth, stopAtFailure: true);
                if (!outcome.Clean || outcome.Root is null) return null; // the text is read whole: no need to build the other pieces
                pieces[i] = new ChunkPiece(start, length, hashes[i], outcome.Root, outcome.Diagnostics);
            }
        }

        // The first piece holds the document's mapping ending in "devices:"; every other piece is a block list of items at the same column.
        if (pieces[0] is not { Root: YamlMapping { IsFlow: false } head } first) return null;
        if (head.Pairs.Length == 0 || head.Pairs[^1] is not { Value: YamlSequence { IsFlow: false } list } devices
            || devices.Key.Span.Start != plan.DevicesKey) return null;
        int itemCount = list.Items.Length;
        for (int i = 1; i < count; i++)
        {
            if (pieces[i] is not { Root: YamlSequence { IsFlow: false } more } || more.Span.Start != pieces[i].Start
                + plan.ItemIndent) return null;
            itemCount += more.Items.Length;
        }
        var items = new YamlNode[itemCount];
        list.Items.CopyTo(items, 0);
        int at = list.Items.Length;
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        diagnostics.AddRange(first.Diagnostics);
        for (int i = 1; i < count; i++)
        {
            var more = (YamlSequence)pieces[i].Root;
            more.Items.CopyTo(items, at);
            at += more.Items.Length;
            diagnostics.AddRange(pieces[i].Diagnostics);
        }
        int end = ((YamlSequence)pieces[count - 1].Root).Span.End;
        var joined = new YamlSequence(TextSpan.FromBounds(list.Span.Start, end), ImmutableCollectionsMarshal.AsImmutableArray(items),
            isFlow: false);
        var root = new YamlMapping(TextSpan.FromBounds(head.Span.Start, Math.Max(head.Span.End, end)),
            head.Pairs.SetItem(head.Pairs.Length - 1, devices with { Value = joined }), isFlow: false);
        return new YamlReadResult(root, diagnostics.ToImmutable())
        {
            Chunks =
            new YamlChunkSet(text, path, ImmutableCollectionsMarshal.AsImmutableArray(pieces))
        };
    }

    /// <summary>A piece read before can stand for the same text elsewhere when its spans can simply move (it has no findings).</summary>
    private static bool Reusable(ChunkPiece piece, int start) => piece.Start == start || piece.Diagnostics.IsEmpty;

    /// <summary>The same nodes, every span moved by <paramref name="delta"/>.</summary>
    internal static YamlNode Shift(YamlNode node, int delta)
    {
        switch (node)
        {
            case YamlScalar s:
                return new YamlScalar(new TextSpan(s.Span.Start + delta, s.Span.Length), s.Value, s.Style, s.Type);
            case YamlMapping m:
                {
                    var pairs = new YamlPair[m.Pairs.Length];
                    for (int i = 0; i < pairs.Length; i++)
                    {
                        var (key, value) = m.Pairs[i];
                        pairs[i] = new YamlPair(key with { Span = new TextSpan(key.Span.Start + delta, key.Span.Length) },
                            Shift(value, delta));
                    }
                    return new YamlMapping(new TextSpan(m.Span.Start + delta, m.Span.Length),
                        ImmutableCollectionsMarshal.AsImmutableArray(pairs), m.IsFlow);
                }
            case YamlSequence q:
                {
                    var items = new YamlNode[q.Items.Length];
                    for (int i = 0; i < items.Length; i++) items[i] = Shift(q.Items[i], delta);
                    return new YamlSequence(new TextSpan(q.Span.Start + delta, q.Span.Length),
                        ImmutableCollectionsMarshal.AsImmutableArray(items), q.IsFlow);
                }
            default:
                throw new InvalidOperationException($"unknown node {node.GetType().Name}");
        }
    }
}
