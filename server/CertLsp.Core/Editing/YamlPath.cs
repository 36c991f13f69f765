using System.Collections.Immutable;
using CertLsp.Core.Schema;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Editing;

/// <summary>One step from the root to a node: a mapping key (with the key's text and span in <c>KeyNode</c>) or a list index.</summary>
public sealed record PathStep(string? Key, int Index, YamlNode Node, YamlKey? KeyNode)
{
    public bool IsKey => Key is not null;
}

/// <summary>Finds what is under the cursor: the chain of nodes from the root, and the schema that describes it.</summary>
public static class YamlPath
{
    /// <summary>
    /// The steps from the root to the deepest node containing the offset (a key's own span counts as its pair). With the
    /// <paramref name="text"/>, an empty value counts from its key's ":" to the next character that is not a space: its
    /// span is empty (after the ":" in a block mapping, on the next token in a flow one).
    /// </summary>
    public static ImmutableArray<PathStep> At(YamlNode? root, int offset, string? text = null)
    {
        var steps = ImmutableArray.CreateBuilder<PathStep>();
        var node = root;
        while (node is not null)
        {
            YamlNode? next = null;
            switch (node)
            {
                case YamlMapping mapping:
                    foreach (var pair in mapping.Pairs)
                    {
                        bool inKey = offset >= pair.Key.Span.Start && offset <= pair.Key.Span.End;
                        bool inValue = pair.Value.Span.Length > 0
                            ? offset >= pair.Value.Span.Start && offset <= pair.Value.Span.End
                            : text is not null && AtEmptyValue(text, pair.Key.Span.End, offset);
                        if (!inKey && !inValue) continue;
                        steps.Add(new PathStep(pair.Key.Value, -1, pair.Value, pair.Key));
                        next = inKey ? null : pair.Value;
                        if (inKey) return steps.ToImmutable();
                        break;
                    }
                    break;
                case YamlSequence sequence:
                    for (int i = 0; i < sequence.Items.Length; i++)
                    {
                        var item = sequence.Items[i];
                        if (offset < item.Span.Start || offset > item.Span.End) continue;
                        steps.Add(new PathStep(null, i, item, null));
                        next = item;
                        break;
                    }
                    break;
            }
            if (next is null || ReferenceEquals(next, node)) break;
            node = next;
        }
        return steps.ToImmutable();
    }

    /// <summary>Whether only the key's ":" and blanks stand between its end and the offset.</summary>
    private static bool AtEmptyValue(string text, int keyEnd, int offset)
    {
        if (offset <= keyEnd || offset > text.Length) return false;
        int at = keyEnd;
        while (at < offset && text[at] is ' ' or '\t') at++;
        if (at >= offset || text[at] != ':') return false;
        for (at++; at < offset; at++)
        {
            if (text[at] is not (' ' or '\t')) return false;
        }
        return true;
    }

    /// <summary>The schema node for a path of keys ("[]" or null for a list item).</summary>
    public static SchemaNode? Schema(IEnumerable<string?> keys)
    {
        SchemaNode? schema = ManifestSchema.Root;
        foreach (var key in keys)
        {
            if (schema is null) return null;
            schema = key is null or "[]" ? schema.Items : schema.Property(key);
        }
        return schema;
    }

    public static SchemaNode? Schema(ImmutableArray<PathStep> steps) => Schema(steps.Select(s => s.Key));

    /// <summary>Spans from the innermost node outwards (for selection ranges).</summary>
    public static ImmutableArray<TextSpan> Enclosing(YamlNode? root, int offset)
    {
        var steps = At(root, offset);
        var spans = new List<TextSpan>();
        if (root is not null) spans.Add(root.Span);
        foreach (var step in steps)
        {
            if (step.KeyNode is { } key)
            {
                var pair = TextSpan.FromBounds(key.Span.Start, Math.Max(key.Span.End, step.Node.Span.End));
                spans.Add(pair);
                if (offset <= key.Span.End && offset >= key.Span.Start) spans.Add(key.Span);
                else spans.Add(step.Node.Span);
            }
            else
            {
                spans.Add(step.Node.Span);
            }
        }
        var result = new List<TextSpan>();
        foreach (var span in spans.AsEnumerable().Reverse())
        {
            if (result.Count > 0 && (result[^1] == span || !(span.Start <= result[^1].Start && span.End >= result[^1].End))) continue;
            result.Add(span);
        }
        return [.. result];
    }
}
