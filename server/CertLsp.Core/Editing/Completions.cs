using System.Collections.Immutable;
using System.Text.RegularExpressions;
using CertLsp.Core.Checking;
using CertLsp.Core.Data;
using CertLsp.Core.Schema;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Editing;

public enum CompletionKind
{
    Key,
    EnumValue,
    Country,
    Batch,
    File,
}

/// <summary>A completion candidate; it replaces <see cref="Replace"/> with <see cref="InsertText"/>.</summary>
public sealed record Completion(string Label, CompletionKind Kind, string? Detail, string? Documentation, string InsertText,
    TextSpan Replace);

/// <summary>
/// Completion in a manifest, in block and flow collections alike, worked out from the text itself (it is usually mid-edit and may not
/// parse):
/// the keys allowed where the cursor is (from the schema, minus those already there), enum values,
/// ISO 3166 country codes with names, and the batch names already used.
/// </summary>
public static partial class Completions
{
    /// <param name="issuerFiles">
    /// The CA certificate files a manifest on disk may list as issuers (paths relative to its folder), asked for only when
    /// completing <c>ca.issuers</c>: the caller reads the disk, this stays pure.
    /// </param>
    public static ImmutableArray<Completion> At(string text, int offset, ManifestDocument? lastGood,
        Func<IReadOnlyList<string>>? issuerFiles = null)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        // inside a CRLF: at the line's end
        if (offset > 0 && offset < text.Length && text[offset - 1] == '\r' && text[offset] == '\n') offset--;
        var context = new Context(lastGood, issuerFiles);
        if (FlowScanner.At(text, offset) is { } flow) return InFlow(text, flow, context);
        int lineStart = offset;
        while (lineStart > 0 && text[lineStart - 1] is not ('\n' or '\r')) lineStart--;
        string before = text[lineStart..offset];

        var valueMatch = ValueLine().Match(before);
        if (valueMatch.Success)
        {
            int keyColumn = valueMatch.Groups["key"].Index;
            var path = ParentPath(text, lineStart, keyColumn);
            if (path is null) return [];
            string key = valueMatch.Groups["key"].Value;
            var schema = YamlPath.Schema(path.Append(key));
            var partial = valueMatch.Groups["value"];
            var replace = ExtendToWordEnd(text, new TextSpan(lineStart + partial.Index, partial.Length));
            return Values(key, schema, replace, context, v => YamlEdits.FormatString(v));
        }

        var itemMatch = ItemLine().Match(before);
        if (itemMatch.Success && ParentPath(text, lineStart, itemMatch.Groups["value"].Index) is { Count: > 0 } listPath
            && YamlPath.Schema(listPath) is { Items: { Properties.IsEmpty: true } items })
        {
            // "- |" in a list of values (not of mappings): its items.
            var partial = itemMatch.Groups["value"];
            var replace = ExtendToWordEnd(text, new TextSpan(lineStart + partial.Index, partial.Length));
            return Values(listPath[^1], items, replace, context, v => YamlEdits.FormatString(v));
        }

