using System.Text;
using CertLsp.Core.Tests.Interop;

namespace CertLsp.Cli.Tests;

/// <summary>Runs the command line in-process (<see cref="Program.RunAsync"/>) or as its own process (dotnet certlsp.dll).</summary>
public static class Cli
{
    public sealed record Outcome(int Exit, string Stdout, string Stderr)
    {
        public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

        public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

        public override string ToString() => $"exit {Exit}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    /// <summary>Runs the command line in-process to its end, as a shell does (it waits for the command's task).</summary>
    public static async Task<Outcome> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await Program.RunAsync(args, stdout, stderr);
        return new Outcome(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The built CLI beside the tests (the test project references it, so certlsp.dll and its runtimeconfig are copied
    /// here).</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "certlsp.dll");

    public static Outcome RunProcess(string workingDirectory, params string[] args)
    {
        var result = NodeTool.RunProcess("dotnet", [Dll, .. args], "", TimeSpan.FromSeconds(120), workingDirectory);
        return new Outcome(result.ExitCode, result.Stdout, result.Stderr);
    }

    public static string Example(string folder) => RepoPaths.Combine("examples", folder);

    /// <summary>Runs git in <paramref name="repo"/> as a throwaway identity (no signing) and asserts it succeeded; returns its
    /// stdout.</summary>
    public static string Git(string repo, params string[] args)
    {
        var result = NodeTool.RunProcess("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false",
            .. args], "", TimeSpan.FromSeconds(60), repo);
        Xunit.Assert.True(result.ExitCode == 0, $"git {string.Join(' ', args)}: {result.Stderr}");
        return result.Stdout;
    }
}

/// <summary>A temporary folder of manifests for one test class, deleted afterwards. Nothing generated is committed.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("certlsp-cli-").FullName;

    public string Write(string name, string text) => WriteBytes(name, new UTF8Encoding(false).GetBytes(text));

    public string WriteBytes(string name, byte[] bytes)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string Folder(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>A test class with its own temporary folder (xunit makes one instance per test, so one folder per test).</summary>
public abstract class WithTempFolder : IDisposable
{
    protected TempFolder Temp { get; } = new();

    public void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
