namespace CertLsp.TestSupport;

/// <summary>How long tests wait for an event before they call it a hang.</summary>
public static class Waits
{
    /// <summary>
    /// Minutes, not a bound on speed: a wait that ends by an event (an answer, a notification, a file, a process's line) is
    /// guarded by this only so that a hang fails with a message instead of stalling the run. Keep it generous: the machines
    /// that run the suite are shared and loaded.
    /// </summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);
}
