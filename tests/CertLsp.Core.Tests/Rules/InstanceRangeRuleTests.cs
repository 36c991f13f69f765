using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0602: a device instance is 0..4194302.</summary>
public sealed class InstanceRangeRuleTests
{
    [Theory]
    [InlineData("4194303")]
    [InlineData("-1")]
    [InlineData("4194304")]
    [InlineData("99999999999999999999")]
    public void Out_of_range_instances_are_reported_on_the_value(string value)
    {
        string text = Sites.With(("instance: 1002", $"instance: {value}"));
        var d = Checks.Expect(text, "CL0602", (19, 14, 19, 14 + value.Length), value,
            $"Device instance “{value}” is outside 0..4194302 (4194303 is the wildcard and cannot name a device).");
        Assert.Empty(d.Fixes);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("4194302")]
    [InlineData("0x3FFFFE")]
    public void In_range_instances_pass(string value) => Checks.None(Sites.With(("instance: 1002", $"instance: {value}")), "CL0602");

    [Fact]
    public void Text_is_a_type_error_not_a_range_error()
    {
        string text = Sites.With(("instance: 1002", "instance: \"1002\""));
        Checks.None(text, "CL0602");
        Assert.Contains("must be a whole number", Checks.Single(text, "CL0003").Message, StringComparison.Ordinal);
    }
}
