using System.Collections.Immutable;
using CertLsp.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Tokens;

namespace CertLsp.Core.Yaml;

public static partial class YamlReader
{
    /// <summary>Where the token reader is inside an open collection.</summary>
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

    /// <summary>
    /// The fast read: the same tree and findings as <see cref="ReadEvents"/>, built from YamlDotNet's scanner tokens without its
    /// parser (a quarter less time and a third less garbage on a large manifest). It covers the documents manifests are made of
    /// — block and flow mappings and lists, every scalar style, comments — and returns null for anything else (an empty
    /// value or key, an indentless list, anchors, aliases, tags, directives, several documents, any scanner error), which
    /// the parser then reads, so findings and error messages are always the parser's.
    /// </summary>
    internal static RangeOutcome? ReadTokens(string text, int start, int length, string path, int depth)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var state = new ReadState(text, start, length, depth, new DiagnosticBuilder(path), diagnostics);
        var scanner = new Scanner(Input(text, start, length), skipComments: true);
        var open = new Expect[16];
        int depthNow = 0;
        YamlNode? root = null;
        try
        {
            if (!scanner.MoveNext() || scanner.Current is not StreamStart || !scanner.MoveNext()) return null;
            bool needNode = true;
            while (true)
            {
                var token = scanner.Current!;
                if (needNode)
                {
                    // A node: a scalar, or a collection that opens (its contents follow).
                    YamlNode? done = null;
                    (bool Mapping, bool Flow, Expect Then)? opens = token switch
                    {
                        BlockMappingStart => (true, false, Expect.MappingKey),
                        BlockSequenceStart => (false, false, Expect.SequenceItem),
                        FlowMappingStart => (true, true, Expect.FlowKeyOrEnd),
                        FlowSequenceStart => (false, true, Expect.FlowItemOrEnd),
                        _ => null,
                    };
                    if (opens is { } collection)
                    {
                        state.Open(collection.Mapping, state.At(token.Start), collection.Flow, null);
                        Push(ref open, ref depthNow, collection.Then);
                    }
                    else if (token is YamlDotNet.Core.Tokens.Scalar scalar)
                    {
                        done = state.OnScalar(state.At(scalar.Start), state.At(scalar.End), scalar.Value, scalar.Style, null, null);
                    }
                    else
                    {
                        return null; // an empty node, an anchor, an alias, a tag: the parser's case
                    }
                    if (state.Failed) return null;
                    needNode = false;
                    if (done is not null) root = done;
                    if (!scanner.MoveNext()) return null;
                    continue;
                }
                if (depthNow == 0)
                {
                    // The document's node is complete: only the end of the stream may follow.
                    return token is StreamEnd && root is not null && !scanner.MoveNext() ? new RangeOutcome(root, diagnostics.ToImmutable(), true) : null;
                }
                ref var at = ref open[depthNow - 1];
                bool close = false;
                switch (at, token)
                {
                    case (Expect.MappingKey, Key):
                        at = Expect.MappingValue;
                        needNode = true;
                        break;
                    case (Expect.MappingKey, BlockEnd):
                    case (Expect.SequenceItem, BlockEnd):
                    case (Expect.FlowItemOrEnd or Expect.FlowAfterItem, FlowSequenceEnd):
                    case (Expect.FlowKeyOrEnd or Expect.FlowAfterValue, FlowMappingEnd):
                        close = true;
                        break;
                    case (Expect.MappingValue, Value):
                        at = Expect.MappingKey;
                        needNode = true;
                        break;
                    case (Expect.SequenceItem, BlockEntry):
                        needNode = true;
                        break;
                    case (Expect.FlowItemOrEnd or Expect.FlowItem, _):
                        at = Expect.FlowAfterItem;
                        needNode = true;
                        continue; // this token is the item itself
                    case (Expect.FlowAfterItem, FlowEntry):
                        at = Expect.FlowItem;
                        break;
                    case (Expect.FlowKeyOrEnd or Expect.FlowKey, Key):
                        at = Expect.FlowValue;
                        needNode = true;
                        break;
                    case (Expect.FlowValue, Value):
                        at = Expect.FlowAfterValue;
                        needNode = true;
                        break;
                    case (Expect.FlowAfterValue, FlowEntry):
                        at = Expect.FlowKey;
                        break;
                    default:
                        return null;
                }
                if (close)
                {
                    depthNow--;
                    var done = state.Close(state.At(token.Start), state.At(token.End));
                    if (state.Failed) return null;
                    if (done is not null) root = done;
                }
                if (!scanner.MoveNext()) return null;
            }
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
        {
            return null; // the parser reads it again and reports the error as it always has
        }
    }

    private static void Push(ref Expect[] open, ref int depth, Expect expect)
    {
        if (depth == open.Length) Array.Resize(ref open, depth * 2);
        open[depth++] = expect;
    }
}
