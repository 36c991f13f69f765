using CertLsp.Core.Tests.Interop;
using Xunit;

namespace CertLsp.Cli.Tests.Packaging;

/// <summary>
/// SLOW (one to several minutes on two cores: a self-contained ReadyToRun publish): scripts/publish-server.sh linux-x64 makes one
/// self-contained file `certlsp` that runs with no .NET installed. The other platforms' files are checked by
/// client/test/serverPackage.test.ts (headers, architecture, size) when `npm run package:all` has built them.
/// </summary>
[Trait("Duration", "slow")]
public sealed class SingleFileTests : WithTempFolder
{
    [Fact]
    public void The_linux_x64_single_file_checks_the_examples_with_no_dotnet_reachable()
    {
        Assert.True(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture
            == System.Runtime.InteropServices.Architecture.X64, "this test runs the linux-x64 build: it needs a linux-x64 machine");
        var out_ = Path.Combine(Temp.Path, "linux-x64");
        var publish = Packaged.Run(RepoPaths.Combine("scripts", "publish-server.sh"), RepoPaths.Root, TimeSpan.FromMinutes(20), null,
            "linux-x64", out_);
        Assert.True(publish.ExitCode == 0, Packaged.Describe(publish));

        // One file: the program, and the example sites for the demo; no runtime folder, no .dll, no .pdb beside it.
        var files = Directory.GetFiles(out_, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(out_, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        Assert.Equal(Packaged.ExampleFiles.Select(e => "examples/" + e).Append("certlsp").Order(StringComparer.Ordinal), files);
        var certlsp = Path.Combine(out_, "certlsp");
        Assert.True((File.GetUnixFileMode(certlsp) & UnixFileMode.UserExecute) != 0, "certlsp is not executable");

        // No dotnet reachable: in a mount namespace of its own a tmpfs hides /usr/share/dotnet (where /usr/bin/dotnet points and
        // where an app host looks for a runtime), and the environment is bare (no DOTNET_ROOT, PATH=/usr/bin:/bin).
        var work = Temp.Folder("work");
        const string Hidden = "mount -t tmpfs none /usr/share/dotnet && env -i PATH=/usr/bin:/bin HOME=\"$1\" sh -c " +
            "'if dotnet --version >/dev/null 2>&1; then echo dotnet is still reachable >&2; exit 9; fi; cd \"$HOME\" && exec \"$0\" " +
                "\"$@\"' \"$0\" \"${@:2}\"";
        ProcessResult Bare(string example) => Packaged.Run("unshare", work, TimeSpan.FromMinutes(2), null,
            "-m", "--propagation", "private", "--", "bash", "-c", Hidden, certlsp, work, "check", Cli.Example(example));
        var clean = Bare("riverside-campus");
        Assert.True(clean.ExitCode == 0, Packaged.Describe(clean));
        Assert.Contains("1 manifest checked: 0 errors", clean.Stdout, StringComparison.Ordinal);
        var errors = Bare("harbor-tower");
        Assert.True(errors.ExitCode == 1, Packaged.Describe(errors));
    }
}
