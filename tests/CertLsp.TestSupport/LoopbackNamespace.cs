using System.Net.NetworkInformation;

namespace CertLsp.Bacnet.Tests;

/// <summary>
/// Every test that sends BACnet traffic calls <see cref="Require"/>: it fails loudly unless the test run is inside a
/// network namespace whose only interface is an up loopback (./test.sh runs this project under `unshare -n`), so no
/// datagram can reach a real network whatever a test does.
/// </summary>
internal static class LoopbackNamespace
{
    public const string Broadcast = "127.255.255.255";

    public static void Require()
    {
        var interfaces = NetworkInterface.GetAllNetworkInterfaces();
        var names = string.Join(", ", interfaces.Select(i => i.Name));
        if (interfaces.Length != 1 || interfaces[0].NetworkInterfaceType != NetworkInterfaceType.Loopback)
            throw new InvalidOperationException(
                $"REFUSING TO SEND BACnet TRAFFIC: this test must run in a network namespace with only loopback (found: {names}). " +
                "Run ./test.sh, or: unshare -n -- bash -c 'ip link set lo up && dotnet test tests/CertLsp.Bacnet.Tests'");
        if (interfaces[0].OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
            throw new InvalidOperationException("loopback is down in this namespace: run `ip link set lo up` first");
    }
}
