using System.Diagnostics;

namespace CertLsp.Reliability.Tests.Support;

/// <summary>
/// Runs a shell script in a private mount namespace (<c>unshare -m</c>), where it may mount a small tmpfs (a disk that fills up)
/// or remount a folder read-only without touching the machine's mounts. Root bypasses permission bits, so read-only means a
/// read-only mount here, not chmod. Variables are passed in the environment; $CERTLSP is the command line of the built CLI.
/// </summary>
public static class PrivateMount
{
    public static (int Exit, string Output) Run(string script, IReadOnlyDictionary<string, string> variables)
    {
        using var process = Start(script, variables);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the script did not finish in 2 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>
    /// Starts the script with its standard streams redirected (a language server talks over them). unshare execs the shell, so
    /// <c>/proc/&lt;Id&gt;/root</c> sees the namespace's mounts: the test can look into (and make room on) its private tmpfs.
    /// </summary>
    public static Process Start(string script, IReadOnlyDictionary<string, string> variables)
    {
        var info = new ProcessStartInfo("unshare")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-m", "--propagation", "private", "sh", "-uc", script }) info.ArgumentList.Add(a);
        foreach (var (k, v) in variables) info.Environment[k] = v;
        info.Environment["CERTLSP"] = $"dotnet {CliProcess.Dll}";
        info.Environment.Remove(Workflows.Certificates.KeyStore.PassphraseVariable);
        return Process.Start(info)!;
    }

    /// <summary>A path inside the namespace of a process started by <see cref="Start"/>, as this process reaches it.</summary>
    public static string Inside(Process process, string path) => $"/proc/{process.Id}/root{path}";
}
