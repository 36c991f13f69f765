namespace CertLsp.TestSupport;

/// <summary>
/// The one repository-root finder of the test projects: the folder above the test assembly that holds CertLsp.sln, and the
/// files the tests read there (examples, schemas, baselines, docs, the npm peers, the built CLI).
/// </summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The expected outputs of the checker (tests/CertLsp.Core.Tests/Baselines).</summary>
    public static string Baselines => Combine("tests", "CertLsp.Core.Tests", "Baselines");

    public static string DiagnosticsDoc => Combine("docs", "diagnostics.md");

    public static string Examples => Combine("examples");

    /// <summary>The CLI built in the configuration of this test assembly (bin/&lt;configuration&gt;/net10.0).</summary>
    public static string CliDll
    {
        get
        {
            string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            string dll = Combine("server", "CertLsp.Cli", "bin", configuration, "net10.0", "certlsp.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"the CLI is not built at {dll}; build the solution first");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CertLsp.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no CertLsp.sln above {AppContext.BaseDirectory}");
    }
}
