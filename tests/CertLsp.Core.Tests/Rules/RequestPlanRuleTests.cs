using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0302: how many zips a request for every device makes, reported on the "devices" key.</summary>
public sealed class RequestPlanRuleTests
{
    [Fact]
    public void The_plan_is_an_information_on_the_devices_key()
    {
        var d = Checks.Single(Sites.Clean, "CL0302");
        Assert.Equal(Diagnostics.DiagnosticSeverity.Information, d.Severity);
        Checks.AssertRange(Sites.Clean, d, (14, 0, 14, 7), "devices");
        Assert.Empty(d.Fixes);
    }

    [Fact]
    public void No_devices_no_plan() => Checks.None(Sites.WithDevices(0) + "  []\n", "CL0302");
}
