using System.Net;
using CertLsp.Core.Editing;

namespace CertLsp.Devices;

/// <summary>
/// What discovery found against what a manifest says: devices that did not answer, differences, devices it lacks (as text);
/// and, as plain records for the manifest's edits, the devices it lacks (<see cref="Found"/>) and the manifest devices that
/// answered from another address or have none (<see cref="Moved"/>).
/// </summary>
public sealed record DiscoveryComparison(IReadOnlyList<string> Missing, IReadOnlyList<string> Differences,
    IReadOnlyList<string> NotInManifest)
{
    public IReadOnlyList<FoundDevice> Found { get; init; } = [];

    public IReadOnlyList<MovedDevice> Moved { get; init; } = [];

    /// <summary>The names of the manifest devices that did not answer (one per entry of <see cref="Missing"/>).</summary>
    public IReadOnlyList<string> Silent { get; init; } = [];

    /// <summary>Differences other than an address (a name the device reports otherwise, a device found by name only).</summary>
    public int OtherDifferences => Differences.Count - Moved.Count;

    public bool IsEmpty => Missing.Count == 0 && Differences.Count == 0 && NotInManifest.Count == 0;

    public static DiscoveryComparison Of(ManifestSite site, IReadOnlyList<DiscoveryRow> rows)
    {
        var byInstance = rows.ToDictionary(r => r.Found.Instance);
        var missing = new List<string>();
        var differences = new List<string>();
        var moved = new List<MovedDevice>();
        var silent = new List<string>();
        foreach (var device in site.Devices)
        {
            if (device.Instance is not { } instance)
            {
                var match = rows.FirstOrDefault(r => r.Info?.ObjectName == device.Name);
                if (match is null)
                {
                    missing.Add($"{device.Name}: no instance in the manifest and no device named so answered"); silent.Add(
                    device.Name);
                }
                else
                {
                    differences.Add($"{device.Name}: instance not in the manifest; the device named so is instance {match.Found.Instance}");
                }

                continue;
            }
            if (!byInstance.TryGetValue(instance, out var row))
            {
                missing.Add(
                $"{device.Name} (instance {instance}) did not answer Who-Is"); silent.Add(device.Name); continue;
            }
            if (row.Info?.ObjectName is { } name && name != device.Name)
                differences.Add($"{device.Name} (instance {instance}): the device's Object_Name is \"{name}\"");
            // Over BACnet/SC a device is where its VMAC is, which the manifest does not record: no address to compare.
            if (!row.Found.Address.Mac.IsBip) continue;
            var endpoint = row.Found.Address.Endpoint.ToIPEndPoint();
            if (device.Address is { } address && address.Equals(endpoint)) continue;
            differences.Add(device.Address is { } written
                ? $"{device.Name} (instance {instance}): the manifest says {Format(written, site.Port)}, the device answered from " +
                    $"{Format(endpoint, site.Port)}"
                : $"{device.Name} (instance {instance}): no address in the manifest; the device is at {Format(endpoint, site.Port)}");
            moved.Add(new MovedDevice(instance, Format(endpoint, site.Port), endpoint.Port));
        }
        var known = site.Devices.Where(d => d.Instance is not null).Select(d => d.Instance!.Value).ToHashSet();
        var lacking = rows.Where(r => !known.Contains(r.Found.Instance)
            && !site.Devices.Any(d => d.Instance is null && d.Name == r.Info?.ObjectName)).ToList();
        var notInManifest = lacking.Select(r =>
            $"instance {r.Found.Instance} \"{r.Info?.ObjectName}\" at " +
            $"{(r.Found.Address.Mac.IsBip ? Format(r.Found.Address.Endpoint.ToIPEndPoint(), site.Port) : r.Found.Address.Mac)}")
            .ToList();
        return new DiscoveryComparison(missing, differences, notInManifest)
        {
            // Devices to add to the manifest: with their address over BACnet/IP, without one over BACnet/SC (a VMAC is no manifest
            // address: the tool finds the device by its instance).
            Found = [.. lacking.Select(r => new FoundDevice(r.Info?.ObjectName, r.Found.Instance,
                r.Found.Address.Mac.IsBip ? Format(r.Found.Address.Endpoint.ToIPEndPoint(), site.Port) : null))],
            Moved = moved,
            Silent = silent,
        };
    }

    /// <summary>An endpoint as a manifest writes it: the address alone on the site's port, address:port otherwise.</summary>
    public static string Format(IPEndPoint endpoint, int sitePort) => endpoint.Port == sitePort ? endpoint.Address.ToString()
        : endpoint.ToString();
}
