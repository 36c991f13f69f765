using CertLsp.Core.Tests.Interop;

namespace CertLsp.Cli.Tests.Packaging;

/// <summary>Builds the packages of the CLI the way a user would (dotnet pack, dotnet publish) and runs what they install.</summary>
internal static class Packaged
{
    /// <summary>The configuration these tests were built in: the packages are made from the same build (--no-build).</summary>
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public static string CliProject => RepoPaths.Combine("server", "CertLsp.Cli", "CertLsp.Cli.csproj");

    /// <summary>The example manifests of the repository, as paths relative to examples/ (what the packages must carry).</summary>
    public static string[] ExampleFiles =>
        [.. Directory.GetFiles(RepoPaths.Combine("examples"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepoPaths.Combine("examples"), f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    public static ProcessResult Run(string program, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string,
        string?>? environment,
        params string[] args) =>
        NodeTool.RunProcess(program, args, "", timeout, workingDirectory, environment);

    public static string Describe(ProcessResult r) => $"exit {r.ExitCode}\n--- stdout\n{r.Stdout}\n--- stderr\n{r.Stderr}";

    /// <summary>
    /// Runs a program in a new network namespace with only loopback up (as root, like the BACnet suite): the demo talks BACnet
    /// on 127.0.0.2 and up and broadcasts to 127.255.255.255, and nothing may leave the machine.
    /// </summary>
    public static ProcessResult RunInLoopbackNamespace(string program, string workingDirectory, TimeSpan timeout, params string[] args) =>
        Run("unshare", workingDirectory, timeout, null, ["-n", "--", "bash", "-c", "ip link set lo up && exec \"$0\" \"$@\"", program,
            .. args]);
}
