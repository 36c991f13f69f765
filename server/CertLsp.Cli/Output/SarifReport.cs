using System.Text.Json;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Cli.Output;

/// <summary>SARIF 2.1.0 for code-review annotations: every catalog code as a rule, findings with one-based UTF-16 regions, related places
/// and fixes.</summary>
public sealed class SarifReport : IReport
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    public void Write(CheckResult result, TextWriter output)
    {
        var rules = DiagnosticCatalog.All;
        var ruleIndex = rules.Select((r, i) => (r.Code, i)).ToDictionary(x => x.Code, x => x.i);
        IndentedJson.WriteLine(output, json =>
        {
            json.WriteStartObject();
            json.WriteString("$schema", SchemaUri);
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();

            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", "certlsp");
            json.WriteString("semanticVersion", typeof(SarifReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
            json.WriteString("informationUri", DiagnosticCatalog.DocumentationBase);
            json.WriteStartArray("rules");
            foreach (var rule in rules)
            {
                json.WriteStartObject();
                json.WriteString("id", rule.Code);
                json.WriteString("name", string.Concat(rule.Title.Split(' ', '-').Select(w => w.Length == 0 ? w
                    : char.ToUpperInvariant(w[0]) + w[1..])));
                json.WriteStartObject("shortDescription");
                json.WriteString("text", rule.Title);
                json.WriteEndObject();
                json.WriteString("helpUri", rule.DocumentationUri.ToString());
                json.WriteStartObject("defaultConfiguration");
                json.WriteString("level", Level(rule.Severity));
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject("originalUriBaseIds");
            json.WriteStartObject("SRCROOT");
            json.WriteString("uri", new Uri(Directory.GetCurrentDirectory().TrimEnd('/') + "/").AbsoluteUri);
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartArray("results");
            foreach (var file in result.Files)
            {
                foreach (var d in result.ByPath[file.Path])
                {
                    json.WriteStartObject();
                    json.WriteString("ruleId", d.Code);
                    json.WriteNumber("ruleIndex", ruleIndex[d.Code]);
                    json.WriteString("level", Level(d.Severity));
                    json.WriteStartObject("message");
                    json.WriteString("text", d.Message);
                    json.WriteEndObject();
                    json.WriteStartArray("locations");
                    WriteLocation(json, d.Path, file.Lines, d.Span, null, null);
                    json.WriteEndArray();
                    if (!d.Related.IsEmpty)
                    {
                        json.WriteStartArray("relatedLocations");
                        int id = 1;
                        foreach (var r in d.Related)
                        {
                            WriteLocation(json, r.Location.Path, result.Lines(r.Location.Path) ?? file.Lines, r.Location.Span, id++,
                                r.Message);
                        }
                        json.WriteEndArray();
                    }
                    if (!d.Fixes.IsEmpty)
                    {
                        json.WriteStartArray("fixes");
                        foreach (var fix in d.Fixes) WriteFix(json, fix);
                        json.WriteEndArray();
                    }
                    json.WriteEndObject();
                }
            }
            json.WriteEndArray();
            json.WriteString("columnKind", "utf16CodeUnits");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static string Level(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        _ => "note",
    };

    private static void WriteArtifact(Utf8JsonWriter json, string path)
    {
        json.WriteStartObject("artifactLocation");
        if (Path.IsPathRooted(path))
        {
            json.WriteString("uri", new Uri(path).AbsoluteUri);
        }
        else
        {
            json.WriteString("uri", Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal));
            json.WriteString("uriBaseId", "SRCROOT");
        }
        json.WriteEndObject();
    }

    private static void WriteRegion(Utf8JsonWriter json, LineIndex lines, TextSpan span)
    {
        var range = lines.GetRange(span);
        json.WriteStartObject("region");
        json.WriteNumber("startLine", range.Start.Line + 1);
        json.WriteNumber("startColumn", range.Start.Character + 1);
        json.WriteNumber("endLine", range.End.Line + 1);
        json.WriteNumber("endColumn", range.End.Character + 1);
        json.WriteNumber("charOffset", span.Start);
        json.WriteNumber("charLength", span.Length);
        json.WriteEndObject();
    }

    private static void WriteLocation(Utf8JsonWriter json, string path, LineIndex lines, TextSpan span, int? id, string? message)
    {
        json.WriteStartObject();
        if (id is { } i) json.WriteNumber("id", i);
        json.WriteStartObject("physicalLocation");
        WriteArtifact(json, path);
        WriteRegion(json, lines, span);
        json.WriteEndObject();
        if (message is not null)
        {
            json.WriteStartObject("message");
            json.WriteString("text", message);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteFix(Utf8JsonWriter json, Fix fix)
    {
        json.WriteStartObject();
        json.WriteStartObject("description");
        json.WriteString("text", fix.Title);
        json.WriteEndObject();
        json.WriteStartArray("artifactChanges");
        foreach (var group in fix.Edits.GroupBy(e => e.Path))
        {
            json.WriteStartObject();
            WriteArtifact(json, group.Key);
            json.WriteStartArray("replacements");
            foreach (var edit in group)
            {
                json.WriteStartObject();
                json.WriteStartObject("deletedRegion");
                json.WriteNumber("charOffset", edit.Span.Start);
                json.WriteNumber("charLength", edit.Span.Length);
                json.WriteEndObject();
                json.WriteStartObject("insertedContent");
                json.WriteString("text", edit.NewText);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
