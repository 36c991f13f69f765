using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Services;

namespace CertLsp.Devices;

/// <summary>One device that answered Who-Is: what it announced, and its identity and Network Ports, or why they could not be
/// read.</summary>
public sealed record DiscoveryRow(DiscoveredDevice Found, DeviceInfo? Info, string? Failure);

/// <summary>How far discovery is: devices that answered Who-Is, and how many of them have been read.</summary>
public sealed record DiscoveryProgress(int Answered, int Read);

/// <summary>Who-Is on the client's broadcast address, then each answering device's identity and Network Ports, read in parallel.</summary>
public static class SiteDiscovery
{
    public static async Task<IReadOnlyList<DiscoveryRow>> RunAsync(BacnetClient client, TimeSpan wait, int? expect,
        CancellationToken cancellationToken, IProgress<DiscoveryProgress>? progress = null)
    {
        var found = await client.WhoIsAsync(new WhoIs(), wait, expect, cancellationToken).ConfigureAwait(false);
        progress?.Report(new DiscoveryProgress(found.Count, 0));
        var devices = new DeviceInfo?[found.Count];
        var failures = new string?[found.Count];
        int read = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, found.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var info = await DeviceInventory.ReadAsync(client, found[i].Address, found[i].Instance, ct).ConfigureAwait(false);
            if (info.Ok) devices[i] = info.Value; else failures[i] = info.Failure!.Detail;
            progress?.Report(new DiscoveryProgress(found.Count, Interlocked.Increment(ref read)));
        }).ConfigureAwait(false);
        return [.. found.Select((f, i) => new DiscoveryRow(f, devices[i], failures[i]))];
    }
}
