namespace CertLsp.Core.Tests.Support;

/// <summary>Files of the source tree the tests read (baselines, docs): found by walking up to CertLsp.sln.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Baselines => Path.Combine(Root, "tests", "CertLsp.Core.Tests", "Baselines");

    public static string DiagnosticsDoc => Path.Combine(Root, "docs", "diagnostics.md");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CertLsp.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"CertLsp.sln not found above {AppContext.BaseDirectory}");
    }
}
