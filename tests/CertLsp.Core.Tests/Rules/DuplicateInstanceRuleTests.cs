using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0601: BACnet device instances unique on the site, compared by value.</summary>
public sealed class DuplicateInstanceRuleTests
{
    [Fact]
    public void The_second_use_is_reported_with_the_first_as_related_location()
    {
        string text = Sites.With(("instance: 1002", "instance: 1001"));
        var d = Checks.Expect(text, "CL0601", (19, 14, 19, 18), "1001");
        var related = Assert.Single(d.Related);
        Assert.Equal((16, 14, 16, 18), Checks.Range(text, related.Location.Span));
    }

    [Fact]
    public void Numbers_are_compared_by_value_and_the_user_s_spelling_is_quoted()
    {
        string text = Sites.With(("instance: 1002", "instance: 0x3E9"));
        _ = Checks.Expect(text, "CL0601", (19, 14, 19, 19), "0x3E9");
    }

    [Fact]
    public void Every_later_use_is_reported_pointing_at_the_first()
    {
        string text = Sites.WithDevices(3, _ => "").Replace("instance: 2\n", "instance: 1\n").Replace("instance: 3\n", "instance: 1\n");
        var found = Checks.OfCode(text, "CL0601");
        Assert.Equal(2, found.Length);
        Assert.All(found, d => Assert.Equal((16, 14, 16, 15), Checks.Range(text, d.Related[0].Location.Span)));
    }

    [Fact]
    public void Distinct_instances_pass() => Checks.None(Sites.Clean, "CL0601");
}
