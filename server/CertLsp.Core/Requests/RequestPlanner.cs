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
        // Units in manifest order: each named batch (at its first device) or a single unbatched device.
        var units = new List<Unit>(); // not sized by devices: batched sites have few units
        var batches = new Dictionary<string, List<DeviceEntry>>(StringComparer.Ordinal);
        foreach (var device in devices)
        {
            string? batch = device.Batch?.Value;
            if (batch is null)
            {
                units.Add(new Unit(device, null));
            }
            else if (batches.TryGetValue(batch, out var unit))
            {
                unit.Add(device);
            }
            else
            {
                unit = [device];
                batches[batch] = unit;
                units.Add(new Unit(null, unit));
            }
        }

        var zips = ImmutableArray.CreateBuilder<ImmutableArray<DeviceEntry>>();
        var current = ImmutableArray.CreateBuilder<DeviceEntry>();
        foreach (var unit in units)
        {
            if (unit.Count > maxPerZip)
            {
                if (current.Count > 0) { zips.Add(current.ToImmutable()); current.Clear(); }
                foreach (var chunk in unit.Batch!.Chunk(maxPerZip)) zips.Add([.. chunk]);
                continue;
            }
            if (current.Count + unit.Count > maxPerZip)
            {
                zips.Add(current.ToImmutable());
                current.Clear();
            }
            if (unit.Single is { } single) current.Add(single);
            else current.AddRange(unit.Batch!);
        }
        if (current.Count > 0) zips.Add(current.ToImmutable());
        return zips.ToImmutable();
    }

    /// <summary>An unbatched device or a named batch (no list allocated for a single device).</summary>
    private readonly record struct Unit(DeviceEntry? Single, List<DeviceEntry>? Batch)
    {
        public int Count => Batch?.Count ?? 1;
    }
}
