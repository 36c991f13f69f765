namespace CertLsp.Core.Rules;

/// <summary>
/// A lookup table a rule needs for the length of one check (every CN, instance or address of a site), kept between checks
/// and emptied after use. A table of 10,000 entries has arrays too large for the small-object heap; allocating three of them on
/// every check made the runtime run a full collection almost every check (bench/results.md, "Large-object churn").
/// One table per kind is kept for the process: a check takes it (a check running meanwhile on another thread makes its own)
/// and puts it back, so no thread of the pool keeps tables of its own.
/// </summary>
internal static class ScratchDictionary<TKey, TValue> where TKey : notnull
{
    /// <summary>A table grown beyond this many entries (a site of more than 131,072 devices) is left to the collector instead of being
    /// kept.</summary>
    private const int MaxKeptCount = 1 << 17;

    private static Dictionary<TKey, TValue>? kept;

    /// <summary>
    /// An empty table with this comparer, for a <c>using</c>: the kept one when it is free and made with the same comparer,
    /// otherwise a new one.
    /// </summary>
    public static Lease Rent(IEqualityComparer<TKey>? comparer = null)
    {
        var table = Interlocked.Exchange(ref kept, null);
        if (table is not null && ReferenceEquals(table.Comparer, comparer ?? EqualityComparer<TKey>.Default)) return new Lease(table);
        if (table is not null) Interlocked.CompareExchange(ref kept, table, null); // another comparer's: leave it for its owner
        return new Lease(new Dictionary<TKey, TValue>(comparer));
    }

    /// <summary>A rented table; disposing the lease empties the table and keeps it for the next check.</summary>
    public readonly struct Lease(Dictionary<TKey, TValue> table) : IDisposable
    {
        public Dictionary<TKey, TValue> Table => table;

        public void Dispose() => Return(table);
    }

    /// <summary>Empties the table (it holds no reference to the checked manifest after this) and keeps it for the next check.</summary>
    private static void Return(Dictionary<TKey, TValue> table)
    {
        if (table.Count > MaxKeptCount) return;
        table.Clear();
        Volatile.Write(ref kept, table);
    }
}
