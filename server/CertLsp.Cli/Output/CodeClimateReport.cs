using System.Security.Cryptography;
using System.Text;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;

namespace CertLsp.Cli.Output;

/// <summary>
/// GitLab's code-quality report (the Code Climate issue subset GitLab reads): an array of issues with description, check_name,
/// fingerprint, severity (info, minor, major, critical, blocker) and location.path with location.lines.begin (1-based).
/// The fingerprint hashes the file, code, message and occurrence, not the line, so an insertion above leaves it unchanged.
/// </summary>
public sealed class CodeClimateReport : IReport
{
    public void Write(CheckResult result, TextWriter output)
    {
        IndentedJson.WriteLine(output, json =>
        {
            json.WriteStartArray();
            foreach (var file in result.Files)
            {
                var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var d in result.ByPath[file.Path])
                {
                    string identity = $"{d.Path}\n{d.Code}\n{d.Message}";
                    int occurrence = seen[identity] = seen.GetValueOrDefault(identity) + 1;
                    var range = file.Lines.GetRange(d.Span);
                    json.WriteStartObject();
                    json.WriteString("type", "issue");
                    json.WriteString("check_name", d.Code);
                    json.WriteString("description", $"{d.Code}: {d.Message}");
                    json.WriteStartArray("categories");
                    json.WriteStringValue("Bug Risk");
                    json.WriteEndArray();
                    json.WriteString("severity", d.Severity switch
                    {
                        DiagnosticSeverity.Error => "major",
                        DiagnosticSeverity.Warning => "minor",
                        _ => "info",
                    });
                    json.WriteString("fingerprint", Convert.ToHexStringLower(
                        SHA256.HashData(Encoding.UTF8.GetBytes($"{identity}\n{occurrence}")))[..32]);
                    json.WriteStartObject("location");
                    json.WriteString("path", d.Path);
                    json.WriteStartObject("lines");
                    json.WriteNumber("begin", range.Start.Line + 1);
                    json.WriteNumber("end", range.End.Line + 1);
                    json.WriteEndObject();
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
            }
            json.WriteEndArray();
        });
    }
}
