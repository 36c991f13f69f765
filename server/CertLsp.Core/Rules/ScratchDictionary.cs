namespace CertLsp.Core.Rules;

/// <summary>
/// A lookup table a rule needs for the length of one check (every CN, instance or address of a site), kept per thread and
/// emptied after use. A table of 10,000 entries has arrays too large for the small-object heap; allocating three of them on
/// every check made the runtime run a full collection almost every check (bench/results.md, "large-object churn").
/// </summary>
internal static class ScratchDictionary<TKey, TValue> where TKey : notnull
{
    /// <summary>Tables grown beyond this many entries (a 100,000-device site) are left to the collector instead of being kept.</summary>
    private const int MaxKeptCount = 1 << 17;

    [ThreadStatic]
    private static Dictionary<TKey, TValue>? kept;

    /// <summary>An empty table with this comparer: the thread's kept one when it has one, otherwise a new one.</summary>
    public static Dictionary<TKey, TValue> Rent(IEqualityComparer<TKey>? comparer = null)
    {
        var table = kept;
        if (table is not null && ReferenceEquals(table.Comparer, comparer ?? EqualityComparer<TKey>.Default))
        {
            kept = null;
            return table;
        }
        return new Dictionary<TKey, TValue>(comparer);
    }

    /// <summary>Empties the table (it holds no reference to the checked manifest after this) and keeps it for the thread's next check.</summary>
    public static void Return(Dictionary<TKey, TValue> table)
    {
        if (table.Count > MaxKeptCount) return;
        table.Clear();
        kept = table;
    }
}
