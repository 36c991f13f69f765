using System.Collections.Immutable;
using System.Text.Json;

namespace CertLsp.Core.Schema;

/// <summary>
/// The site manifest's JSON Schema (schemas/site-manifest.schema.json, embedded in this assembly), loaded once.
/// The structural checks (CL0002-CL0004) are driven by it, so checks and schema cannot disagree;
/// hover and completion read titles and descriptions from it.
/// </summary>
public static class ManifestSchema
{
    private static readonly Lazy<(string Json, SchemaNode Root)> Loaded = new(Load);

    public static SchemaNode Root => Loaded.Value.Root;

    public static string Json => Loaded.Value.Json;

    private static (string, SchemaNode) Load()
    {
        using var stream = typeof(ManifestSchema).Assembly.GetManifestResourceStream("site-manifest.schema.json")
            ?? throw new InvalidOperationException("the embedded manifest schema is missing");
        using var reader = new StreamReader(stream);
        string json = reader.ReadToEnd();
        return (json, Parse(json));
    }

    public static SchemaNode Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement.Clone();
        var cache = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
        return Build(root, root, "#", cache);
    }

    private static SchemaNode Build(JsonElement element, JsonElement root, string pointer, Dictionary<string, SchemaNode> cache)
    {
        if (element.TryGetProperty("$ref", out var reference))
        {
            string target = reference.GetString() ?? throw new InvalidDataException($"{pointer}: $ref must be a string");
            if (cache.TryGetValue(target, out var cached)) return cached;
            var resolved = Resolve(root, target);
            var node = Build(resolved, root, target, cache);
            cache[target] = node;
            return node;
        }

        ImmutableArray<string> types = [];
        if (element.TryGetProperty("type", out var type))
        {
            types = type.ValueKind == JsonValueKind.Array
                ? [.. type.EnumerateArray().Select(t => t.GetString()!)]
                : [type.GetString()!];
        }

        var properties = ImmutableArray.CreateBuilder<KeyValuePair<string, SchemaNode>>();
        if (element.TryGetProperty("properties", out var props))
        {
            foreach (var p in props.EnumerateObject())
            {
                properties.Add(new(p.Name, Build(p.Value, root, $"{pointer}/properties/{p.Name}", cache)));
            }
        }

        return new SchemaNode
        {
            Pointer = pointer,
            Title = String(element, "title"),
            Description = String(element, "description"),
            Types = types,
            Properties = properties.ToImmutable(),
            Required = element.TryGetProperty("required", out var req) ? [.. req.EnumerateArray().Select(r => r.GetString()!)] : [],
            AdditionalProperties = !element.TryGetProperty("additionalProperties", out var ap) || ap.ValueKind != JsonValueKind.False,
            Enum = element.TryGetProperty("enum", out var en) ? [.. en.EnumerateArray()] : [],
            Items = element.TryGetProperty("items", out var items) ? Build(items, root, pointer + "/items", cache) : null,
            Default = element.TryGetProperty("default", out var def) ? def : null,
            Examples = element.TryGetProperty("examples", out var ex) ? [.. ex.EnumerateArray()] : [],
            Minimum = element.TryGetProperty("minimum", out var min) ? min.GetDouble() : null,
            Maximum = element.TryGetProperty("maximum", out var max) ? max.GetDouble() : null,
            MinLength = element.TryGetProperty("minLength", out var minl) ? minl.GetInt32() : null,
            MaxLength = element.TryGetProperty("maxLength", out var maxl) ? maxl.GetInt32() : null,
            Pattern = String(element, "pattern"),
            CheckedBy = !element.TryGetProperty("x-certlsp-checkedBy", out var owners) ? []
                : owners.ValueKind == JsonValueKind.Array ? [.. owners.EnumerateArray().Select(o => o.GetString()!)]
                    : [owners.GetString()!],
        };
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement Resolve(JsonElement root, string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal)) throw new InvalidDataException(
            $"only local $ref is supported: {reference}");
        var current = root;
        foreach (var part in reference[2..].Split('/'))
        {
            if (!current.TryGetProperty(part, out current)) throw new InvalidDataException($"unresolved $ref {reference}");
        }
        return current;
    }
}
