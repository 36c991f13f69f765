namespace CertLsp.Core.Diagnostics;

/// <summary>A severity as reports write it: error, warning, hint, info.</summary>
public static class Severities
{
    public static string Name(DiagnosticSeverity severity) => severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Hint => "hint",
        _ => "info",
    };
}
