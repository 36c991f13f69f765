using CertLsp.Core.Rules;
using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>The per-thread tables the duplicate rules re-use between checks: empty when handed out, never shared, never holding a manifest.</summary>
public sealed class ScratchDictionaryTests
{
    [Fact]
    public void A_returned_table_comes_back_empty_to_the_next_rent_on_the_same_thread()
    {
        var first = ScratchDictionary<string, object>.Rent(StringComparer.Ordinal);
        first["kept?"] = new object();
        ScratchDictionary<string, object>.Return(first);
        Assert.Empty(first); // nothing of the checked manifest stays reachable from the kept table

        var second = ScratchDictionary<string, object>.Rent(StringComparer.Ordinal);
        Assert.Same(first, second);
        Assert.Empty(second);
        ScratchDictionary<string, object>.Return(second);
    }

    [Fact]
    public void A_table_in_use_is_never_handed_out_twice()
    {
        var outer = ScratchDictionary<long, int>.Rent();
        var inner = ScratchDictionary<long, int>.Rent();
        Assert.NotSame(outer, inner);
        ScratchDictionary<long, int>.Return(inner);
        ScratchDictionary<long, int>.Return(outer);
    }

    [Fact]
    public void A_table_is_only_re_used_with_the_comparer_it_was_made_with()
    {
        var ordinal = ScratchDictionary<string, int>.Rent(StringComparer.Ordinal);
        ScratchDictionary<string, int>.Return(ordinal);
        var ignoringCase = ScratchDictionary<string, int>.Rent(StringComparer.OrdinalIgnoreCase);
        Assert.NotSame(ordinal, ignoringCase);
        ignoringCase["a"] = 1;
        Assert.True(ignoringCase.ContainsKey("A"));
        ScratchDictionary<string, int>.Return(ignoringCase);
    }

    [Fact]
    public void Threads_have_tables_of_their_own()
    {
        var mine = ScratchDictionary<long, int>.Rent();
        ScratchDictionary<long, int>.Return(mine);
        Dictionary<long, int>? theirs = null;
        var thread = new Thread(() => { theirs = ScratchDictionary<long, int>.Rent(); });
        thread.Start();
        thread.Join();
        Assert.NotSame(mine, theirs);
    }

    [Theory]
    [InlineData("CL0201")]
    [InlineData("CL0601")]
    [InlineData("CL0603")]
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
