using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0301: a named batch holds at most 50 devices; the fix splits it.</summary>
public sealed class BatchSizeRuleTests
{
    private static string Batch(int count, Func<int, string>? batchOf = null) =>
        Sites.WithDevices(count, i => $"    batch: {(batchOf ?? (_ => "east"))(i)}\n");

    [Fact]
    public void Fifty_devices_in_a_batch_pass() => Checks.None(Batch(50), "CL0301");

    [Fact]
    public void A_batch_of_120_is_reported_on_device_51_and_split_into_50_50_and_20()
    {
        string text = Batch(120);
        var d = Checks.Single(text, "CL0301");
        // Device i occupies lines 15 + 3(i-1) .. ; its batch value is the third line.
        Checks.AssertRange(text, d, (15 + 3 * 50 + 2, 11, 15 + 3 * 50 + 2, 15), "east");
        var related = Assert.Single(d.Related);
        Assert.Equal((17, 11, 17, 15), Checks.Range(text, related.Location.Span));

        var fix = Assert.Single(d.Fixes);
        Assert.Equal("Split into batches of at most 50 (“east”, “east-2”, “east-3”)", fix.Title);
        Assert.Equal(70, fix.Edits.Length);
        string fixedText = Checks.ApplyFix(text, d, fix);
        var batches = fixedText.Split('\n').Where(l => l.StartsWith("    batch: ", StringComparison.Ordinal)).Select(l => l[11..]).ToList();
        Assert.Equal([.. Enumerable.Repeat("east", 50), .. Enumerable.Repeat("east-2", 50), .. Enumerable.Repeat("east-3", 20)], batches);
        Checks.None(fixedText, "CL0301");
    }

    [Fact]
    public void The_split_skips_batch_names_already_in_use()
    {
        string text = Batch(52, i => i == 52 ? "east-2" : "east");
        var d = Checks.Single(text, "CL0301");
        Assert.Equal("Split into batches of at most 50 (“east”, “east-3”)", Assert.Single(d.Fixes).Title);
        string fixedText = Checks.ApplyOnlyFix(text, d);
        Assert.Contains("  - name: DEV-51\n    instance: 51\n    batch: east-3\n", fixedText, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_over_full_batch_is_reported_and_devices_without_a_batch_do_not_count()
    {
        string text = Batch(160, i => i % 2 == 0 ? "even" : i <= 100 ? "odd" : "none");
        text = text.Replace("    batch: none\n", "", StringComparison.Ordinal);
        var found = Checks.OfCode(text, "CL0301");
        Assert.Single(found);
    }
}