        var keyMatch = KeyLine().Match(before);
        if (keyMatch.Success)
        {
            var typed = keyMatch.Groups["key"];
            int column = typed.Success ? typed.Index : before.Length;
            var path = ParentPath(text, lineStart, column);
            if (path is null) return [];
            var schema = YamlPath.Schema(path);
            // "- |" starts an item of a list of mappings: the item's keys.
            if (keyMatch.Groups["dash"].Success && schema is { Properties.IsEmpty: true, Items: { } item }) schema = item;
            if (schema is null || schema.Properties.IsEmpty) return [];
            var present = SiblingKeys(text, lineStart, column, keyMatch.Groups["dash"].Success);
            var replace = ExtendToWordEnd(text, new TextSpan(lineStart + column, typed.Length));
            return [.. schema.Properties
                .Where(p => !present.Contains(p.Key))
                .Select(p => new Completion(p.Key, CompletionKind.Key, p.Value.Title, p.Value.Description, p.Key + ": ", replace))];
        }
        return [];
    }

    /// <summary>A completion replaces the whole word under the cursor, not just the part before it.</summary>
    private static TextSpan ExtendToWordEnd(string text, TextSpan span)
    {
        int end = span.End;
        while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] is not ('#' or ':' or ',' or '}' or ']')) end++;
        return TextSpan.FromBounds(span.Start, end);
    }

    /// <summary>
    /// The values a key takes; <paramref name="yaml"/> writes a string value as the YAML text that reads back as it where it
    /// goes (numbers and booleans of an enum are written as they are).
    /// </summary>
    /// <summary>What completion knows beside the text: the last version that could be read, and the issuer files on disk.</summary>
    private sealed record Context(ManifestDocument? LastGood, Func<IReadOnlyList<string>>? IssuerFiles);

    private static ImmutableArray<Completion> Values(string? key, SchemaNode? schema, TextSpan replace, Context context, Func<string,
        string> yaml)
    {
        if (schema is null) return [];
        if (!schema.Enum.IsEmpty)
        {
            return [.. schema.Enum.Select(e => (Label: SchemaValidator.EnumText(e),
                Text: e.ValueKind == System.Text.Json.JsonValueKind.String ? yaml(e.GetString()!) : e.GetRawText()))
                .Select(v => new Completion(v.Label, CompletionKind.EnumValue, schema.Title, schema.Description, v.Text, replace))];
        }
        if (key == "country")
        {
            return [.. Countries.All.Select(c => new Completion(c.Alpha2, CompletionKind.Country, c.Name, $"{c.Name} ({c.Alpha3})",
                yaml(c.Alpha2), replace))];
        }
        if (key == "batch" && context.LastGood?.Manifest is { } manifest)
        {
            return [.. Outline.Batches(manifest).Select(b => new Completion(b.Name, CompletionKind.Batch, $"{b.Count} devices", null,
                yaml(b.Name), replace))];
        }
        if (key == "issuers" && context.IssuerFiles is { } issuerFiles)
        {
            return [.. issuerFiles().Select(f => new Completion(f, CompletionKind.File, "CA certificate", schema.Description, yaml(f),
                replace))];
        }
        return [];
    }

    /// <summary>
    /// Completion inside a flow collection: keys written "key: " (with the commas the entries around need, never a new
    /// line), values written so that they end neither the entry nor the collection (quoted where a plain scalar would).
    /// </summary>
    private static ImmutableArray<Completion> InFlow(string text, FlowCursor cursor, Context context)
    {
        if (cursor.Path is not { } path) return [];
        string Entry(string s) => (cursor.CommaBefore ? ", " : "") + s
            + (cursor.CommaAfter ? (char.IsWhiteSpace(CharAfter(cursor)) ? "," : ", ") : "");
        Func<string, string> yaml = cursor.Quote switch
        {
            '"' => v => YamlEdits.DoubleQuoted(v)[1..^1],
            '\'' => v => v.Replace("'", "''", StringComparison.Ordinal),
            _ => v => Entry(YamlEdits.FormatString(v, inFlow: true)),
        };
        switch (cursor.Slot)
        {
            case FlowSlot.Key:
                var schema = YamlPath.Schema(path);
                if (schema is null || schema.Properties.IsEmpty) return [];
                return [.. schema.Properties
                    .Where(p => !cursor.Keys.Contains(p.Key))
                    .Select(p => new Completion(p.Key, CompletionKind.Key, p.Value.Title, p.Value.Description, cursor.OnKey ? p.Key
                        : Entry(p.Key + ": "), cursor.Replace))];
            case FlowSlot.Value when cursor.Key is { } key:
                return Values(key, YamlPath.Schema(path.Append(key)), cursor.Replace, context, yaml);
            case FlowSlot.Item:
                return Values(path.Count > 0 ? path[^1] : null, YamlPath.Schema(path.Append("[]")), cursor.Replace, context, yaml);
            default:
                return [];
        }

        char CharAfter(FlowCursor c) => c.Replace.End < text.Length ? text[c.Replace.End] : ' ';
    }

    /// <summary>
    /// The keys leading to the mapping whose keys stand at <paramref name="column"/> on the line starting at
    /// <paramref name="lineStart"/>, found by indentation ("[]" for a list item); null inside a flow collection or block scalar.
    /// </summary>
    internal static List<string>? ParentPath(string text, int lineStart, int column)
    {
        var path = new List<string>();
        int current = column;
        int pos = lineStart;
        while (current > 0 && pos > 0)
        {
            // previous line
            int end = pos - 1;
            if (end > 0 && text[end] == '\n' && text[end - 1] == '\r') end--;
            int start = end;
            while (start > 0 && text[start - 1] is not ('\n' or '\r')) start--;
            pos = start;
            // Only a line indented less than the column can hold a parent key or the dash of a parent item: the lines of
            // the sibling items of a long list are passed over without being read (nor copied).
            int first = start;
            while (first < end && text[first] == ' ') first++;
            if (first - start >= current) continue;
            string line = text[start..end];
            if (IsBlankOrComment(line)) continue;
            var m = StructureLine().Match(line);
            if (!m.Success) continue;
            int indent = m.Groups["indent"].Length;
            bool dash = m.Groups["dash"].Success;
            int keyColumn = m.Groups["key"].Success ? m.Groups["key"].Index : -1;
            if (dash && indent < current)
            {
                // A list item: our mapping is the item's mapping when its keys stand at our column.
                if (keyColumn == current || keyColumn < 0 || indent + 2 <= current)
                {
                    path.Add("[]");
                    current = indent;
                    continue;
                }
            }
            if (keyColumn >= 0 && keyColumn < current)
            {
                if (m.Groups["rest"].Value.Trim().Length > 0 && !m.Groups["rest"].Value.TrimStart().StartsWith('#')) return null;
                path.Add(m.Groups["key"].Value);
                current = keyColumn;
            }
        }
        path.Reverse();
        return path;
    }

    private static HashSet<string> SiblingKeys(string text, int lineStart, int column, bool startsItem)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        // A line that starts a list item has no keys of its item above it.
        foreach (int direction in startsItem ? new[] { 1 } : [-1, 1])
        {
            int pos = lineStart;
            while (true)
            {
                int start, end;
                if (direction < 0)
                {
                    if (pos == 0) break;
                    end = pos - 1;
                    if (end > 0 && text[end] == '\n' && text[end - 1] == '\r') end--;
                    start = end;
                    while (start > 0 && text[start - 1] is not ('\n' or '\r')) start--;
                    pos = start;
                }
                else
                {
                    start = pos;
                    while (start < text.Length && text[start] is not ('\n' or '\r')) start++;
                    if (start >= text.Length) break;
                    start += text[start] == '\r' && start + 1 < text.Length && text[start + 1] == '\n' ? 2 : 1;
                    end = start;
                    while (end < text.Length && text[end] is not ('\n' or '\r')) end++;
                    pos = start;
                }
                string line = text[start..end];
                if (IsBlankOrComment(line)) continue;
                var m = StructureLine().Match(line);
                if (!m.Success) continue;
                int keyColumn = m.Groups["key"].Success ? m.Groups["key"].Index : -1;
                int indent = m.Groups["indent"].Length;
                bool dash = m.Groups["dash"].Success;
                if (indent < column && !(dash && keyColumn == column)) break; // left the mapping
                if (dash && keyColumn == column && (direction > 0 || startsItem)) break; // the next (or this) list item starts
                if (keyColumn == column) keys.Add(m.Groups["key"].Value);
                if (dash && keyColumn == column && direction < 0) break; // this item's first line
            }
        }
        return keys;
    }

    private static bool IsBlankOrComment(string line) => line.TrimStart().Length == 0 || line.TrimStart().StartsWith('#');

    [GeneratedRegex(@"^(?<indent> *)(?<dash>- +)?(?<key>[A-Za-z_][\w-]*) *: +(?<value>[^\s#{}\[\],""']*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ValueLine();

    [GeneratedRegex(@"^(?<indent> *)- +(?<value>[^\s#{}\[\],""']*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ItemLine();

    [GeneratedRegex(@"^(?<indent> *)(?<dash>- +)?(?<key>[A-Za-z_][\w-]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"^(?<indent> *)(?<dash>- +)?(?:(?<key>[A-Za-z_][\w-]*) *:(?<rest>.*))?\S*.*$", RegexOptions.CultureInvariant)]
    private static partial Regex StructureLine();
}
