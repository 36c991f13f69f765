namespace CertLsp.Core.Tests.Support;

/// <summary>Files of the source tree the tests read (baselines, docs): found by walking up to CertLsp.sln.</summary>
public static class RepoPaths
{
    public static string Root => Interop.RepoPaths.Root;

    public static string Baselines => Path.Combine(Root, "tests", "CertLsp.Core.Tests", "Baselines");

    public static string DiagnosticsDoc => Path.Combine(Root, "docs", "diagnostics.md");

}
