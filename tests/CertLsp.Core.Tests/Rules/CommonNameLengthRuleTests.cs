using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0203: with the domain appended, a CN may have at most 64 characters.</summary>
public sealed class CommonNameLengthRuleTests
{
    // "bms.test.example" has 16 characters: with the dot, a name of 47 makes 64.
    [Fact]
    public void Sixty_four_characters_with_the_domain_pass_and_sixty_five_are_reported_on_the_name()
    {
        Checks.None(Sites.With(("name: AHU-2", $"name: {new string('n', 47)}")), "CL0203");
        string name = new('n', 48);
        string text = Sites.With(("name: AHU-2", $"name: {name}"));
        _ = Checks.Expect(text, "CL0203", (18, 10, 18, 58), name);
    }

    [Fact]
    public void An_explicit_commonName_is_the_range_and_a_domain_it_already_ends_with_is_not_counted_twice()
    {
        string cn = new string('c', 47) + ".bms.test.example";
        string text = Sites.With(("name: AHU-2", $"name: AHU-2\n    commonName: {cn}"));
        Checks.None(text, "CL0203");
        string longer = "x" + cn;
        text = Sites.With(("name: AHU-2", $"name: AHU-2\n    commonName: {longer}"));
        _ = Checks.Expect(text, "CL0203", (19, 16, 19, 16 + longer.Length), longer);
    }

    [Fact]
    public void Without_a_domain_the_rule_leaves_the_CN_to_the_length_rule() =>
        Checks.None(Sites.With(("domain: bms.test.example\n", ""), ("name: AHU-2", $"name: {new string('n', 70)}")), "CL0203");
}
