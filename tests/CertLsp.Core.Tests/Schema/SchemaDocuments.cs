using System.Text;
using System.Text.Json;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Tests.Schema;

/// <summary>A YAML value the schema tests build documents from.</summary>
public abstract class YValue
{
    public abstract YValue Copy();
}

/// <summary>A mapping whose entries keep their order.</summary>
public sealed class YMap(List<KeyValuePair<string, YValue>> entries) : YValue
{
    public YMap() : this([]) { }

    public List<KeyValuePair<string, YValue>> Entries { get; } = entries;

    public YValue? this[string key]
    {
        get => Entries.FirstOrDefault(e => e.Key == key).Value;
        set
        {
            int i = Entries.FindIndex(e => e.Key == key);
            if (value is null) { if (i >= 0) Entries.RemoveAt(i); }
            else if (i >= 0)
            {
                Entries[i] = new(key, value);
            }
            else
            {
                Entries.Add(new(key, value));
            }
        }
    }

    public override YValue Copy() => new YMap(Entries.Select(e => new KeyValuePair<string, YValue>(e.Key, e.Value.Copy())).ToList());
}

public sealed class YList(List<YValue> items) : YValue
{
    public List<YValue> Items { get; } = items;

    public override YValue Copy() => new YList(Items.Select(i => i.Copy()).ToList());
}

/// <summary>A scalar written exactly as given: plain (<c>5</c>, <c>NO</c>, <c>~</c>) or already quoted.</summary>
public sealed class YScalar(string text) : YValue
{
    public string Text { get; } = text;

    /// <summary>Text as a double-quoted YAML scalar (JSON escapes are valid YAML escapes).</summary>
    public static YScalar Quoted(string value) => new(JsonSerializer.Serialize(value, QuoteOptions));

    private static readonly JsonSerializerOptions QuoteOptions =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override YValue Copy() => this;
}

/// <summary>Block-style YAML text of a value tree, and finding a node of it again by its path.</summary>
public static class YamlText
{
    public static string Write(YValue root)
    {
        var text = new StringBuilder();
        WriteMapOrList(root, 0, text);
        return text.ToString();
    }

    private static void WriteMapOrList(YValue value, int indent, StringBuilder text)
    {
        string pad = new(' ', indent);
        switch (value)
        {
            case YMap { Entries.Count: > 0 } map:
                foreach (var (key, child) in map.Entries)
                {
                    text.Append(pad).Append(Key(key)).Append(':');
                    WriteChild(child, indent + 2, text);
                }
                break;
            case YList { Items.Count: > 0 } list:
                foreach (var item in list.Items)
                {
                    text.Append(pad).Append('-');
                    if (item is YMap { Entries.Count: > 0 } itemMap)
                    {
                        // "- first: x" then the other keys aligned under "first".
                        var inner = new StringBuilder();
                        WriteMapOrList(itemMap, indent + 2, inner);
                        text.Append(' ').Append(inner.ToString()[(indent + 2)..]);
                    }
                    else
                    {
                        WriteChild(item, indent + 2, text);
                    }
                }
                break;
            default:
                text.Append(pad).Append(Inline(value)).Append('\n');
                break;
        }
    }

    private static void WriteChild(YValue child, int indent, StringBuilder text)
    {
        if (child is YMap { Entries.Count: > 0 } or YList { Items.Count: > 0 })
        {
            text.Append('\n');
            WriteMapOrList(child, indent, text);
        }
        else
        {
            text.Append(' ').Append(Inline(child)).Append('\n');
        }
    }

    private static string Inline(YValue value) => value switch
    {
        YMap => "{}",
        YList => "[]",
        YScalar s => s.Text,
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    private static string Key(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') && !char.IsAsciiDigit(key[0]) ? key
            : YScalar.Quoted(key).Text;

    /// <summary>The node at a path ("devices", "0", "name") in the text as the core reads it; the key too when the last step is a
    /// key.</summary>
    public static (YamlNode Node, YamlKey? Key) Find(string text, IReadOnlyList<string> path)
    {
        YamlNode node = YamlReader.Read(text, "find").Root ?? throw new InvalidOperationException("no root");
        YamlKey? key = null;
        foreach (var step in path)
        {
            switch (node)
            {
                case YamlMapping map:
                    var pair = map.Find(step) ?? throw new InvalidOperationException($"no key {step} in {string.Join(".", path)}");
                    (node, key) = (pair.Value, pair.Key);
                    break;
                case YamlSequence list:
                    (node, key) = (list.Items[int.Parse(step, System.Globalization.CultureInfo.InvariantCulture)], null);
                    break;
                default:
                    throw new InvalidOperationException($"cannot step into {node.KindName} at {step}");
            }
        }
        return (node, key);
    }
}

/// <summary>The schema file, its properties walked with $ref resolved.</summary>
public static class SchemaFile
{
    public static JsonElement Root { get; } = JsonDocument.Parse(
        File.ReadAllText(RepoPaths.Combine("schemas", "site-manifest.schema.json"))).RootElement;

    public static JsonElement Resolve(JsonElement element)
    {
        while (element.TryGetProperty("$ref", out var reference))
        {
            var target = Root;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/')) target = target.GetProperty(part);
            element = target;
        }
        return element;
    }

    /// <summary>One property of an object in the schema, at a document path where list steps are "0".</summary>
    public sealed record Property(IReadOnlyList<string> Path, string Name, JsonElement Schema, JsonElement Parent)
    {
        public IReadOnlyList<string> ParentPath => Path.Take(Path.Count - 1).ToList();

        public string Pointer => string.Join(".", Path).Replace(".0", "[]", StringComparison.Ordinal);

        public IReadOnlyList<string> Types => Schema.TryGetProperty("type", out var t)
            ? t.ValueKind == JsonValueKind.Array ? [.. t.EnumerateArray().Select(x => x.GetString()!)] : [t.GetString()!]
            : [];

        /// <summary>The codes of x-certlsp-checkedBy (a code or a list of codes).</summary>
        public IReadOnlyList<string> CheckedBy => !Schema.TryGetProperty("x-certlsp-checkedBy", out var c) ? []
            : c.ValueKind == JsonValueKind.Array ? [.. c.EnumerateArray().Select(x => x.GetString()!)] : [c.GetString()!];

        public override string ToString() => Pointer;
    }

    public static IReadOnlyList<Property> Properties()
    {
        var result = new List<Property>();
        Walk(Resolve(Root), [], result);
        return result;
    }

    private static void Walk(JsonElement obj, List<string> path, List<Property> result)
    {
        if (!obj.TryGetProperty("properties", out var properties)) return;
        foreach (var p in properties.EnumerateObject())
        {
            var schema = Resolve(p.Value);
            var childPath = new List<string>(path) { p.Name };
            result.Add(new Property(childPath, p.Name, schema, obj));
            Walk(schema, childPath, result);
            if (schema.TryGetProperty("items", out var items)) Walk(Resolve(items), [.. childPath, "0"], result);
        }
    }

    /// <summary>Every schema object that describes something (the root, definitions, properties, items) with where it is.</summary>
    public static IEnumerable<(string Where, JsonElement Schema)> DescribedNodes()
    {
        yield return ("#", Root);
        foreach (var d in Root.GetProperty("definitions").EnumerateObject()) yield return ($"#/definitions/{d.Name}", d.Value);
        foreach (var p in Properties())
        {
            yield return (p.Pointer, p.Schema);
            if (p.Schema.TryGetProperty("items", out var items)) yield return (p.Pointer + "[]", Resolve(items));
        }
    }
}
