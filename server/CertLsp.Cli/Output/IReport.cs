using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;

namespace CertLsp.Cli.Output;

public interface IReport
{
    void Write(CheckResult result, TextWriter output);
}

internal static class Severities
{
    public static string Name(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Hint => "hint",
        _ => "info",
    };
}
