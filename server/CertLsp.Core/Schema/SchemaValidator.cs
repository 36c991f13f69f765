using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Schema;

/// <summary>
/// Checks a YAML tree against the manifest's JSON Schema: unknown keys (CL0002), wrong types and values (CL0003),
/// missing required keys (CL0004). Value constraints of a node marked x-certlsp-checkedBy are left to that rule.
/// </summary>
public static class SchemaValidator
{
    public static void Validate(YamlNode? root, SchemaNode schema, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (root is null)
        {
            foreach (var key in schema.Required)
            {
                diagnostics.Add(builder.MissingKey(new TextSpan(0, 0), "the site manifest", key, null, ValueTextFor(schema.Property(key))));
            }
            return;
        }
        Visit(root, schema, "the site manifest", "", new TextSpan(root.Span.Start, 0), builder, diagnostics);
    }

    public static string JsonType(YamlNode node) => node switch
    {
        YamlMapping => "object",
        YamlSequence => "array",
        YamlScalar { Type: ScalarType.Null } => "null",
        YamlScalar { Type: ScalarType.Boolean } => "boolean",
        YamlScalar { Type: ScalarType.Integer } => "integer",
        YamlScalar { Type: ScalarType.Float } => "number",
        _ => "string",
    };

    private static void Visit(YamlNode node, SchemaNode schema, string where, string path, TextSpan keySpan, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        string type = JsonType(node);
        if (!schema.Allows(type))
        {
            // An empty value ("subject:" with nothing after it) has no extent of its own: its key is the place to show.
            var span = node.Span.Length == 0 && keySpan.Length > 0 ? keySpan : node.Span;
            diagnostics.Add(builder.WrongType(node, where, Describe(schema.Types), span));
            return;
        }
        switch (node)
        {
            case YamlMapping mapping:
                foreach (var pair in mapping.Pairs)
                {
                    var property = schema.Property(pair.Key.Value);
                    string childPath = path.Length == 0 ? pair.Key.Value : $"{path}.{pair.Key.Value}";
                    if (property is null)
                    {
                        if (!schema.AdditionalProperties)
                        {
                            diagnostics.Add(builder.UnknownKey(pair.Key, path.Length == 0 ? "the site manifest" : $"“{path}”", [.. schema.Properties.Select(p => p.Key)], mapping));
                        }
                        continue;
                    }
                    Visit(pair.Value, property, $"“{childPath}”", childPath, pair.Key.Span, builder, diagnostics);
                }
                foreach (var required in schema.Required)
                {
                    if (mapping.Find(required) is null)
                    {
                        var span = keySpan.Length > 0 ? keySpan : FirstLine(mapping);
                        diagnostics.Add(builder.MissingKey(span, where, required, mapping, ValueTextFor(schema.Property(required))));
                    }
                }
                break;
            case YamlSequence sequence when schema.Items is not null:
                for (int i = 0; i < sequence.Items.Length; i++)
                {
                    string itemPath = $"{path}[{i}]";
                    var item = sequence.Items[i];
                    Visit(item, schema.Items, $"“{itemPath}”", itemPath, default, builder, diagnostics);
                }
                break;
            case YamlScalar scalar:
                CheckValue(scalar, schema, where, builder, diagnostics);
                break;
        }
    }

    private static void CheckValue(YamlScalar scalar, SchemaNode schema, string where, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (!schema.Enum.IsEmpty)
        {
            bool found = false;
            foreach (var allowed in schema.Enum)
            {
                if (EnumMatches(allowed, scalar)) { found = true; break; }
            }
            if (!found)
            {
                diagnostics.Add(builder.ValueNotAllowed(scalar, where, [.. schema.Enum.Select(EnumYaml)]));
            }
            return;
        }
        if (schema.CheckedBy is not null) return;
        if ((schema.Minimum is not null || schema.Maximum is not null) && scalar.TryGetInt64(out long number))
        {
            if (number < schema.Minimum || number > schema.Maximum)
            {
                diagnostics.Add(builder.NumberOutOfRange(scalar, where, schema.Minimum, schema.Maximum));
            }
            return;
        }
        if (scalar.Type == ScalarType.String)
        {
            int length = scalar.Value.Length;
            if (length < schema.MinLength || length > schema.MaxLength)
            {
                diagnostics.Add(builder.TextLength(scalar, where, schema.MinLength, schema.MaxLength));
                return;
            }
            if (schema.Pattern is not null && !Regex.IsMatch(scalar.Value, schema.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            {
                diagnostics.Add(builder.PatternMismatch(scalar, where, schema.Description ?? $"it must match {schema.Pattern}"));
            }
        }
    }

    private static bool EnumMatches(JsonElement allowed, YamlScalar scalar) => allowed.ValueKind switch
    {
        JsonValueKind.String => scalar.Type == ScalarType.String && allowed.GetString() == scalar.Value,
        JsonValueKind.Number => scalar.TryGetInt64(out long n) && allowed.TryGetInt64(out long a) && a == n,
        JsonValueKind.True => scalar.Type == ScalarType.Boolean && bool.TryParse(scalar.Value, out bool t) && t,
        JsonValueKind.False => scalar.Type == ScalarType.Boolean && bool.TryParse(scalar.Value, out bool f) && !f,
        _ => false,
    };

    public static string EnumText(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

    /// <summary>An enum value as YAML text: a string as YAML writes it, a number or boolean as is.</summary>
    public static string EnumYaml(JsonElement e) => e.ValueKind == JsonValueKind.String ? YamlEdits.FormatString(e.GetString()!) : e.GetRawText();

    private static string Describe(ImmutableArray<string> types) => string.Join(" or ", types.Select(t => t switch
    {
        "object" => "a mapping of keys",
        "array" => "a list",
        "string" => "text",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        _ => t,
    }));

    private static TextSpan FirstLine(YamlMapping mapping) =>
        mapping.Pairs.IsEmpty ? new TextSpan(mapping.Span.Start, Math.Min(1, mapping.Span.Length)) : mapping.Pairs[0].Key.Span;

    /// <summary>What a fix inserts for a missing key: the schema's default or first example, else an empty value of its type.</summary>
    public static string ValueTextFor(SchemaNode? schema)
    {
        if (schema is null) return "\"\"";
        if (schema.Default is { } def) return YamlText(def);
        if (!schema.Examples.IsEmpty) return YamlText(schema.Examples[0]);
        if (schema.Allows("array") && !schema.Allows("string")) return "[]";
        if (schema.Allows("object") && !schema.Allows("string")) return "{}";
        return "\"\"";
    }

    private static string YamlText(JsonElement e) => e.ValueKind == JsonValueKind.String ? YamlEdits.FormatString(e.GetString()!) : e.GetRawText();
}
