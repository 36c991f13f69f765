using System.Collections.Immutable;
using CertLsp.Core.Checking;
using CertLsp.Core.Manifest;
using CertLsp.Core.Requests;
using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Requests;

/// <summary>Zips of at most 50 devices, in manifest order, named batches together.</summary>
public sealed class RequestPlannerTests
{
    /// <summary>Devices DEV-1..DEV-n; <paramref name="batchOf"/> names a device's batch (null: none).</summary>
    private static ImmutableArray<DeviceEntry> Devices(int count, Func<int, string?>? batchOf = null)
    {
        string text = Sites.WithDevices(count, i => batchOf?.Invoke(i) is { } b ? $"    batch: {b}\n" : "");
        var manifest = ManifestDocument.Parse("plan.site.yaml", text).Manifest!;
        Assert.Equal(count, manifest.Devices.Length);
        return manifest.Devices;
    }

    private static string[][] Names(ImmutableArray<ImmutableArray<DeviceEntry>> zips) =>
        [.. zips.Select(z => z.Select(d => d.Name!.Value).ToArray())];

    private static string[] Dev(params int[] numbers) => [.. numbers.Select(n => $"DEV-{n}")];

    private static int[] Range(int from, int to) => [.. Enumerable.Range(from, to - from + 1)];

    [Fact]
    public void Unbatched_devices_fill_zips_of_50_in_manifest_order()
    {
        var zips = RequestPlanner.Plan(Devices(120));
        Assert.Equal([Dev(Range(1, 50)), Dev(Range(51, 100)), Dev(Range(101, 120))], Names(zips));
    }

    [Fact]
    public void A_named_batch_stays_together_where_its_first_device_stands()
    {
        var zips = RequestPlanner.Plan(Devices(5, i => i is 2 or 5 ? "north" : null));
        Assert.Equal([Dev(1, 2, 5, 3, 4)], Names(zips));
    }

    [Fact]
    public void A_batch_that_does_not_fit_in_the_current_zip_starts_the_next_one()
    {
        // 45 single devices, then a batch of 10 (46-55), then 5 more.
        var zips = RequestPlanner.Plan(Devices(60, i => i is >= 46 and <= 55 ? "west" : null));
        Assert.Equal([Dev(Range(1, 45)), Dev([.. Range(46, 55), .. Range(56, 60)])], Names(zips));
    }

    [Fact]
    public void A_batch_of_120_is_cut_into_50_50_and_20_without_mixing_in_other_devices()
    {
        // DEV-2..DEV-121 are one batch of 120 (CL0301 reports it); DEV-1 and DEV-122 are single devices.
        var zips = RequestPlanner.Plan(Devices(122, i => i is 1 or 122 ? null : "big"));
        Assert.Equal([Dev(1), Dev(Range(2, 51)), Dev(Range(52, 101)), Dev(Range(102, 121)), Dev(122)], Names(zips));
    }

    [Fact]
    public void Every_device_is_in_exactly_one_zip_and_no_zip_holds_more_than_the_limit()
    {
        var devices = Devices(200, i => (i % 7) switch { 0 => "a", 3 => "b", _ => null });
        foreach (int limit in new[] { 50, 10, 1 })
        {
            var zips = RequestPlanner.Plan(devices, limit);
            Assert.All(zips, z => Assert.InRange(z.Length, 1, limit));
            Assert.Equal(devices.Select(d => d.Index).Order(), zips.SelectMany(z => z).Select(d => d.Index).Order());
        }
    }

    [Fact]
    public void No_devices_no_zips() => Assert.Empty(RequestPlanner.Plan([]));
}
