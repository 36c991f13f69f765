using System.Diagnostics.Tracing;

/// <summary>
/// The TLS handshakes of this process (client and server sides each count one) from .NET's own “System.Net.Security” event
/// counters, read in process: how many handshakes a step really made (a join that timed out and was tried again makes more) and how
/// many failed. Only the counters are enabled (no per-handshake events); they are published every 0.2 s, so <see cref="SnapshotAsync"/>
/// waits for a fresh value.
/// </summary>
internal sealed class TlsCounters : EventListener
{
    private double total, failed;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "System.Net.Security")
            EnableEvents(eventSource, EventLevel.Critical, EventKeywords.None,
                new Dictionary<string, string?> { ["EventCounterIntervalSec"] = "0.2" });
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "EventCounters" || eventData.Payload?.FirstOrDefault() is not IDictionary<string, object> counter)
            return;
        if (counter.TryGetValue("Name", out var name) && counter.TryGetValue("Mean", out var mean) && mean is double value)
        {
            if (name is "total-tls-handshakes") Volatile.Write(ref total, value);
            else if (name is "failed-tls-handshakes") Volatile.Write(ref failed, value);
        }
    }

    /// <summary>Handshakes so far and failed so far, once the counters have been published after this call.</summary>
    public async Task<(long Total, long Failed)> SnapshotAsync()
    {
        await Task.Delay(600);
        return ((long)Volatile.Read(ref total), (long)Volatile.Read(ref failed));
    }
}
