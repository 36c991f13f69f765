using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0104: the subject's email is a plain address with a valid DNS domain.</summary>
public sealed class EmailRuleTests
{
    [Theory]
    [InlineData("bms.test.example")]
    [InlineData("a@b@test.example")]
    [InlineData("@test.example")]
    [InlineData("bms@")]
    [InlineData("bms@localhost")]
    [InlineData(".bms@test.example")]
    [InlineData("john doe@test.example")]
    [InlineData("bms@test..example")]
    [InlineData("bms@test_site.example")]
    public void Invalid_addresses_are_reported_on_the_value_with_the_reason(string email)
    {
        string text = Sites.With(("email: bms@test.example", $"email: \"{email}\""));
        var d = Checks.Expect(text, "CL0104", (10, 9, 10, 11 + email.Length), $"\"{email}\"");
        Assert.Empty(d.Fixes);
    }

    [Theory]
    [InlineData("bms@test.example")]
    [InlineData("first.last+tag@sub.test-site.example")]
    [InlineData("o'brien@test.example")]
    public void Valid_addresses_pass(string email) => Checks.None(Sites.With(("email: bms@test.example", $"email: \"{email}\"")), "CL0104");

    [Fact]
    public void A_device_override_is_checked_on_its_own_line()
    {
        string text = Sites.With(("    instance: 1002\n", "    instance: 1002\n    subject: { email: ops }\n"));
        Checks.AssertRange(text, Checks.Single(text, "CL0104"), (20, 22, 20, 25), "ops");
    }
}
