using System.Collections.Immutable;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Requests;

/// <summary>
/// Splits devices into CSR zips of at most 50, in manifest order. A named batch stays together in one zip
/// (it is placed where its first device stands); a batch of more than 50 (CL0301) is cut into zips of 50.
/// </summary>
public static class RequestPlanner
{
    public const int MaxDevicesPerZip = 50;

    public static ImmutableArray<ImmutableArray<DeviceEntry>> Plan(IReadOnlyList<DeviceEntry> devices, int maxPerZip = MaxDevicesPerZip)
    {
        // Each named batch's devices, in manifest order.
        var batches = new Dictionary<string, List<DeviceEntry>>(StringComparer.Ordinal);
        foreach (var device in devices)
        {
            if (device.Batch?.Value is not { } name) continue;
            if (!batches.TryGetValue(name, out var members)) batches[name] = members = [];
            members.Add(device);
        }

        var zips = ImmutableArray.CreateBuilder<ImmutableArray<DeviceEntry>>();
        var current = ImmutableArray.CreateBuilder<DeviceEntry>();
        foreach (var device in devices)
        {
            // A unit: an unbatched device, or a whole batch where its first device stands (its later devices are placed with it).
            var batch = device.Batch?.Value is { } name ? batches[name] : null;
            if (batch is not null && !ReferenceEquals(batch[0], device)) continue;
            int size = batch?.Count ?? 1;
            if (size > maxPerZip)
            {
                if (current.Count > 0) { zips.Add(current.ToImmutable()); current.Clear(); }
                foreach (var chunk in batch!.Chunk(maxPerZip)) zips.Add([.. chunk]);
                continue;
            }
            if (current.Count + size > maxPerZip)
            {
                zips.Add(current.ToImmutable());
                current.Clear();
            }
            if (batch is null) current.Add(device);
            else current.AddRange(batch);
        }
        if (current.Count > 0) zips.Add(current.ToImmutable());
        return zips.ToImmutable();
    }
}
