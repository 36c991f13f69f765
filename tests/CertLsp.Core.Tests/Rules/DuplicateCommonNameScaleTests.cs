using System.Text;
using CertLsp.Core.Checking;
using CertLsp.Core.Rules;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0201 with many copies of one name: each finding lists at most ten others, and every fix proposes its own name.</summary>
public sealed class DuplicateCommonNameScaleTests
{
    private static string Copies(int count)
    {
        var sb = new StringBuilder(
            "site: Copies\nsubject: {country: US, state: W, locality: M, organization: O, organizationalUnit: F}\ndevices:\n");
        for (int i = 0; i < count; i++) sb.Append("  - name: AHU-1\n");
        return sb.ToString();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(11)]
    public void Up_to_eleven_holders_each_finding_lists_all_the_others(int count)
    {
        var found = ManifestChecker.Check("copies.site.yaml", Copies(count)).All.Where(d => d.Code == "CL0201").ToList();
        Assert.Equal(count, found.Count);
        for (int i = 0; i < count; i++)
        {
            var expected = found.Where((_, j) => j != i).Select(d => d.Span);
            Assert.Equal(expected, found[i].Related.Select(r => r.Location.Span));
        }
    }

    [Fact]
    public void With_more_holders_each_finding_lists_the_first_ten_others()
    {
        var found = ManifestChecker.Check("copies.site.yaml", Copies(12)).All.Where(d => d.Code == "CL0201").ToList();
        Assert.Equal(12, found.Count);
        Assert.Equal(found.Skip(1).Take(10).Select(d => d.Span), found[0].Related.Select(r => r.Location.Span));
        Assert.Equal(found.Take(10).Select(d => d.Span), found[11].Related.Select(r => r.Location.Span));
        Assert.All(found, d => Assert.Equal(DuplicateCommonNameRule.MaxRelated, d.Related.Length));
    }

    [Fact]
    public void Three_thousand_copies_of_one_device_are_checked_with_a_distinct_name_offered_to_each_but_the_first()
    {
        var found = ManifestChecker.Check("copies.site.yaml", Copies(3_000)).All.Where(d => d.Code == "CL0201").ToList();
        Assert.Equal(3_000, found.Count);
        Assert.All(found, d => Assert.True(d.Related.Length <= DuplicateCommonNameRule.MaxRelated));
        var offered = found.Skip(1).Select(d => Assert.Single(d.Fixes).Title).ToList();
        Assert.Equal(offered.Count, offered.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal("Set the common name to “AHU-1-3000”", offered[^1]);
    }
}
