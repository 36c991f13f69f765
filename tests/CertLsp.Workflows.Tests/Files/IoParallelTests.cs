using System.Collections.Concurrent;
using Xunit;
using CertLsp.Workflows.Files;

namespace CertLsp.Workflows.Tests.Files;

public sealed class IoParallelTests
{
    [Fact]
    public async Task Every_index_runs_once_and_waits_overlap()
    {
        var seen = new ConcurrentBag<int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await IoParallel.ForAsync(16, 16, CancellationToken.None, i =>
        {
            Thread.Sleep(100);
            seen.Add(i);
        });
        Assert.Equal(Enumerable.Range(0, 16), seen.Order());
        Assert.True(clock.ElapsedMilliseconds < 1000, $"16 waits of 100 ms took {clock.ElapsedMilliseconds} ms: they did not overlap");
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
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => IoParallel.ForAsync(10, 2, cts.Token, _ => Interlocked.Increment(ref ran)));
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
