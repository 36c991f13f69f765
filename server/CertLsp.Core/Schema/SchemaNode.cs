using System.Collections.Immutable;
using System.Text.Json;

namespace CertLsp.Core.Schema;

/// <summary>One (resolved) node of the manifest's JSON Schema: the subset of draft-07 the schema uses.</summary>
public sealed class SchemaNode
{
    public string? Title { get; init; }

    public string? Description { get; init; }

    /// <summary>JSON types allowed: "object", "array", "string", "integer", "number", "boolean", "null".</summary>
    public ImmutableArray<string> Types { get; init; } = [];

    public ImmutableArray<KeyValuePair<string, SchemaNode>> Properties { get; init; } = [];

    public ImmutableArray<string> Required { get; init; } = [];

    public bool AdditionalProperties { get; init; } = true;

    public ImmutableArray<JsonElement> Enum { get; init; } = [];

    public SchemaNode? Items { get; init; }

    public JsonElement? Default { get; init; }

    public ImmutableArray<JsonElement> Examples { get; init; } = [];

    public double? Minimum { get; init; }

    public double? Maximum { get; init; }

    public int? MinLength { get; init; }

    public int? MaxLength { get; init; }

    public string? Pattern { get; init; }

    /// <summary>
    /// The diagnostic codes of the rules that own this node's value constraints (x-certlsp-checkedBy: a code or a list of codes);
    /// empty when the schema check judges the value itself.
    /// </summary>
    public ImmutableArray<string> CheckedBy { get; init; } = [];

    /// <summary>The JSON pointer of this node in the schema file (for tests and messages).</summary>
    public required string Pointer { get; init; }

    public SchemaNode? Property(string name)
    {
        foreach (var p in Properties)
        {
            if (p.Key == name) return p.Value;
        }
        return null;
    }

    public bool Allows(string type) => Types.IsEmpty || Types.Contains(type) || (type == "integer" && Types.Contains("number"));
}
