using System.Text;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Requests;

namespace CertLsp.Workflows.Tests.Requests;

public sealed class CsrRequesterTests
{
    private static Task<CsrRunResult> RunAsync(TempSite site, CsrRequestOptions? options = null) =>
        CsrRequester.RunAsync(site.ManifestPath, site.Text, options ?? new CsrRequestOptions());

    [Fact]
    public async Task Every_device_is_requested_once_with_its_key_ledger_entry_and_zip_entry()
    {
        using var site = new TempSite(TempSite.Manifest(3));
        var result = await RunAsync(site);
        Assert.Equal(CsrRunState.Done, result.State);
        Assert.Equal((3, 0, 0), (result.Requested, result.NoActionTaken, result.Failed));
        var zip = Assert.Single(site.Zips);
        Assert.Matches(@"CertificateSigningRequests_Test_Site_\d{8}T\d{6}Z_1-of-1\.zip$", zip);
        var entries = TempSite.Entries(zip);
        Assert.Equal(["dev-01.bms.test.example.pem", "dev-02.bms.test.example.pem", "dev-03.bms.test.example.pem"], entries.Keys.Order());
        SiteConsistency.Assert(site);
    }

    [Fact]
    public async Task Device_names_that_are_no_file_names_give_key_files_and_zip_entries_inside_their_folders()
    {
        // No domain and no dot: these are valid CNs (CL0206 does not apply), so the run requests them.
        string manifest = TempSite.Manifest(0).Replace("domain: bms.test.example\n", "", StringComparison.Ordinal)
            + "  - name: \"AHU 1/2\"\n    instance: 1\n  - name: CON\n    instance: 2\n  - name: \"a\\\\b:c\"\n    instance: 3\n";
        using var site = new TempSite(manifest);
        var result = await RunAsync(site);
        Assert.True(result.State == CsrRunState.Done, result.Refusal);
        Assert.Equal(3, result.Requested);
        var keyFolder = KeyStore.ForManifest(site.ManifestPath, null).Folder;
        var keys = Directory.GetFiles(keyFolder);
        Assert.Equal(3, keys.Count(k => k.EndsWith(".key.pem", StringComparison.Ordinal)));
        Assert.All(keys, k => Assert.Equal(keyFolder, Path.GetDirectoryName(k)));
        Assert.DoesNotContain(keys, k => Path.GetFileName(k).StartsWith("CON.", StringComparison.OrdinalIgnoreCase));
        var entries = TempSite.Entries(Assert.Single(site.Zips)).Keys;
        Assert.Equal(3, entries.Count);
        Assert.All(entries, e => Assert.DoesNotMatch(@"[/\\:]|^\.|^(?i)con\.", e));
    }

    [Fact]
    public async Task Pending_devices_stop_the_run_and_nothing_is_written()
    {
        using var site = new TempSite(TempSite.Manifest(2));
        await RunAsync(site);
        string ledgerBefore = File.ReadAllText(site.LedgerPath);
        var zipsBefore = site.Zips;
        var result = await RunAsync(site);
        Assert.Equal(CsrRunState.PendingConflict, result.State);
        Assert.Equal(["dev-01", "dev-02"], result.Pending.Select(p => p.Device));
        Assert.Equal(ledgerBefore, File.ReadAllText(site.LedgerPath));
        Assert.Equal(zipsBefore, site.Zips);
    }

    [Fact]
    public async Task Keep_excludes_pending_devices_as_no_action_taken()
    {
        using var site = new TempSite(TempSite.Manifest(2));
        await RunAsync(site, new CsrRequestOptions { Devices = ["dev-01"] });
        var first = LedgerFile.Load(site.LedgerPath).Find("dev-01")!.Pending!;
        var result = await RunAsync(site, new CsrRequestOptions { Pending = PendingPolicy.Keep });
        Assert.Equal((1, 1, 0), (result.Requested, result.NoActionTaken, result.Failed));
        var kept = Assert.Single(result.Devices, d => d.Outcome == DeviceOutcome.NoActionTaken);
        Assert.Equal("dev-01", kept.Device);
        Assert.Equal(first, LedgerFile.Load(site.LedgerPath).Find("dev-01")!.Pending);
        Assert.Equal(2, site.Zips.Count);
        Assert.Single(TempSite.Entries(result.Zips.Single().Path));
        AssertConsistentLedgerKeys(site);
    }

