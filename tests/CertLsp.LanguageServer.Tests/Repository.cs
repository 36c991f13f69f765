using System.Diagnostics;

namespace CertLsp.LanguageServer.Tests;

/// <summary>Where things are in the repository, for tests that run real processes.</summary>
public static class Repository
{
    public static string Root => RepoPaths.Root;

    /// <summary>The CLI built in the same configuration as this test assembly.</summary>
    public static string CliDll => RepoPaths.CliDll;

    /// <summary>The npm peers under tests/interop, installed by ./test.sh (npm ci).</summary>
    public static string Interop
    {
        get
        {
            string folder = Path.Combine(Root, "tests", "interop");
            return Directory.Exists(Path.Combine(folder, "node_modules"))
                ? folder
                : throw new DirectoryNotFoundException($"{folder}/node_modules is missing: run ./test.sh, or `npm ci` in tests/interop");
        }
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> arguments, string? workingDirectory =
        null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory =
            workingDirectory ?? Root
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

}
