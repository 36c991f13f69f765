using System.Collections.Concurrent;
using CertLsp.Workflows.Files;

namespace CertLsp.Workflows.Tests.Files;

public sealed class IoParallelTests
{
    [Fact]
    public void Every_index_runs_once_and_waits_overlap()
    {
        var seen = new ConcurrentBag<int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IoParallel.For(16, 16, CancellationToken.None, i =>
        {
            Thread.Sleep(100);
            seen.Add(i);
        });
        Assert.Equal(Enumerable.Range(0, 16), seen.Order());
        Assert.True(clock.ElapsedMilliseconds < 1000, $"16 waits of 100 ms took {clock.ElapsedMilliseconds} ms: they did not overlap");
    }

    [Fact]
    public void A_failure_stops_the_work_and_is_thrown()
    {
        var error = Assert.Throws<AggregateException>(() => IoParallel.For(100, 4, CancellationToken.None, i =>
        {
            if (i == 3) throw new IOException("disk full");
        }));
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public void Cancellation_is_thrown_as_such()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        int ran = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => IoParallel.For(10, 2, cts.Token, _ => Interlocked.Increment(ref ran)));
        Assert.Equal(0, ran);
    }
}