    [Fact]
    public async Task Keep_with_every_device_pending_writes_nothing()
    {
        using var site = new TempSite(TempSite.Manifest(2));
        await RunAsync(site);
        string ledger = File.ReadAllText(site.LedgerPath);
        var stamp = File.GetLastWriteTimeUtc(site.LedgerPath);
        var result = await RunAsync(site, new CsrRequestOptions { Pending = PendingPolicy.Keep });
        Assert.Equal((0, 2, 0), (result.Requested, result.NoActionTaken, result.Failed));
        Assert.Empty(result.Zips);
        Assert.Equal(ledger, File.ReadAllText(site.LedgerPath));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(site.LedgerPath));
        Assert.Single(site.Zips);
    }

    [Fact]
    public async Task Overwrite_replaces_key_and_csr_and_reports_the_old_request_void()
    {
        using var site = new TempSite(TempSite.Manifest(1));
        await RunAsync(site);
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        var old = LedgerFile.Load(site.LedgerPath).Find("dev-01")!.Pending!;
        Assert.True(keys.Has("dev-01", old.PublicKey));
        var result = await RunAsync(site, new CsrRequestOptions { Pending = PendingPolicy.Overwrite });
        var device = Assert.Single(result.Devices);
        Assert.Equal(DeviceOutcome.Requested, device.Outcome);
        Assert.Contains("void", device.Detail);
        Assert.Contains(old.Zip, device.Detail);
        var now = LedgerFile.Load(site.LedgerPath).Find("dev-01")!.Pending!;
        Assert.NotEqual(old.PublicKey, now.PublicKey);
        Assert.False(keys.Has("dev-01", old.PublicKey));
        Assert.True(keys.Has("dev-01", now.PublicKey));
    }

    private static void AssertConsistentLedgerKeys(TempSite site)
    {
        var ledger = LedgerFile.Load(site.LedgerPath);
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        Assert.Equal(ledger.Entries.Values.SelectMany(e => e.LiveKeys().Select(k => keys.PathFor(e.Device, k))).Order(),
            keys.Files().Order());
    }

    [Fact]
    public async Task Sixty_devices_make_two_zips_of_at_most_fifty_with_a_summary_per_zip()
    {
        using var site = new TempSite(TempSite.Manifest(60));
        var result = await RunAsync(site);
        Assert.Equal([50, 10], result.Zips.Select(z => z.Requested));
        Assert.EndsWith("_1-of-2.zip", result.Zips[0].FileName);
        Assert.EndsWith("_2-of-2.zip", result.Zips[1].FileName);
        Assert.Equal(50, TempSite.Entries(result.Zips[0].Path).Count);
        Assert.Equal(60, result.Requested);
        SiteConsistency.Assert(site);
    }

    [Fact]
    public async Task Cari_layout_has_device_port_folders_issuer_folder_and_notes()
    {
        using var site = new TempSite(TempSite.Manifest(2));
        var ca = new TestCa();
        File.WriteAllText(site.File_("ca.pem"), ca.Pem);
        var result = await RunAsync(site, new CsrRequestOptions { Layout = ZipLayout.Cari });
        var entries = TempSite.Entries(result.Zips.Single().Path);
        Assert.Equal(
            ["cert1/device-1001/port-1/csr-dev-01.bms.test.example.pem", "cert1/device-1002/port-1/csr-dev-02.bms.test.example.pem",
                "cert1/issuer/iss-1.pem", "cert1/request-notes.txt"],
            entries.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("device-1001: dev-01.bms.test.example", Encoding.UTF8.GetString(entries["cert1/request-notes.txt"]));
        SiteConsistency.Assert(site);
    }

    [Fact]
    public async Task Cari_layout_fails_devices_without_an_instance_and_requests_the_rest()
    {
        string manifest = TempSite.Manifest(1) + "  - name: no-instance\n";
        using var site = new TempSite(manifest);
        var result = await RunAsync(site, new CsrRequestOptions { Layout = ZipLayout.Cari });
        Assert.Equal((1, 0, 1), (result.Requested, result.NoActionTaken, result.Failed));
        Assert.Contains("instance", result.Devices.Single(d => d.Outcome == DeviceOutcome.Failed).Detail);
        Assert.Equal((1, 1), (result.Zips[0].Requested, result.Zips[0].Failed));
    }

    [Fact]
    public async Task Devices_and_batch_select_what_is_requested()
    {
        string manifest = TempSite.Manifest(3).Replace("    instance: 1002\n", "    instance: 1002\n    batch: north\n",
            StringComparison.Ordinal);
        using var site = new TempSite(manifest);
        Assert.Equal(["dev-02"], (await RunAsync(site, new CsrRequestOptions { Batch = "north" })).Devices.Select(d => d.Device));
        Assert.Equal(["dev-03"], (await RunAsync(site, new CsrRequestOptions { Devices = ["dev-03"] })).Devices.Select(d => d.Device));
        Assert.Equal(CsrRunState.Refused, (await RunAsync(site, new CsrRequestOptions { Devices = ["nope"] })).State);
        Assert.Equal(CsrRunState.Refused, (await RunAsync(site, new CsrRequestOptions { Batch = "south" })).State);
    }

    [Fact]
    public async Task Two_devices_with_one_name_are_refused()
    {
        using var site = new TempSite(TempSite.Manifest(1) + "  - name: dev-01\n    commonName: other\n    instance: 2000\n");
        var result = await RunAsync(site);
        Assert.Equal(CsrRunState.Refused, result.State);
        Assert.Contains("two devices are named “dev-01”", result.Refusal);
        Assert.Empty(site.Zips);
    }

    [Fact]
    public async Task A_manifest_with_errors_or_device_held_keys_is_refused()
    {
        using (var site = new TempSite(TempSite.Manifest(1).Replace("country: DE", "country: Germany", StringComparison.Ordinal)))
        {
            Assert.Contains("error", (await RunAsync(site)).Refusal);
            Assert.False(File.Exists(site.LedgerPath));
        }
        using (var site = new TempSite(TempSite.Manifest(1, key: "{ algorithm: rsa, size: 2048, source: device }")))
        {
            Assert.Contains("BACnet", (await RunAsync(site)).Refusal);
        }
    }

    [Fact]
    public async Task A_rule_turned_off_in_certlsp_json_or_a_suppressed_finding_does_not_block_a_request()
    {
        // dev-02 repeats dev-01's instance: CL0601, an error, refuses the run until certlsp.json or a comment says otherwise.
        string duplicate = TempSite.Manifest(2).Replace("instance: 1002", "instance: 1001", StringComparison.Ordinal);
        using (var site = new TempSite(duplicate))
        {
            var refused = await RunAsync(site);
            Assert.Equal(CsrRunState.Refused, refused.State);
            Assert.Contains("1 error", refused.Refusal);
            File.WriteAllText(site.File_("certlsp.json"), """{ "rules": { "CL0601": "warning" } }""");
            var lowered = await RunAsync(site);
            Assert.True(lowered.State == CsrRunState.Done, lowered.Refusal);
            Assert.Equal(2, lowered.Requested);
        }
        using (var site = new TempSite(duplicate))
        {
            // The nearest certlsp.json above the manifest's folder applies, as in certlsp check.
            Directory.CreateDirectory(site.File_("sub"));
            string manifest = site.File_(Path.Combine("sub", "site.site.yaml"));
            File.Move(site.ManifestPath, manifest);
            File.WriteAllText(site.File_("certlsp.json"), """{ "rules": { "CL0601": "off" } }""");
            var off = await CsrRequester.RunAsync(manifest, File.ReadAllText(manifest), new CsrRequestOptions());
            Assert.True(off.State == CsrRunState.Done, off.Refusal);
        }
        string suppressed = duplicate.Replace("  - name: dev-02\n    instance: 1001\n",
            "  - name: dev-02\n    # certlsp-disable-next-line CL0601 -- dev-01 is replaced next week\n    instance: 1001\n",
            StringComparison.Ordinal);
        Assert.NotEqual(duplicate, suppressed);
        using (var site = new TempSite(suppressed))
        {
            var result = await RunAsync(site);
            Assert.True(result.State == CsrRunState.Done, result.Refusal);
            Assert.Equal(2, result.Requested);
        }
        // A certlsp.json that is not valid is an error (CL0701) as in certlsp check: the run is refused, not made with half its rules.
        using (var site = new TempSite(TempSite.Manifest(1)))
        {
            File.WriteAllText(site.File_("certlsp.json"), """{ "rules": { "CL0601": "of" } }""");
            Assert.Equal(CsrRunState.Refused, (await RunAsync(site)).State);
            Assert.Empty(site.Zips);
        }
    }

    [NeedsFact(Needs.OpenSsl)]
    public async Task Rsa_2048_is_the_default_and_openssl_verifies_every_csr_of_a_run()
    {
        using var site = new TempSite(TempSite.Manifest(2, key: "{ source: local }"));
        var result = await RunAsync(site);
        foreach (var (name, data) in TempSite.Entries(result.Zips.Single().Path))
        {
            string file = Path.Combine(site.Folder, "check-" + name);
            File.WriteAllBytes(file, data);
            var (exit, output) = OpenSsl.Run("req", "-in", file, "-verify", "-noout", "-text");
            Assert.True(exit == 0, output);
            Assert.Contains("Public-Key: (2048 bit)", output);
            Assert.Contains("sha256WithRSAEncryption", output);
        }
    }

    [Fact]
    public async Task A_renewal_reuses_the_cn_of_the_previous_csr()
    {
        using var site = new TempSite(TempSite.Manifest(1));
        await RunAsync(site);
        File.WriteAllText(site.ManifestPath, site.Text.Replace("domain: bms.test.example", "domain: new.test.example",
            StringComparison.Ordinal));
        var result = await RunAsync(site, new CsrRequestOptions { Pending = PendingPolicy.Overwrite });
        Assert.Equal("dev-01.bms.test.example", result.Devices.Single().CommonName);
        var (cn, _) = CsrGenerator.Inspect(TempSite.Entries(result.Zips.Single().Path).Values.Single());
        Assert.Equal("dev-01.bms.test.example", cn);
    }

    [Fact]
    public async Task Progress_reports_every_device_and_cancellation_leaves_a_state_the_next_run_finishes()
    {
        using var site = new TempSite(TempSite.Manifest(5));
        var seen = new List<CsrProgress>();
        await RunAsync(site, new CsrRequestOptions { Devices = ["dev-01", "dev-02"] });
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            CsrRequester.RunAsync(site.ManifestPath, site.Text, new CsrRequestOptions { Pending = PendingPolicy.Keep }, null, cts.Token));
        var result = await CsrRequester.RunAsync(site.ManifestPath, site.Text, new CsrRequestOptions { Pending = PendingPolicy.Keep },
            new SyncProgress(seen.Add));
        Assert.Equal((3, 2, 0), (result.Requested, result.NoActionTaken, result.Failed));
        Assert.Equal(5, seen.Count);
        Assert.Equal(5, seen.Max(p => p.Done));
        AssertConsistentLedgerKeys(site);
    }

    [Fact]
    public async Task A_zip_written_before_a_crash_is_adopted_and_its_devices_reported_recovered()
    {
        using var site = new TempSite(TempSite.Manifest(3));
        // Simulate a kill after the zip was renamed into place but before the ledger was written: run, then put back the ledger
        // as it was when the run had only opened (run-open set, no entries).
        var first = await RunAsync(site);
        var ledger = LedgerFile.Load(site.LedgerPath);
        var opened = SiteLedger.Empty with { RunOpen = ledger.RequestsThrough };
        File.WriteAllText(site.LedgerPath, LedgerFormat.Write(opened, "site.site.yaml", DateTimeOffset.UtcNow));
        var leftover = Path.Combine(KeyStore.ForManifest(site.ManifestPath, null).Folder, ".dev-09.0000000000000000.key.pem.1234.tmp");
        File.WriteAllText(leftover, "partial");

        var again = await RunAsync(site);
        Assert.Equal(CsrRunState.Done, again.State);
        Assert.Equal(first.Zips[0].FileName, Assert.Single(again.Recovery.AdoptedZips));
        Assert.Equal(1, again.Recovery.TempFilesRemoved);
        Assert.All(again.Devices, d => Assert.Equal(DeviceOutcome.Recovered, d.Outcome));
        Assert.Equal(3, again.Requested);
        Assert.Single(site.Zips);
        SiteConsistency.Assert(site);
    }

    [Fact]
    public async Task A_crash_between_two_zips_is_finished_by_a_rerun_of_the_same_command()
    {
        using var site = new TempSite(TempSite.Manifest(55));
        var first = await RunAsync(site);
        Assert.Equal(2, first.Zips.Length);
        // As if killed after zip 1 was recorded and before zip 2 was written: zip 2, its devices' ledger blocks and their keys are gone,
        // and the ledger still marks the run as open.
        var ledger = LedgerFile.Load(site.LedgerPath);
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        var second = ledger.Entries.Values.Where(e => e.Pending!.Zip == first.Zips[1].FileName).ToList();
        File.Delete(first.Zips[1].Path);
        foreach (var e in second) File.Delete(keys.PathFor(e.Device, e.Pending!.PublicKey));
        var cut = ledger with { RunOpen = ledger.RequestsThrough, Entries = ledger.Entries.RemoveRange(second.Select(e => e.Device)) };
        File.WriteAllText(site.LedgerPath, LedgerFormat.Write(cut, "site.site.yaml", DateTimeOffset.UtcNow));

        var again = await RunAsync(site);
        Assert.Equal(CsrRunState.Done, again.State);
        Assert.Equal(50, again.Devices.Count(d => d.Outcome == DeviceOutcome.Recovered && d.Zip == first.Zips[0].FileName));
        Assert.Equal(5, again.Devices.Count(d => d.Outcome == DeviceOutcome.Requested));
        Assert.Equal(55, again.Requested);
        Assert.Equal(2, site.Zips.Count);
        SiteConsistency.Assert(site);
    }

    [Fact]
    public async Task Keys_written_before_a_crash_without_a_zip_are_quarantined_not_deleted_and_the_devices_requested()
    {
        using var site = new TempSite(TempSite.Manifest(2));
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        keys.EnsureFolder();
        using var orphan = System.Security.Cryptography.ECDsa.Create();
        keys.Write("dev-01", Fingerprints.OfPublicKey(orphan), orphan);
        string name = Path.GetFileName(keys.PathFor("dev-01", Fingerprints.OfPublicKey(orphan)));
        var result = await RunAsync(site);
        // Its CSR may have left in a zip the user moved away before the crash was noticed: the key is kept aside, never deleted.
        Assert.Equal(name, Assert.Single(result.Recovery.Quarantined));
        Assert.True(File.Exists(Path.Combine(keys.QuarantineFolder, name)));
        Assert.Equal(0, result.Recovery.SupersededKeysRemoved);
        Assert.Equal(2, result.Requested);
        SiteConsistency.Assert(site);
    }

    /// <summary>
    /// Which devices a default run requests: none, expired, revoked and inside the warning window (30 days) are; a valid certificate
    /// outside it is not (listed with its date); Renew and naming the device request it.
    /// </summary>
    [Fact]
    public async Task Only_devices_without_a_usable_certificate_are_requested_by_default()
    {
        using var site = new TempSite(TempSite.Manifest(5));
        var now = DateTimeOffset.UtcNow;
        IssuedCertificate Certificate(int daysLeft, bool revoked = false) =>
            new("01", "CN=Test", now.AddDays(-300), now.AddDays(daysLeft), "sha256:" + new string('c', 64), "sha256:"
                + new string('b', 64), revoked ? now.AddDays(-1) : null);
        var ledger = SiteLedger.Empty
            .With(new LedgerEntry("dev-02", "dev-02.bms.test.example", null, Certificate(-1)))
            .With(new LedgerEntry("dev-03", "dev-03.bms.test.example", null, Certificate(200, revoked: true)))
            .With(new LedgerEntry("dev-04", "dev-04.bms.test.example", null, Certificate(29)))
            .With(new LedgerEntry("dev-05", "dev-05.bms.test.example", null, Certificate(200)));
        File.WriteAllText(site.LedgerPath, LedgerFormat.Write(ledger, "site.site.yaml", now));

        var result = await RunAsync(site);
        Assert.Equal(["dev-01", "dev-02", "dev-03", "dev-04"],
            result.Devices.Where(d => d.Outcome == DeviceOutcome.Requested).Select(d => d.Device));
        var valid = Assert.Single(result.Devices, d => d.Outcome == DeviceOutcome.NotDue);
        Assert.Equal("dev-05", valid.Device);
        Assert.Equal($"has a valid certificate until {LedgerFormat.Time(now.AddDays(200))[..10]}, not requested", valid.Detail);
        Assert.Equal(1, result.NotDue);

        Assert.Equal(1, (await RunAsync(site, new CsrRequestOptions { Pending = PendingPolicy.Keep, Devices = ["dev-05"] })).Requested);
        File.WriteAllText(site.LedgerPath, LedgerFormat.Write(ledger, "site.site.yaml", now));
        var renewed = await RunAsync(site, new CsrRequestOptions { Pending = PendingPolicy.Overwrite, Renew = true });
        Assert.Equal(5, renewed.Requested);
        Assert.Equal(0, renewed.NotDue);
    }

    /// <summary>A key that went to quarantine comes back when the ledger names it again (restored from version control).</summary>
    [Fact]
    public async Task A_quarantined_key_the_ledger_names_again_is_moved_back()
    {
        using var site = new TempSite(TempSite.Manifest(2));
        await RunAsync(site);
        string good = File.ReadAllText(site.LedgerPath);
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        var entry = LedgerFile.Load(site.LedgerPath).Find("dev-01")!;
        string key = keys.PathFor("dev-01", entry.Pending!.PublicKey);
        Directory.CreateDirectory(keys.QuarantineFolder);
        File.Move(key, Path.Combine(keys.QuarantineFolder, Path.GetFileName(key)));

        var result = await RunAsync(site, new CsrRequestOptions { Pending = PendingPolicy.Keep });
        Assert.Equal(1, result.Recovery.KeysRestored);
        Assert.True(File.Exists(key));
        Assert.Equal(good, File.ReadAllText(site.LedgerPath));
        Assert.False(result.Recovery.Interrupted);
        SiteConsistency.Assert(site);
    }

    /// <summary>Every run's result lists the zips still awaiting the CA, with their devices, including those of earlier runs.</summary>
    [Fact]
    public async Task The_result_lists_every_zip_awaiting_the_ca_with_its_devices()
    {
        using var site = new TempSite(TempSite.Manifest(3));
        var first = await RunAsync(site, new CsrRequestOptions { Devices = ["dev-01", "dev-02"] });
        var second = await RunAsync(site, new CsrRequestOptions { Pending = PendingPolicy.Keep });
        Assert.Equal([first.Zips[0].FileName, second.Zips[0].FileName], second.AwaitingZips.Select(z => z.FileName));
        Assert.Equal(["dev-01", "dev-02"], second.AwaitingZips[0].Devices.ToArray());
        Assert.Equal(["dev-03"], second.AwaitingZips[1].Devices.ToArray());
        Assert.All(second.AwaitingZips, z => Assert.True(File.Exists(z.Path)));
        Assert.All(second.AwaitingZips, z => Assert.Null(z.Note));
    }

    [Fact]
    public async Task No_private_key_material_in_zips_or_ledger()
    {
        using var site = new TempSite(TempSite.Manifest(2, key: "{ source: local }"));
        var result = await RunAsync(site);
        PrivateKeyScan.AssertAbsent(site, result.Zips.Select(z => z.Path).Append(site.LedgerPath), []);
    }

    private sealed class SyncProgress(Action<CsrProgress> report) : IProgress<CsrProgress>
    {
        private readonly Lock gate = new();

        public void Report(CsrProgress value)
        {
            lock (gate) report(value);
        }
    }
}
