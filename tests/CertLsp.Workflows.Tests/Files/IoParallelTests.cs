using System.Collections.Concurrent;
using Xunit;
using CertLsp.Workflows.Files;

namespace CertLsp.Workflows.Tests.Files;

public sealed class IoParallelTests
{
    [Fact]
    public void Every_index_runs_once_and_all_sixteen_bodies_run_at_the_same_time()
    {
        // Each body waits until all 16 have entered: that can only end if 16 bodies run at once. The wait's bound only
        // guards against a hang (bodies run one after another would wait forever); no time is measured.
        var seen = new ConcurrentBag<int>();
        using var entered = new CountdownEvent(16);
        int running = 0, mostAtOnce = 0;
        IoParallel.For(16, 16, CancellationToken.None, i =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            entered.Signal();
            bool all = entered.Wait(TimeSpan.FromMinutes(2));
            Interlocked.Decrement(ref running);
            Assert.True(all, $"only {16 - entered.CurrentCount} of 16 bodies entered: they do not overlap");
            seen.Add(i);
        });
        Assert.Equal(Enumerable.Range(0, 16), seen.Order());
        Assert.Equal(16, mostAtOnce);
    }

    [Fact]
    public void No_more_bodies_run_at_once_than_threads_are_asked_for()
    {
        int running = 0, mostAtOnce = 0;
        IoParallel.For(64, 4, CancellationToken.None, _ =>
        {
            InterlockedMax(ref mostAtOnce, Interlocked.Increment(ref running));
            Thread.Yield();
            Interlocked.Decrement(ref running);
        });
        Assert.InRange(mostAtOnce, 1, 4);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
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
