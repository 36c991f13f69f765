using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;

namespace CertLsp.Cli.Output;

/// <summary><c>path(line,col): error CL0201: message</c>, one-based, then a summary line.</summary>
public sealed class TextReport : IReport
{
    public void Write(CheckResult result, TextWriter output)
    {
        foreach (var file in result.Files)
        {
            foreach (var d in result.ByPath[file.Path])
            {
                var start = file.Lines.GetPosition(d.Span.Start);
                output.WriteLine($"{d.Path}({start.Line + 1},{start.Character + 1}): {Severities.Name(d.Severity)} {d.Code}: {d.Message}");
            }
        }
        int errors = result.Count(DiagnosticSeverity.Error), warnings = result.Count(DiagnosticSeverity.Warning);
        output.WriteLine(
            $"{result.Documents.Length} manifest{(result.Documents.Length == 1 ? "" : "s")} checked: {errors} " +
            $"error{(errors == 1 ? "" : "s")}, {warnings} warning{(warnings == 1 ? "" : "s")}.");
    }
}
