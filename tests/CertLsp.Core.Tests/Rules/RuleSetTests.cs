using CertLsp.Core.Rules;

namespace CertLsp.Core.Tests.Rules;

/// <summary>Every rule is registered once and has its own test class here.</summary>
public sealed class RuleSetTests
{
    private static readonly Type[] RuleTypes =
    [
        .. typeof(IManifestRule).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false }
                && (typeof(IManifestRule).IsAssignableFrom(t) || typeof(IWorkspaceRule).IsAssignableFrom(t))),
    ];

    [Fact]
    public void Every_rule_is_registered_exactly_once()
    {
        var registered = RuleSet.ManifestRules.Select(r => r.GetType()).Concat(RuleSet.WorkspaceRules.Select(r => r.GetType())).ToList();
        Assert.Equal(registered.Count, registered.Distinct().Count());
        Assert.Equal(RuleTypes.OrderBy(t => t.Name), registered.OrderBy(t => t.Name));
    }

    [Fact]
    public void Every_rule_and_structural_check_has_a_test_class()
    {
        var testClasses = typeof(RuleSetTests).Assembly.GetTypes().Select(t => t.FullName).ToHashSet();
        var subjects = RuleTypes.Select(t => t.Name).Append("SchemaValidator").Append("YamlReader");
        Assert.All(subjects, name => Assert.Contains($"CertLsp.Core.Tests.Rules.{name}Tests", testClasses));
    }
}
