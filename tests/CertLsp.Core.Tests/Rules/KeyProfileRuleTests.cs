using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0501: the key must be one the CA profile accepts; the range is the setting to change.</summary>
public sealed class KeyProfileRuleTests
{
    [Fact]
    public void ECDSA_on_enos_points_at_the_algorithm_and_is_fixed_to_rsa()
    {
        string text = Sites.With(("profile: generic", "profile: enos"),
            ("algorithm: rsa\n  size: 2048", "algorithm: ecdsa\n  curve: P-256"));
        var d = Checks.Expect(text, "CL0501", (12, 13, 12, 18), "ecdsa");
        Assert.Equal("Change to “rsa”", Assert.Single(d.Fixes).Title);
        Assert.Contains("  algorithm: rsa\n", Checks.ApplyOnlyFix(text, d), StringComparison.Ordinal);
    }

    [Fact]
    public void A_curve_the_profile_lacks_points_at_the_curve_and_is_fixed_to_P256()
    {
        string text = Sites.With(("profile: generic", "profile: bacnet-sc"),
            ("algorithm: rsa\n  size: 2048", "algorithm: ecdsa\n  curve: P-384"));
        var d = Checks.Expect(text, "CL0501", (13, 9, 13, 14), "P-384");
        Assert.Contains("  curve: P-256\n", Checks.ApplyOnlyFix(text, d), StringComparison.Ordinal);
    }

    [Fact]
    public void An_RSA_size_enos_refuses_is_fixed_to_the_number_2048_not_the_text()
    {
        string text = Sites.With(("profile: generic", "profile: enos"), ("size: 2048", "size: 4096"));
        var d = Checks.Expect(text, "CL0501", (13, 8, 13, 12), "4096");
        string fixedText = Checks.ApplyOnlyFix(text, d);
        Assert.Contains("  size: 2048\n", fixedText, StringComparison.Ordinal);
        Assert.Empty(Checks.Errors(fixedText));
    }

    [Fact]
    public void In_a_flow_mapping_the_range_is_the_value_on_its_line()
    {
        string text = Sites.With(("profile: generic", "profile: enos"),
            ("key:\n  algorithm: rsa\n  size: 2048", "key: { algorithm: ecdsa }"));
        _ = Checks.Expect(text, "CL0501", (11, 18, 11, 23), "ecdsa");
    }

    [Theory]
    [InlineData("enos", "algorithm: rsa\n  size: 2048")]
    [InlineData("bacnet-sc", "algorithm: ecdsa\n  curve: P-256")]
    [InlineData("generic", "algorithm: ecdsa\n  curve: P-384")]
    [InlineData("generic", "algorithm: rsa\n  size: 4096")]
    public void Keys_the_profile_accepts_pass(string profile, string key) =>
        Assert.Empty(Checks.Errors(Sites.With(("profile: generic", $"profile: {profile}"), ("algorithm: rsa\n  size: 2048", key))));

    [Fact]
    public void Without_key_settings_the_default_RSA_2048_passes_every_profile()
    {
        string text = Sites.With(("profile: generic", "profile: enos"), ("key:\n  algorithm: rsa\n  size: 2048\n", ""));
        Assert.Empty(Checks.Errors(text));
    }
}
