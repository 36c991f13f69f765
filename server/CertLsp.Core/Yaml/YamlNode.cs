using System.Collections.Immutable;
using CertLsp.Core.Text;

namespace CertLsp.Core.Yaml;

/// <summary>What a scalar means under the YAML 1.2 core schema.</summary>
public enum ScalarType
{
    Null,
    Boolean,
    Integer,
    Float,
    String,
}

public enum ScalarStyle
{
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// <summary>An immutable YAML node with the exact span it has in the source text.</summary>
public abstract class YamlNode(TextSpan span)
{
    public TextSpan Span { get; } = span;

    public abstract string KindName { get; }
}

public sealed class YamlScalar(TextSpan span, string value, ScalarStyle style, ScalarType type) : YamlNode(span)
{
    public string Value { get; } = value;

    public ScalarStyle Style { get; } = style;

    public ScalarType Type { get; } = type;

    public override string KindName => Type switch
    {
        ScalarType.Null => "empty",
        ScalarType.Boolean => "a boolean",
        ScalarType.Integer => "a whole number",
        ScalarType.Float => "a number",
        _ => "text",
    };

    public bool TryGetInt64(out long value)
    {
        value = 0;
        if (Type != ScalarType.Integer) return false;
        return YamlScalarResolver.TryParseInteger(Value, out value);
    }
}

/// <summary>
/// A mapping's key: its text and where it stands. Keys have no node of their own (a large manifest has hundreds of
/// thousands, and the garbage collector traces every object that outlives a collection); a manifest's keys are plain text.
/// </summary>
public readonly record struct YamlKey(TextSpan Span, string Value);

/// <summary>A key and its value in a mapping (a value type: a large manifest has hundreds of thousands).</summary>
public readonly record struct YamlPair(YamlKey Key, YamlNode Value);

public sealed class YamlMapping(TextSpan span, ImmutableArray<YamlPair> pairs, bool isFlow) : YamlNode(span)
{
    public ImmutableArray<YamlPair> Pairs { get; } = pairs;

    public bool IsFlow { get; } = isFlow;

    public override string KindName => "a mapping";

    public YamlPair? Find(string key)
    {
        foreach (var pair in Pairs)
        {
            if (pair.Key.Value == key) return pair;
        }
        return null;
    }
}

public sealed class YamlSequence(TextSpan span, ImmutableArray<YamlNode> items, bool isFlow) : YamlNode(span)
{
    public ImmutableArray<YamlNode> Items { get; } = items;

    public bool IsFlow { get; } = isFlow;

    public override string KindName => "a list";
}
