using System.Diagnostics;

namespace CertLsp.Core.Tests.Interop;

/// <summary>What a process printed and how it ended.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs the peers of tests/interop (node scripts, the SARIF validator) and other processes. The npm packages there
/// (pinned in package-lock.json) are installed by ./test.sh with `npm ci`; when they are missing the tests fail loudly.
/// </summary>
public static class NodeTool
{
    public static string InteropFolder => RepoPaths.Combine("tests", "interop");

    public static string RequirePackage(string package)
    {
        var folder = Path.Combine(InteropFolder, "node_modules", package);
        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException(
                $"{folder} is missing: run `npm ci` in tests/interop (./test.sh does it) before these tests");
        }
        return folder;
    }

    /// <summary>Runs a script of tests/interop with node, feeding stdin; returns stdout. Fails on a non-zero exit.</summary>
    public static string Run(string script, IEnumerable<string> arguments, string stdin, TimeSpan timeout)
    {
        var result = RunProcess("node", [Path.Combine(InteropFolder, script), .. arguments], stdin, timeout, InteropFolder);
        if (result.ExitCode != 0) throw new InvalidOperationException($"node {script} exited {result.ExitCode}: {result.Stderr}");
        return result.Stdout;
    }

    /// <summary>Runs a program to its end (killed after the timeout, which then fails the test).</summary>
    /// <param name="environment">Variables to set (a null value removes the variable), on top of this process's environment.</param>
    public static ProcessResult RunProcess(string program, IEnumerable<string> arguments, string stdin, TimeSpan timeout,
        string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} could not be started");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} ran longer than {timeout}");
        }
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
