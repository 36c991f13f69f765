
namespace CertLsp.TestSupport;

/// <summary>What a test needs beyond the .NET SDK; each maps to a test category (a "Category" trait).</summary>
public enum Needs
{
    /// <summary>A network namespace whose only interface is loopback (category Network): BACnet traffic is sent.</summary>
    Namespace,

    /// <summary>Root, for a private mount namespace with tmpfs mounts (<c>unshare -m</c>; category Root).</summary>
    Root,

    /// <summary>The npm peers of tests/interop, installed by <c>npm ci</c> there, and node (category Interop).</summary>
    NpmPeers,

    /// <summary>@bacnet-js/client in tests/interop-bacnet, installed by <c>npm ci</c> there, and node (category Interop).</summary>
    BacnetPeer,

    /// <summary>tshark (Wireshark's dissectors) on PATH (category Interop).</summary>
    Tshark,

    /// <summary>The openssl command line on PATH (category Interop).</summary>
    OpenSsl,

    /// <summary>The pre-commit framework on PATH (Debian's pre-commit package; category Interop).</summary>
    PreCommit,
}

/// <summary>
/// Whether the preconditions of <see cref="Needs"/> hold on this machine, decided once per test process. A test whose
/// precondition is missing is skipped with the reason, except when <c>CERTLSP_REQUIRE_ALL=1</c> (./test.sh sets it): then it
/// runs and fails, so a run that should cover every category cannot pass by skipping one.
/// </summary>
public static class Preconditions
{
    public const string RequireAllVariable = "CERTLSP_REQUIRE_ALL";

    public static bool RequireAll => Environment.GetEnvironmentVariable(RequireAllVariable) == "1";

    private static readonly Dictionary<Needs, Lazy<string?>> Checks = new()
    {
        [Needs.Namespace] = new(LoopbackNamespace.Missing),
        [Needs.Root] = new(MissingRoot),
        [Needs.NpmPeers] = new(() => MissingFolder(RepoPaths.Combine("tests", "interop", "node_modules"), "tests/interop")
            ?? MissingProgram("node")),
        [Needs.BacnetPeer] = new(() =>
            MissingFolder(RepoPaths.Combine("tests", "interop-bacnet", "node_modules", "@bacnet-js", "client"), "tests/interop-bacnet")
            ?? MissingProgram("node")),
        [Needs.Tshark] = new(() => MissingProgram("tshark", "apt-get install tshark")),
        [Needs.OpenSsl] = new(() => MissingProgram("openssl", "apt-get install openssl")),
        [Needs.PreCommit] = new(() => MissingProgram("pre-commit", "apt-get install pre-commit; ./test.sh does")),
    };

    /// <summary>The test category of a need: Network, Root or Interop.</summary>
    public static string Category(Needs need) => need switch
    {
        Needs.Namespace => "Network",
        Needs.Root => "Root",
        _ => "Interop",
    };

    /// <summary>Why the first missing precondition of these is missing, or null when all hold.</summary>
    public static string? Missing(IEnumerable<Needs> needs) =>
        needs.Select(n => Checks[n].Value is { } why ? $"{Category(n)} test skipped: {why}" : null).FirstOrDefault(w => w is not null);

    /// <summary>The skip reason for a test with these needs: null when they hold or when every category is required.</summary>
    public static string? SkipReason(IEnumerable<Needs> needs) => RequireAll ? null : Missing(needs);

    private static string? MissingRoot()
    {
        if (!OperatingSystem.IsLinux()) return "needs Linux mount namespaces";
        if (!Environment.IsPrivilegedProcess) return "needs root (unshare -m mounts a private tmpfs); ./test.sh runs it as root";
        return MissingProgram("unshare", "util-linux");
    }

    private static string? MissingFolder(string folder, string where) =>
        Directory.Exists(folder) ? null : $"{folder} is missing: run `npm ci` in {where} (./test.sh does)";

    /// <summary>Whether a program is on PATH (an executable file of that name in one of its folders).</summary>
    private static string? MissingProgram(string program, string? install = null)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        bool found = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
        return found ? null : $"{program} is not on PATH{(install is null ? "" : $" ({install})")}";
    }
}
