using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Schema;

/// <summary>
/// Checks a YAML tree against the manifest's JSON Schema: unknown keys (CL0002), wrong types and values (CL0003),
/// missing required keys (CL0004). Value constraints of a node marked x-certlsp-checkedBy are left to those rules.
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
        Visit(root, schema, NodePath.Root, new TextSpan(root.Span.Start, 0), builder, diagnostics);
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

    /// <summary>
    /// Where a node sits ("devices[3].address"), kept as the text of an ancestor's path plus up to an index and a key, so that
    /// text is only built when a finding needs it or a nested collection needs it as its parent path: a clean manifest builds
    /// one per mapping below a list item (a device's subject), not one per device.
    /// </summary>
    /// <param name="parent">The built path text of the nearest ancestor that has one; null for the root.</param>
    /// <param name="index">When not negative, this node is (or, with a key, sits under) item <paramref name="index"/> of the list at
    /// <paramref name="parent"/>.</param>
    /// <param name="key">The node's key in its mapping, if it has one.</param>
    private readonly struct NodePath(string? parent, int index, string? key)
    {
        public static NodePath Root => new(null, -1, null);

        public bool IsRoot => parent is null;

        /// <summary>The path of the value of <paramref name="childKey"/> in the mapping at this path (<paramref name="built"/>: this path's
        /// text, once built).</summary>
        public NodePath Child(string childKey, ref string? built) =>
            key is null && index >= 0 ? new(parent, index, childKey) : new(built ??= Text, -1, childKey);

        /// <summary>The dotted path, "" for the root.</summary>
        public string Text
        {
            get
            {
                if (parent is null) return "";
                string item = index >= 0 ? $"{parent}[{index}]" : parent;
                return key is null ? item : item.Length == 0 ? key : $"{item}.{key}";
            }
        }

        /// <summary>How messages name the node: "the site manifest" or the quoted path.</summary>
        public string Where => IsRoot ? "the site manifest" : $"“{Text}”";

        /// <summary>How an unknown key's message names the mapping it is in (by its path; the top level by name).</summary>
        public string MappingWhere => Text is { Length: > 0 } text ? $"“{text}”" : "the site manifest";
    }

    private static void Visit(YamlNode node, SchemaNode schema, NodePath path, TextSpan keySpan, DiagnosticBuilder builder,
        ICollection<Diagnostic> diagnostics)
    {
        string type = JsonType(node);
        if (!schema.Allows(type))
        {
            // An empty value ("subject:" with nothing after it) has no extent of its own: its key is the place to show.
            var span = node.Span.Length == 0 && keySpan.Length > 0 ? keySpan : node.Span;
            diagnostics.Add(builder.WrongType(node, path.Where, Describe(schema.Types), span));
            return;
        }
        switch (node)
        {
            case YamlMapping mapping:
                string? mappingPath = null; // built once, when a child needs it
                foreach (var pair in mapping.Pairs)
                {
                    var property = schema.Property(pair.Key.Value);
                    if (property is null)
                    {
                        if (!schema.AdditionalProperties)
                        {
                            diagnostics.Add(builder.UnknownKey(pair.Key, path.MappingWhere, [.. schema.Properties.Select(p => p.Key)],
                                mapping));
                        }
                        continue;
                    }
                    Visit(pair.Value, property, path.Child(pair.Key.Value, ref mappingPath), pair.Key.Span, builder, diagnostics);
                }
                foreach (var required in schema.Required)
                {
                    if (mapping.Find(required) is null)
                    {
                        var span = keySpan.Length > 0 ? keySpan : FirstLine(mapping);
                        diagnostics.Add(builder.MissingKey(span, path.Where, required, mapping, ValueTextFor(schema.Property(required))));
                    }
                }
                break;
            case YamlSequence sequence when schema.Items is not null:
                string listPath = path.Text;
                for (int i = 0; i < sequence.Items.Length; i++)
                {
                    Visit(sequence.Items[i], schema.Items, new NodePath(listPath, i, null), default, builder, diagnostics);
                }
                break;
            case YamlScalar scalar:
                CheckValue(scalar, schema, path, builder, diagnostics);
                break;
        }
    }

    private static void CheckValue(YamlScalar scalar, SchemaNode schema, NodePath path, DiagnosticBuilder builder,
        ICollection<Diagnostic> diagnostics)
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
                diagnostics.Add(builder.ValueNotAllowed(scalar, path.Where, [.. schema.Enum.Select(EnumYaml)]));
            }
            return;
        }
        if (!schema.CheckedBy.IsEmpty)
        {
            // The owning rules judge the value; an empty value is still the schema's to report, unless the
            // mandatory-subject rule (CL0101) owns the node: it reports an empty field as missing information.
            if (scalar.Type == ScalarType.String && scalar.Value.Length == 0 && schema.MinLength > 0
                && !schema.CheckedBy.Contains("CL0101"))
            {
                diagnostics.Add(builder.TextLength(scalar, path.Where, schema.MinLength, schema.MaxLength));
            }
            return;
        }
        if ((schema.Minimum is not null || schema.Maximum is not null) && scalar.Type == ScalarType.Integer)
        {
            bool outOfRange = scalar.TryGetInt64(out long number)
                ? number < schema.Minimum || number > schema.Maximum
                : scalar.Value.StartsWith('-') ? schema.Minimum is not null : schema.Maximum is not null; // beyond 64 bits
            if (outOfRange)
            {
                diagnostics.Add(builder.NumberOutOfRange(scalar, path.Where, schema.Minimum, schema.Maximum));
            }
            return;
        }
        if (scalar.Type == ScalarType.String)
        {
            int length = Characters.Count(scalar.Value);
            if (length < schema.MinLength || length > schema.MaxLength)
            {
                diagnostics.Add(builder.TextLength(scalar, path.Where, schema.MinLength, schema.MaxLength));
                return;
            }
            if (schema.Pattern is not null && !Regex.IsMatch(scalar.Value, schema.Pattern, RegexOptions.CultureInvariant,
                TimeSpan.FromSeconds(1)))
            {
                diagnostics.Add(builder.PatternMismatch(scalar, path.Where, schema.Description ?? $"it must match {schema.Pattern}"));
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
    public static string EnumYaml(JsonElement e) => e.ValueKind == JsonValueKind.String ? YamlEdits.FormatString(e.GetString()!)
        : e.GetRawText();

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

    private static string YamlText(JsonElement e) => e.ValueKind == JsonValueKind.String ? YamlEdits.FormatString(e.GetString()!)
        : e.GetRawText();
}
