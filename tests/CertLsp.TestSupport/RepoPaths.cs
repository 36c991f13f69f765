namespace CertLsp.Core.Tests.Interop;

/// <summary>Files of the repository the tests read (examples, the schema, the npm interop peers).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CertLsp.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no CertLsp.sln above {AppContext.BaseDirectory}");
    }
}
