using System.Diagnostics;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Reliability.Tests.Support;

/// <summary>The built CLI (server/CertLsp.Cli/bin/&lt;configuration&gt;/net10.0/certlsp.dll) run as a real child process.</summary>
public static class CliProcess
{
    public static string Dll => RepoPaths.CliDll;

    public static ProcessStartInfo Info(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove(KeyStore.PassphraseVariable);
        return info;
    }

    public static Process Start(params string[] args) => Process.Start(Info(args))!;

    /// <summary>Runs to the end; both streams are read concurrently.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(ProcessStartInfo info)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException($"{string.Join(' ', info.ArgumentList)} did not finish in 2 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public static (int Exit, string Stdout, string Stderr) Run(params string[] args) => Run(Info(args));

}

