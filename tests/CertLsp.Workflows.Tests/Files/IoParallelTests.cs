using System.Collections.Concurrent;
using CertLsp.Workflows.Files;

namespace CertLsp.Workflows.Tests.Files;

public sealed class IoParallelTests
{
    [Fact]
    public async Task Every_index_runs_once_and_all_sixteen_bodies_run_at_the_same_time()
    {
        // Each body waits until all 16 have entered: that can only end if 16 bodies run at once. The wait's bound only
        // guards against a hang (bodies run one after another would wait forever); no time is measured.
        var seen = new ConcurrentBag<int>();
        using var entered = new CountdownEvent(16);
        int running = 0, mostAtOnce = 0;
        await IoParallel.ForAsync(16, 16, CancellationToken.None, i =>
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
    public async Task No_more_bodies_run_at_once_than_threads_are_asked_for()
    {
        int running = 0, mostAtOnce = 0;
        await IoParallel.ForAsync(64, 4, CancellationToken.None, _ =>
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
    public async Task A_failure_stops_the_work_and_is_thrown()
    {
        var error = await Assert.ThrowsAsync<AggregateException>(() => IoParallel.ForAsync(100, 4, CancellationToken.None, i =>
        {
            if (i == 3) throw new IOException("disk full");
        }));
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public async Task Cancellation_is_thrown_as_such()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        int ran = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            IoParallel.ForAsync(10, 2, cts.Token, _ => Interlocked.Increment(ref ran)));
        Assert.Equal(0, ran);
    }

    [Fact]
    public async Task Nothing_to_do_completes_at_once()
    {
        int ran = 0;
        var task = IoParallel.ForAsync(0, 4, CancellationToken.None, _ => Interlocked.Increment(ref ran));
        Assert.True(task.IsCompletedSuccessfully);
        await task;
        Assert.Equal(0, ran);
    }

    [Fact]
    public async Task The_caller_is_not_blocked_while_the_threads_wait()
    {
        // The task is returned while the work still waits: the caller's thread is free (no Join on the workers).
        using var release = new ManualResetEventSlim();
        var task = IoParallel.ForAsync(2, 2, CancellationToken.None, _ => release.Wait());
        Assert.False(task.IsCompleted);
        release.Set();
        await task;
        Assert.True(task.IsCompletedSuccessfully);
    }
}
