using System.Text.Json;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Cli.Output;

/// <summary>An array of findings: file, LSP range (zero-based line, UTF-16 character), severity, code, message, related places,
/// fixes.</summary>
public sealed class JsonReport : IReport
{
    public void Write(CheckResult result, TextWriter output)
    {
        IndentedJson.WriteLine(output, json =>
        {
            json.WriteStartArray();
            foreach (var file in result.Files)
            {
                foreach (var d in result.ByPath[file.Path])
                {
                    json.WriteStartObject();
                    json.WriteString("file", d.Path);
                    WriteRange(json, file.Lines.GetRange(d.Span));
                    json.WriteString("severity", Severities.Name(d.Severity));
                    json.WriteString("code", d.Code);
                    json.WriteString("message", d.Message);
                    json.WriteString("documentation", d.Definition.DocumentationUri.ToString());
                    json.WriteStartArray("related");
                    foreach (var r in d.Related)
                    {
                        json.WriteStartObject();
                        json.WriteString("file", r.Location.Path);
                        WriteRange(json, (result.Lines(r.Location.Path) ?? file.Lines).GetRange(r.Location.Span));
                        json.WriteString("message", r.Message);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteStartArray("fixes");
                    foreach (var f in d.Fixes) json.WriteStringValue(f.Title);
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
            }
            json.WriteEndArray();
        });
    }

    private static void WriteRange(Utf8JsonWriter json, LineRange range)
    {
        json.WriteStartObject("range");
        json.WriteStartObject("start");
        json.WriteNumber("line", range.Start.Line);
        json.WriteNumber("character", range.Start.Character);
        json.WriteEndObject();
        json.WriteStartObject("end");
        json.WriteNumber("line", range.End.Line);
        json.WriteNumber("character", range.End.Character);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
