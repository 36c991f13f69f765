using CertLsp.Core.Rules;
using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>The tables the duplicate rules re-use between checks: empty when handed out, never shared, never holding a manifest.</summary>
public sealed class ScratchDictionaryTests
{
    [Fact]
    public void A_returned_table_comes_back_empty_to_the_next_rent_on_the_same_thread()
    {
        var firstLease = ScratchDictionary<string, object>.Rent(StringComparer.Ordinal);
        var first = firstLease.Table;
        first["kept?"] = new object();
        firstLease.Dispose();
        Assert.Empty(first); // nothing of the checked manifest stays reachable from the kept table

        using var secondLease = ScratchDictionary<string, object>.Rent(StringComparer.Ordinal);
        Assert.Same(first, secondLease.Table);
        Assert.Empty(secondLease.Table);
    }

    [Fact]
    public void A_table_in_use_is_never_handed_out_twice()
    {
        using var outer = ScratchDictionary<long, int>.Rent();
        using var inner = ScratchDictionary<long, int>.Rent();
        Assert.NotSame(outer.Table, inner.Table);
    }

    [Fact]
    public void A_table_is_only_re_used_with_the_comparer_it_was_made_with()
    {
        var ordinalLease = ScratchDictionary<string, int>.Rent(StringComparer.Ordinal);
        var ordinal = ordinalLease.Table;
        ordinalLease.Dispose();
        using var ignoringCase = ScratchDictionary<string, int>.Rent(StringComparer.OrdinalIgnoreCase);
        Assert.NotSame(ordinal, ignoringCase.Table);
        ignoringCase.Table["a"] = 1;
        Assert.True(ignoringCase.Table.ContainsKey("A"));
    }

    [Fact]
    public void A_table_taken_on_one_thread_is_not_handed_to_another_and_a_returned_one_serves_any_thread()
    {
        // Type arguments no rule uses, so checks running in parallel tests cannot take these tables.
        var mine = ScratchDictionary<short, string>.Rent();
        Dictionary<short, string>? theirs = null;
        RunOnOtherThread(() => theirs = ScratchDictionary<short, string>.Rent().Table);
        Assert.NotSame(mine.Table, theirs);
        mine.Dispose();
        ScratchDictionary<short, string>.Lease next = default;
        RunOnOtherThread(() => next = ScratchDictionary<short, string>.Rent());
        Assert.Same(mine.Table, next.Table); // one kept table for the process: no thread of the pool keeps tables of its own
        next.Dispose();
    }

    private static void RunOnOtherThread(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        thread.Join();
    }

    [Theory]
    [InlineData("CL0201")]
    [InlineData("CL0601")]
    [InlineData("CL0604")]
    public void Checking_the_same_site_again_finds_no_leftovers_of_the_first_check(string code)
    {
        // The rules that keep tables between checks must start from nothing: a table not emptied would make every device
        // of the second check a duplicate of itself from the first.
        Checks.None(Sites.Clean, code);
        Checks.None(Sites.Clean, code);
        string text = Sites.WithDevices(3, _ => "").Replace("instance: 2\n", "instance: 1\n");
        Assert.Single(Checks.OfCode(text, "CL0601"));
        Assert.Single(Checks.OfCode(text, "CL0601"));
    }
}
