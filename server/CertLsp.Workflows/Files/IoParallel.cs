namespace CertLsp.Workflows.Files;

/// <summary>Runs I/O-bound work (waiting on fsync) on a few dedicated threads, so the waits overlap from the start.</summary>
internal static class IoParallel
{
    /// <summary>
    /// Runs <paramref name="body"/> for each index on up to <paramref name="threads"/> threads of their own (the thread pool grows too
    /// slowly for blocking waits) and completes when the last has finished: with an <see cref="AggregateException"/> holding the first
    /// failure (which stops the others taking new indexes), cancelled when <paramref name="cancellationToken"/> was, else successfully.
    /// </summary>
    public static Task ForAsync(int count, int threads, CancellationToken cancellationToken, Action<int> body)
    {
        int next = -1;
        int workers = Math.Clamp(count, 0, threads), running = workers;
        Exception? failure = null;
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Finish()
        {
            if (failure is not null) finished.SetException(new AggregateException(failure));
            else if (cancellationToken.IsCancellationRequested) finished.SetCanceled(cancellationToken);
            else finished.SetResult();
        }
        if (workers == 0) Finish();
        for (int t = 0; t < workers; t++)
        {
            new Thread(() =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count && Volatile.Read(ref failure) is null
                    && !cancellationToken.IsCancellationRequested)
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
                if (Interlocked.Decrement(ref running) == 0) Finish();
            })
            { IsBackground = true, Name = "certlsp-io" }.Start();
        }
        return finished.Task;
    }
}
