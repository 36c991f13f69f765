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
        Assert.Equal("2 devices will be requested in 1 zip.", d.Message);
        Assert.Empty(d.Fixes);
    }

    [Theory]
    [InlineData(1, "1 device will be requested in 1 zip.")]
    [InlineData(50, "50 devices will be requested in 1 zip.")]
    [InlineData(51, "51 devices will be requested in 2 zips (50, 1).")]
    [InlineData(120, "120 devices will be requested in 3 zips (50, 50, 20).")]
    public void The_message_counts_devices_and_zips(int devices, string message) =>
        Assert.Equal(message, Checks.Single(Sites.WithDevices(devices), "CL0302").Message);

    [Fact]
    public void No_devices_no_plan() => Checks.None(Sites.WithDevices(0) + "  []\n", "CL0302");
}
