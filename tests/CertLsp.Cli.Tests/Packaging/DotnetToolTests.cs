using System.IO.Compression;
using Xunit;

namespace CertLsp.Cli.Tests.Packaging;

/// <summary>
/// SLOW (about 20-60 s on two cores): `dotnet pack` of the CLI makes the .NET tool package CertLsp; installed with
/// `dotnet tool install` from a local feed into an empty tool path it gives a `certlsp` that checks the examples and runs the demo.
/// </summary>
[Trait("Duration", "slow")]
public sealed class DotnetToolTests : WithTempFolder
{
    private static readonly TimeSpan Minutes = TimeSpan.FromMinutes(5);

    [Fact]
    public void The_tool_package_installs_into_an_empty_tool_path_and_runs_check_and_demo()
    {
        var feed = Temp.Folder("feed");
        var pack = Packaged.Run("dotnet", RepoPaths.Root, Minutes, null,
            "pack", Packaged.CliProject, "-c", Packaged.Configuration, "--no-build", "-o", feed, "--nologo", "-v", "quiet");
        Assert.True(pack.ExitCode == 0, Packaged.Describe(pack));
        var package = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
        Assert.StartsWith("CertLsp.", Path.GetFileName(package), StringComparison.Ordinal);

        // The package carries the command and the example sites the demo works on (the schema is embedded in CertLsp.Core.dll).
        using (var zip = ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("tools/net10.0/any/certlsp.dll", entries);
            Assert.Contains("tools/net10.0/any/CertLsp.Core.dll", entries);
            Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", entries);
            foreach (var example in Packaged.ExampleFiles) Assert.Contains("tools/net10.0/any/examples/" + example, entries);
            using var settings = new StreamReader(zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open());
            Assert.Contains("<Command Name=\"certlsp\" EntryPoint=\"certlsp.dll\"", settings.ReadToEnd(), StringComparison.Ordinal);
        }

        // Only the local feed, and a package cache of its own: an older CertLsp 0.1.0 cached elsewhere must not stand in.
        var tools = Temp.Folder("tools");
        var config = Temp.Write("nuget.config",
            $"<configuration><packageSources><clear /><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>");
        var isolated = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Temp.Folder("nuget-packages") };
        var install = Packaged.Run("dotnet", Temp.Path, Minutes, isolated,
            "tool", "install", "--tool-path", tools, "--configfile", config, "--add-source", feed, "CertLsp");
        Assert.True(install.ExitCode == 0, Packaged.Describe(install));
        var certlsp = Path.Combine(tools, OperatingSystem.IsWindows() ? "certlsp.exe" : "certlsp");
        Assert.True(File.Exists(certlsp), $"no {certlsp} after the install:\n{Packaged.Describe(install)}");

        // A working folder away from the repository: the tool must not lean on a clone.
        var work = Temp.Folder("work");
        var clean = Packaged.Run(certlsp, work, Minutes, null, "check", Cli.Example("riverside-campus"));
        Assert.True(clean.ExitCode == 0, Packaged.Describe(clean));
        Assert.Contains("1 manifest checked: 0 errors", clean.Stdout, StringComparison.Ordinal);
        var errors = Packaged.Run(certlsp, work, Minutes, null, "check", Cli.Example("harbor-tower"));
        Assert.True(errors.ExitCode == 1, Packaged.Describe(errors));

        var demo = Packaged.RunInLoopbackNamespace(certlsp, work, Minutes, "demo");
        Assert.True(demo.ExitCode == 0, Packaged.Describe(demo));
        Assert.Contains("installed each certificate on its device", demo.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(work));
    }
}
