using System.Net;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Devices;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>
/// What <c>--timeout SECONDS</c> (csr, import, install) gives the BACnet client: the attempts and the wait of each. The
/// commands' tests count the attempts a silent device hears; the waits are held here, without a clock.
/// </summary>
public class DeviceTimeoutTests
{
    private static readonly BacnetClientOptions Options = new(BipEndpoint.From(new IPEndPoint(IPAddress.Loopback, 0)), null);

    [Theory]
    [InlineData(0.6, 200)]
    [InlineData(DeviceTimeout.DefaultSeconds, 1000)]
    [InlineData(0.03, 10)]
    public void The_timeout_is_shared_by_three_attempts(double seconds, int apduTimeoutMs)
    {
        var applied = DeviceTimeout.Apply(Options, seconds);
        Assert.Equal(apduTimeoutMs, applied.ApduTimeout.TotalMilliseconds, precision: 3); // seconds / 3, to the tick
        Assert.Equal(DeviceTimeout.Attempts - 1, applied.Retries);
        Assert.Equal(3, DeviceTimeout.Attempts);
        Assert.Equal(Options with { ApduTimeout = applied.ApduTimeout, Retries = applied.Retries }, applied); // nothing else changes
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.029)]
    [InlineData(600.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_timeout_outside_its_range_is_refused(double seconds) =>
        Assert.Equal("--timeout must be between 0.03 and 600 seconds", DeviceTimeout.Check(seconds));

    [Theory]
    [InlineData(0.03)]
    [InlineData(600.0)]
    public void The_ends_of_the_range_are_accepted(double seconds) => Assert.Null(DeviceTimeout.Check(seconds));
}
