using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace CertLsp.TestSupport;

/// <summary>
/// A fact that needs something beyond the .NET SDK (<see cref="Needs"/>): it carries the category trait of each need
/// (Category=Network, Root or Interop, for <c>dotnet test --filter</c>) and is skipped, with the reason, where a need is
/// missing, unless <c>CERTLSP_REQUIRE_ALL=1</c> (see <see cref="Preconditions"/>).
/// </summary>
[XunitTestCaseDiscoverer("Xunit.Sdk.FactDiscoverer", "xunit.execution.{Platform}")]
[TraitDiscoverer("CertLsp.TestSupport.NeedsTraitDiscoverer", "CertLsp.TestSupport")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class NeedsFactAttribute : FactAttribute, ITraitAttribute
{
    public NeedsFactAttribute(params Needs[] needs)
    {
        Needs = needs;
        Skip = Preconditions.SkipReason(needs);
    }

    public IReadOnlyList<Needs> Needs { get; }
}

/// <summary>A theory that needs something beyond the .NET SDK: as <see cref="NeedsFactAttribute"/>.</summary>
[XunitTestCaseDiscoverer("Xunit.Sdk.TheoryDiscoverer", "xunit.execution.{Platform}")]
[TraitDiscoverer("CertLsp.TestSupport.NeedsTraitDiscoverer", "CertLsp.TestSupport")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class NeedsTheoryAttribute : TheoryAttribute, ITraitAttribute
{
    public NeedsTheoryAttribute(params Needs[] needs)
    {
        Needs = needs;
        Skip = Preconditions.SkipReason(needs);
    }

    public IReadOnlyList<Needs> Needs { get; }
}

/// <summary>The Category traits of a <see cref="NeedsFactAttribute"/> or <see cref="NeedsTheoryAttribute"/>.</summary>
public sealed class NeedsTraitDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute)
    {
        var attribute = (traitAttribute as IReflectionAttributeInfo)?.Attribute;
        var needs = attribute switch
        {
            NeedsFactAttribute fact => fact.Needs,
            NeedsTheoryAttribute theory => theory.Needs,
            _ => [],
        };
        return needs.Select(Preconditions.Category).Distinct().Select(c => new KeyValuePair<string, string>("Category", c));
    }
}
