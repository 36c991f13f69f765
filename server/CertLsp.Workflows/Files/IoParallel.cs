namespace CertLsp.Workflows.Files;

/// <summary>Runs I/O-bound work (waiting on fsync) on a few dedicated threads, so the waits overlap from the start.</summary>
internal static class IoParallel
{
    public static void For(int count, int threads, CancellationToken cancellationToken, Action<int> body)
    {
        int next = -1;
        Exception? failure = null;
        var workers = new Thread[Math.Clamp(count, 0, threads)];
        for (int t = 0; t < workers.Length; t++)
        {
            workers[t] = new Thread(() =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count && failure is null && !cancellationToken.IsCancellationRequested)
                {
                    try
                    {
                        body(i);
                    }
                    catch (Exception ex)
                    {
                        Interlocked.CompareExchange(ref failure, ex, null);
                    }
                }
            })
            { IsBackground = true, Name = "certlsp-io" };
            workers[t].Start();
        }
        foreach (var worker in workers) worker.Join();
        if (failure is not null) throw new AggregateException(failure);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
