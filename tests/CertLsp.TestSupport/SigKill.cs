using System.Diagnostics;

namespace CertLsp.TestSupport;

/// <summary>A child process's run that may have been SIGKILLed: whether it was, its exit code and output, and how long it had
/// worked.</summary>
public sealed record KillAttempt(bool Killed, int Exit, string Stdout, string Stderr, double WorkMs);

/// <summary>SIGKILL of a child process at a chosen moment of its work (shared by the reliability suite and the BACnet install kill
/// test).</summary>
public static class SigKill
{
    /// <summary>
    /// Starts the process; once <paramref name="begun"/> shows it has started its work, waits <paramref name="delayMs"/> and SIGKILLs it.
    /// Not killed when it finished first. <see cref="KillAttempt.WorkMs"/> is the time from the start of the work to the end.
    /// </summary>
    public static KillAttempt During(ProcessStartInfo info, Func<bool> begun, double delayMs)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && !begun() && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(1);
        var work = Stopwatch.StartNew();
        while (!process.HasExited && work.Elapsed.TotalMilliseconds < delayMs) Thread.Sleep(1);
        bool killed = false;
        if (!process.HasExited)
        {
            try
            {
                process.Kill(); // SIGKILL
                killed = true;
            }
            catch (InvalidOperationException)
            {
                // it exited between the check and the kill
            }
        }
        process.WaitForExit();
        double workMs = work.Elapsed.TotalMilliseconds;
        killed &= process.ExitCode is 137 or -1;
        return new KillAttempt(killed, process.ExitCode, stdout.Result, stderr.Result, workMs);
    }
}
