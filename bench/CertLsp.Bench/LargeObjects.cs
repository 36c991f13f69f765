using System.Diagnostics.Tracing;
using System.Globalization;
using CertLsp.Core.Checking;

namespace CertLsp.Bench;

/// <summary>
/// Which arrays a warm check puts on the large-object heap, sampled from the runtime's allocation ticks (one per ~100 KB
/// allocated there). Large objects are collected only with generation 2, so a check that makes them each time runs full
/// collections: this is how the 2.8 MB per check of the duplicate rules' growing tables was found.
/// </summary>
public static class LargeObjects
{
    public static void Run(string text, TextWriter output)
    {
        const int rounds = 10;
        for (int i = 0; i < 5; i++) Check(text);
        using var listener = new AllocationTicks();
        Thread.Sleep(500);
        listener.Listening = true;
        for (int i = 0; i < rounds; i++) Check(text);
        Thread.Sleep(1000); // the runtime's events arrive on another thread
        listener.Listening = false;
        output.WriteLine(
            $"large-object-heap allocation ticks per check (each ~100 KB), by type of the object that crossed; " +
            $"{listener.SmallTicks / (double)rounds:F1} ticks of small objects per check");
        if (listener.Large.Count == 0) output.WriteLine("none");
        foreach (var (type, count) in listener.Large.OrderByDescending(x => x.Value))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count / (double)rounds,6:F1}  {type}"));
        }
    }

    private static void Check(string text) => ManifestChecker.Check([ManifestDocument.Parse("bench.site.yaml", text)]);

    private sealed class AllocationTicks : EventListener
    {
        public readonly Dictionary<string, int> Large = [];
        public int SmallTicks;
        public volatile bool Listening;

        protected override void OnEventSourceCreated(EventSource source)
        {
            // GC keyword
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (!Listening || e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.Payload is null
                || e.PayloadNames is null) return;
            int kind = Convert.ToInt32(e.Payload[e.PayloadNames.IndexOf("AllocationKind")], CultureInfo.InvariantCulture);
            lock (Large)
            {
                if (kind != 1) { SmallTicks++; return; }
                string type = e.Payload[e.PayloadNames.IndexOf("TypeName")]?.ToString() ?? "?";
                Large[type] = Large.GetValueOrDefault(type) + 1;
            }
        }
    }
}
