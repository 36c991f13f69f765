using CertLsp.Bacnet.SecureConnect;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Devices;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>
/// <see cref="SiteVerification"/> against a BACnet/SC site the test builds in its network namespace (<see cref="ScVerifySite"/>):
/// every device joined, a device with a certificate from another CA (its handshake refused, the reason in words), a device that does
/// not answer, a certificate other than the ledger's, the hub going down mid-run with and without a failover hub, cancellation.
/// </summary>
[Collection(UdpCollection.Name)]
public class SiteVerificationTests
{
    /// <summary>Calls back at once (Progress&lt;T&gt; would post to the thread pool, after the step it reports).</summary>
    private sealed class Now<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }

    private static VerifyTarget Target(ScVerifySite site, string name, uint instance, bool local = false) =>
        new(name, instance, ScVerifySite.Fingerprint(site.Certificates[name])) { LocalCredential = local ? site.Credential(name) : null };

    [NeedsFact(Needs.Namespace)]
    public async Task Every_device_joined_with_its_recorded_certificate()
    {
        await using var site = await ScVerifySite.StartAsync("127.0.16");
        await site.AddDeviceAsync("AHU-1", 1601);
        await site.AddDeviceAsync("AHU-2", 1602);
        var reports = await SiteVerification.RunAsync(site.Tool,
            [Target(site, "AHU-1", 1601), Target(site, "AHU-2", 1602, local: true)], site.VerifyOptions, null, default);

        Assert.True(SiteVerification.AllJoined(reports), string.Join("\n", reports));
        foreach (var report in reports)
        {
            Assert.True(report.Joined);
            Assert.True(report.IdentityMatches);
            Assert.True(report.CertificateMatches);
            Assert.Equal(DeviceVerification.JoinedText, report.Reason);
        }
        Assert.Null(reports[0].Handshake);
        Assert.Equal("the primary hub accepted its certificate", reports[1].Handshake);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_device_with_a_certificate_from_another_ca_is_refused_with_the_reason_in_words()
    {
        await using var site = await ScVerifySite.StartAsync("127.0.17");
        await site.AddDeviceAsync("AHU-1", 1701);
        await site.AddDeviceFromAnotherCaAsync("VAV-9", 1709);
        var reports = await SiteVerification.RunAsync(site.Tool,
            [Target(site, "AHU-1", 1701), Target(site, "VAV-9", 1709, local: true)], site.VerifyOptions, null, default);

        Assert.False(SiteVerification.AllJoined(reports));
        Assert.Equal(VerificationResult.Joined, reports[0].Result);
        var refused = reports[1];
        Assert.Equal(VerificationResult.Refused, refused.Result);
        Assert.False(refused.Joined);
        Assert.StartsWith("handshake refused: certificate from another CA", refused.Reason, StringComparison.Ordinal);
        // the hub refused it too, for the same reason, in the handshake of the device's own connector
        Assert.Contains(site.Primary.Hub.Connections, c => c.ErrorDetails?.Contains("certificate from another CA",
            StringComparison.Ordinal) == true);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_device_that_does_not_answer_and_a_certificate_other_than_the_ledgers_are_reported()
    {
        await using var site = await ScVerifySite.StartAsync("127.0.18");
        await site.AddDeviceAsync("AHU-1", 1801);
        await site.AddDeviceAsync("AHU-2", 1802);
        var renewed = site.Ca.Issue(CertificateRole.Device, "AHU-2");
        var reports = await SiteVerification.RunAsync(site.Tool,
        [
            Target(site, "AHU-1", 1801),
            new VerifyTarget("AHU-2", 1802, ScVerifySite.Fingerprint(renewed)),
            new VerifyTarget("AHU-3", 1803, ScVerifySite.Fingerprint(renewed)),
        ], site.VerifyOptions, null, default);

        Assert.Equal(VerificationResult.Joined, reports[0].Result);
        var mismatch = reports[1];
        Assert.Equal(VerificationResult.Mismatch, mismatch.Result);
        Assert.True(mismatch.Joined);
        Assert.False(mismatch.CertificateMatches);
        Assert.Equal(ScVerifySite.Fingerprint(site.Certificates["AHU-2"]), mismatch.ReportedFingerprint);
        Assert.Contains("another certificate", mismatch.Reason, StringComparison.Ordinal);
        var silent = reports[2];
        Assert.Equal(VerificationResult.NotJoined, silent.Result);
        Assert.False(silent.Joined);
        Assert.Contains("did not answer over BACnet/SC", silent.Reason, StringComparison.Ordinal);
    }

    /// <summary>Three devices verified one at a time; the primary hub stops once the first is done.</summary>
    private static async Task<IReadOnlyList<DeviceVerificationReport>> VerifyWithThePrimaryHubDownAfterOneAsync(ScVerifySite site,
        uint instances)
    {
        for (uint i = 1; i <= 3; i++) await site.AddDeviceAsync($"D-{i}", instances + i);
        Task? down = null;
        var progress = new Now<VerificationProgress>(p =>
        {
            if (p.Done == 1) down ??= site.Primary.DisposeAsync().AsTask();
        });
        var reports = await SiteVerification.RunAsync(site.Tool, [.. Enumerable.Range(1, 3).Select(i =>
            Target(site, $"D-{i}", instances + (uint)i))], site.VerifyOptions with { Parallelism = 1 }, progress, default);
        Assert.NotNull(down);
        await down!;
        return reports;
    }

    [NeedsFact(Needs.Namespace)]
    public async Task The_hub_going_down_mid_verify_moves_to_the_failover_hub_and_every_device_is_verified()
    {
        await using var site = await ScVerifySite.StartAsync("127.0.19", failover: true);
        var reports = await VerifyWithThePrimaryHubDownAfterOneAsync(site, 1900);

        Assert.True(SiteVerification.AllJoined(reports), string.Join("\n", reports));
        Assert.Equal(ScHubConnectionStatus.ConnectedToFailoverHub, site.ToolLink.Connector.State);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task The_hub_going_down_without_a_failover_hub_leaves_the_devices_left_not_verified()
    {
        await using var site = await ScVerifySite.StartAsync("127.0.20");
        var reports = await VerifyWithThePrimaryHubDownAfterOneAsync(site, 2000);

        Assert.Equal(VerificationResult.Joined, reports[0].Result);
        foreach (var report in reports.Skip(1))
        {
            Assert.Equal(VerificationResult.NotVerified, report.Result);
            Assert.Contains("the connection to the hub was lost", report.Reason, StringComparison.Ordinal);
            Assert.Contains("no failover hub is configured", report.Reason, StringComparison.Ordinal);
        }
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Cancellation_stops_the_run()
    {
        await using var site = await ScVerifySite.StartAsync("127.0.21");
        await site.AddDeviceAsync("AHU-1", 2101);
        using var cancel = new CancellationTokenSource();
        var progress = new Now<VerificationProgress>(p => { if (p.Done == 0) cancel.Cancel(); });
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SiteVerification.RunAsync(site.Tool,
            [Target(site, "AHU-1", 2101), new VerifyTarget("gone", 2199, null)], site.VerifyOptions, progress, cancel.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), "cancelled before the Who-Is wait ran out");
    }
}
