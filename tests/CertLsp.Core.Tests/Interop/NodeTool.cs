using System.Diagnostics;

namespace CertLsp.Core.Tests.Interop;

/// <summary>
/// Runs a script of tests/interop with node. The packages there (pinned in package-lock.json) are installed by
/// ./test.sh with `npm ci`; when they are missing the test fails loudly instead of passing or skipping.
/// </summary>
public static class NodeTool
{
    public static string InteropFolder => RepoPaths.Combine("tests", "interop");

    public static void RequirePackage(string package)
    {
        var folder = Path.Combine(InteropFolder, "node_modules", package);
        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException($"{folder} is missing: run `npm ci` in tests/interop (./test.sh does it) before these tests");
        }
    }

    /// <summary>Runs node with the arguments, feeding stdin; returns stdout. Fails on a non-zero exit or a timeout.</summary>
    public static string Run(string script, IEnumerable<string> arguments, string stdin, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = InteropFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(InteropFolder, script));
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} ran longer than {timeout}");
        }
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"node {script} exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
