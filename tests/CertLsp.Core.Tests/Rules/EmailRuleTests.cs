using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0104: the subject's email is a plain address with a valid DNS domain.</summary>
public sealed class EmailRuleTests
{
    [Theory]
    [InlineData("bms.test.example", "it has no “@”")]
    [InlineData("a@b@test.example", "it has more than one “@”")]
    [InlineData("@test.example", "nothing stands before the “@”")]
    [InlineData("bms@", "nothing stands after the “@”")]
    [InlineData("bms@localhost", "the domain “localhost” has no dot")]
    [InlineData(".bms@test.example", "the part before the “@” has a misplaced dot")]
    [InlineData("john doe@test.example", "“ ” is not allowed before the “@”")]
    [InlineData("bms@test..example", "it has an empty label (two dots in a row)")]
    [InlineData("bms@test_site.example",
        "“_” is not allowed (letters, digits and hyphens only; use the punycode form of an international name)")]
    public void Invalid_addresses_are_reported_on_the_value_with_the_reason(string email, string reason)
    {
        string text = Sites.With(("email: bms@test.example", $"email: \"{email}\""));
        var d = Checks.Expect(text, "CL0104", (10, 9, 10, 11 + email.Length), $"\"{email}\"",
            $"The email address “{email}” is not valid: {reason}. Write it as name@domain.example.");
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
