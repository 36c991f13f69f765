using System.CommandLine;
using CertLsp.Bacnet.Client;
using CertLsp.Core.Manifest;
using CertLsp.Devices;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Cli.Commands;

/// <summary>What csr and import share to talk to devices that hold their keys: the --bind, --datalink and --timeout options and the
/// client they give: over BACnet/IP from --bind, or over BACnet/SC through the site's hub as the commissioning tool.</summary>
internal static class DeviceConnection
{
    public static Option<string?> BindOption() =>
        new("--bind")
        {
            Description =
            "key.source: device only: the local IPv4 address to talk BACnet/IP to the devices from (never defaulted)"
        };

    public static Option<string?> DatalinkOption()
    {
        var option = new Option<string?>("--datalink")
        {
            Description = "How to reach the devices: bip (BACnet/IP from --bind) or sc (BACnet/SC through the manifest's hub, as the " +
                "tool of bacnet.secureConnect.tool with its own certificate); default: the tool's datalink, else bip",
        };
        option.AcceptOnlyFromAmong("bip", "sc");
        return option;
    }

    /// <summary>Whether the devices are reached over BACnet/SC: --datalink when given, else the manifest's “tool.datalink: sc”.</summary>
    public static bool OverSc(string? datalink, SiteManifest manifest) => ScToolRun.Chosen(datalink, manifest);

    /// <summary>
    /// <see cref="ScToolRun.RunOnDevicesAsync"/>: the tool joins the site's hub, learns where the manifest's devices are and runs
    /// <paramref name="work"/> with that client; when it cannot join, <paramref name="unreachable"/> runs with the reason instead,
    /// after stderr says it (the tool's own certificate is requested and imported without a hub).
    /// </summary>
    public static async Task<int> RunScAsync(string manifestPath, double timeout, int devices, TextWriter stderr,
        Func<BacnetClient, ScDeviceDirectory, Task<int>> work, Func<string, Task<int>> unreachable, CancellationToken cancellationToken)
    {
        if (DeviceTimeout.Check(timeout) is { } bad)
        {
            stderr.WriteLine($"certlsp: {bad}");
            return Program.CouldNotRun;
        }
        return await ScToolRun.RunOnDevicesAsync(manifestPath, null, KeyStore.PassphraseFromEnvironment(), timeout, devices, work, why =>
        {
            stderr.WriteLine($"certlsp: warning: the devices are not reached over BACnet/SC: {why}");
            return unreachable(why);
        }, null, cancellationToken).ConfigureAwait(false);
    }

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
