using System.Net.NetworkInformation;

namespace CertLsp.TestSupport;

/// <summary>
/// Every test that sends BACnet traffic is marked <c>[NeedsFact(Needs.Namespace)]</c> (skipped outside a namespace) and calls
/// <see cref="Require"/>: it fails loudly unless the test run is inside a network namespace whose only interface is an up
/// loopback (./test.sh runs the tests of category Network under `unshare -n`), so no datagram can reach a real network
/// whatever a test does.
/// </summary>
public static class LoopbackNamespace
{
    public const string Broadcast = "127.255.255.255";

    public const string HowToRun =
        "run ./test.sh, or: sudo unshare -n -- bash -c 'ip link set lo up && dotnet test tests/CertLsp.Bacnet.Tests --filter " +
            "Category=Network'";

    /// <summary>Why this process is not in a loopback-only network namespace, or null when it is.</summary>
    public static string? Missing()
    {
        var interfaces = NetworkInterface.GetAllNetworkInterfaces();
        if (interfaces.Length != 1 || interfaces[0].NetworkInterfaceType != NetworkInterfaceType.Loopback)
            return $"not in a network namespace with only loopback (interfaces: {string.Join(", ", interfaces.Select(i => i.Name))})";
        if (interfaces[0].OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
            return "loopback is down in this network namespace (ip link set lo up)";
        return null;
    }

    public static void Require()
    {
        if (Missing() is { } missing)
            throw new InvalidOperationException($"REFUSING TO SEND BACnet TRAFFIC: {missing}; {HowToRun}");
    }
}
