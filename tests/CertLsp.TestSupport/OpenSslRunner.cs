using System.Diagnostics;

namespace CertLsp.TestSupport;

/// <summary>Runs the openssl command line (tests that take OpenSSL as the referee; they need <see cref="Needs.OpenSsl"/>).</summary>
public static class OpenSslRunner
{
    /// <summary>Runs openssl with arguments; returns exit code and combined output.</summary>
    public static (int Exit, string Output) Run(params string[] args)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}
