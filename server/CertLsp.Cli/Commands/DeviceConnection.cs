using System.CommandLine;
using CertLsp.Bacnet.Client;
using CertLsp.Devices;

namespace CertLsp.Cli.Commands;

/// <summary>What csr and import share to talk to devices that hold their keys: the --bind and --timeout options and the client they
/// give.</summary>
internal static class DeviceConnection
{
    public static Option<string?> BindOption() =>
        new("--bind")
        {
            Description =
            "key.source: device only: the local IPv4 address to talk BACnet/IP to the devices from (never defaulted)"
        };

    public static Option<double> TimeoutOption() => new("--timeout")
    {
        Description =
            $"Seconds a device may take to answer a request (retries included: APDU timeout SECONDS/3, 2 retries) before it is reported " +
            $"as not answering; default {DeviceTimeout.DefaultSeconds:0}",
        DefaultValueFactory = _ => DeviceTimeout.DefaultSeconds,
    };

    /// <summary>A client bound to <paramref name="bind"/> (any port), or null after telling stderr why not.</summary>
    public static BacnetClient? Start(string bind, double timeout, TextWriter stderr)
    {
        if (DeviceTimeout.Check(timeout) is { } bad)
        {
            stderr.WriteLine($"certlsp: {bad}");
            return null;
        }
        try
        {
            return BacnetConnection.ForDevices(BacnetConnection.Ipv4(bind, "--bind"), timeout);
        }
        catch (BacnetSetupException e)
        {
            stderr.WriteLine($"certlsp: {e.Message}");
            return null;
        }
    }

    /// <summary>Runs <paramref name="work"/> with a client bound to <paramref name="bind"/>, closed afterwards; exit 2 when there is
    /// none.</summary>
    public static async Task<int> RunAsync(string bind, double timeout, TextWriter stderr, Func<BacnetClient, Task<int>> work)
    {
        if (Start(bind, timeout, stderr) is not { } client) return Program.CouldNotRun;
        await using (client.ConfigureAwait(false))
        {
            return await work(client).ConfigureAwait(false);
        }
    }
}
