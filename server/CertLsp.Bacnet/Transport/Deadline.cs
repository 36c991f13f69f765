using System.Diagnostics;

namespace CertLsp.Bacnet.Transport;

/// <summary>
/// A moment on the monotonic clock (<see cref="Stopwatch"/>) by which something must happen: a change of the wall clock (an NTP
/// step while commissioning) neither ends a wait early nor stretches it.
/// </summary>
internal readonly struct Deadline
{
    private readonly long timestamp;

    private Deadline(long timestamp) => this.timestamp = timestamp;

    public static Deadline After(TimeSpan timeout) => new(Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency));

    /// <summary>The time left; zero or less once passed.</summary>
    public TimeSpan Left => Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);

    public bool Passed => Stopwatch.GetTimestamp() >= timestamp;
}
