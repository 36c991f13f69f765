using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Core.Review;

namespace CertLsp.Core.Tests.Review;

public sealed class SiteReviewerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private const string Header = """
        site: Plant
        domain: bms.example
        subject:
          country: DE
          state: Bavaria
          locality: Munich
          organization: Example AG
          organizationalUnit: Facilities
        key:
          algorithm: ecdsa
        devices:

        """;

    private static string Device(string name, int instance, string address, string? batch = null) =>
        $"  - name: {name}\n    instance: {instance}\n    address: {address}\n" + (batch is null ? "" : $"    batch: {batch}\n");

    private static string Site(params string[] devices) => Header + string.Concat(devices);

    private static readonly string Ahu1 = Device("AHU-1", 1001, "127.0.0.10");
    private static readonly string Ahu2 = Device("AHU-2", 1002, "127.0.0.11");
    private static readonly string Vav3 = Device("VAV-3", 1003, "127.0.0.12");

    /// <summary>AHU-1 holds a valid certificate, AHU-2 waits for one, VAV-3 holds one expiring in 10 days.</summary>
    private static string LedgerText() => LedgerFormat.Write(SiteLedger.Empty
        .With(new LedgerEntry("AHU-1", "AHU-1.bms.example", null,
            new IssuedCertificate("1001", "CN=CA", Now.AddDays(-10), Now.AddDays(300), "sha256:c1", "sha256:k1")))
        .With(new LedgerEntry("AHU-2", "AHU-2.bms.example", new PendingRequest("sha256:k2", Now.AddDays(-1), "zip-1.zip"), null))
        .With(new LedgerEntry("VAV-3", "VAV-3.bms.example", null,
            new IssuedCertificate("1003", "CN=CA", Now.AddDays(-355), Now.AddDays(10), "sha256:c3", "sha256:k3"))),
        "plant.site.yaml", Now);

    private static ReviewFile File(string text, string? ledger = null, string path = "plant.site.yaml") =>
        new(path, text, ledger is null ? null : new LedgerInput(path.Replace(".yaml", ".ledger", StringComparison.Ordinal), ledger));

    private static ManifestReview One(ReviewFile before, ReviewFile after) =>
        Assert.Single(SiteReviewer.Review([before], [after], Now).Manifests);

    [Fact]
    public void A_renamed_device_is_matched_by_instance_and_its_valid_certificate_must_be_requested_again()
    {
        var review = One(File(Site(Ahu1, Ahu2, Vav3), LedgerText()),
            File(Site(Device("AHU-1-North", 1001, "127.0.0.10"), Ahu2, Vav3), LedgerText()));
        var renamed = Assert.Single(review.Renamed);
        Assert.Equal(("AHU-1", "AHU-1.bms.example", "AHU-1-North", "AHU-1-North.bms.example"),
            (renamed.Base!.Name, renamed.Base.CommonName, renamed.Head!.Name, renamed.Head.CommonName));
        Assert.Empty(review.Added);
        Assert.Empty(review.Removed);
        var impact = Assert.Single(review.Impacts);
        Assert.Equal(CertificateImpact.MustRequestAgain, impact.Impact);
        Assert.Equal("1001", impact.BaseSerial);
        Assert.Equal(1, review.NewRequests);
        Assert.True(review.HasCertificateImpact);
    }

    [Fact]
    public void A_device_whose_instance_changes_is_matched_by_address_and_a_moved_one_by_name()
    {
        var review = One(File(Site(Ahu1, Ahu2)), File(Site(Device("AHU-1", 1101, "127.0.0.10"), Device("AHU-2", 1002, "127.0.0.99"))));
        Assert.Empty(review.Added);
        Assert.Empty(review.Removed);
        Assert.Empty(review.Renamed);
        Assert.Empty(review.Impacts);
    }

    [Fact]
    public void A_renamed_device_with_a_pending_request_is_told_its_CSR_will_not_match()
    {
        var review = One(File(Site(Ahu1, Ahu2, Vav3), LedgerText()),
            File(Site(Ahu1, Device("AHU-2b", 1002, "127.0.0.11"), Vav3), LedgerText()));
        Assert.Equal(CertificateImpact.PendingWillNotMatch, Assert.Single(review.Impacts).Impact);
        Assert.Equal(1, review.NewRequests);
    }

    [Fact]
    public void A_subject_change_leaves_issued_certificates_valid_but_voids_pending_requests_and_new_devices_need_a_CSR()
    {
        string after = Site(Ahu1, Ahu2, Vav3, Device("FCU-4", 1004, "127.0.0.13")).Replace("organization: Example AG",
            "organization: Example GmbH", StringComparison.Ordinal);
        var review = One(File(Site(Ahu1, Ahu2, Vav3), LedgerText()), File(after, LedgerText()));
        Assert.Equal(new SettingChange("subject.organization", "Example AG", "Example GmbH"), Assert.Single(review.Settings));
        var byDevice = review.Impacts.ToDictionary(i => i.Device.Head!.Name, i => i.Impact);
        Assert.Equal(CertificateImpact.StillValid, byDevice["AHU-1"]);
        Assert.Equal(CertificateImpact.PendingWillNotMatch, byDevice["AHU-2"]);
        Assert.Equal(CertificateImpact.StillValid, byDevice["VAV-3"]);
        Assert.Equal(CertificateImpact.NewDevice, byDevice["FCU-4"]);
        Assert.Equal("FCU-4", Assert.Single(review.Added).Head!.Name);
        Assert.Equal(2, review.NewRequests);
        Assert.Contains("organization Example AG → Example GmbH", review.Impacts[0].Reasons);
    }

    [Fact]
    public void A_key_change_is_a_setting_change_and_a_reason_for_every_device()
    {
        var review = One(File(Site(Ahu1, Ahu2)), File(Site(Ahu1, Ahu2).Replace("algorithm: ecdsa", "algorithm: rsa",
            StringComparison.Ordinal)));
        Assert.Equal(new SettingChange("key", "ECDSA P-256", "RSA 2048"), Assert.Single(review.Settings));
        Assert.All(review.Impacts, i => Assert.Equal(CertificateImpact.NeededAnyway, i.Impact));
        Assert.Equal(2, review.Impacts.Length);
        Assert.Equal(0, review.NewRequests);
    }

    [Fact]
    public void Removed_devices_keep_their_old_certificate_status()
    {
        var review = One(File(Site(Ahu1, Ahu2, Vav3), LedgerText()), File(Site(Ahu2, Vav3), LedgerText()));
        var removed = Assert.Single(review.Removed);
        Assert.Equal(("AHU-1", CertificateStatus.Valid, "1001"), (removed.Base!.Name, removed.Base.Status, removed.Base.Serial));
        Assert.Empty(review.Impacts);
    }

    [Fact]
    public void Devices_moving_between_zips_and_batches_over_50_are_reported()
    {
        var batch = Enumerable.Range(0, 51).Select(i => Device($"VAV-{i}", 2000 + i, $"127.0.1.{i}", "floor-2")).ToArray();
        var before = Site([Ahu1, Ahu2, .. batch.Take(50)]);
        var after = Site([Device("AHU-1", 1001, "127.0.0.10", "floor-2"), Ahu2, .. batch]);
        var review = One(File(before), File(after));
        var oversized = Assert.Single(review.OversizedBatches);
        Assert.Equal(new OversizedBatch("floor-2", 52, true), oversized);
        Assert.Contains(review.ZipMoves, m => m.Head!.Name == "AHU-1" && m.Base!.Batch is null && m.Head.Batch == "floor-2");
        Assert.DoesNotContain(review.ZipMoves, m => m.Head!.Name == "VAV-1" && m.Base!.Zip == m.Head.Zip);
    }

    [Fact]
    public void Ledger_changes_between_the_states_are_listed()
    {
        var before = SiteLedger.Empty
            .With(new LedgerEntry("AHU-1", "AHU-1.bms.example", new PendingRequest("sha256:k1", Now.AddDays(-3), "zip-1.zip"), null))
            .With(new LedgerEntry("AHU-2", "AHU-2.bms.example", null,
                new IssuedCertificate("2", "CN=CA", Now.AddDays(-10), Now.AddDays(300), "sha256:c2", "sha256:k2")));
        var after = SiteLedger.Empty
            .With(new LedgerEntry("AHU-1", "AHU-1.bms.example", null,
                new IssuedCertificate("1", "CN=CA", Now.AddDays(-1), Now.AddDays(365), "sha256:c1", "sha256:k1"),
                new CertificateInstall(InstallState.Installed, "sha256:c1", Now)))
            .With(new LedgerEntry("AHU-2", "AHU-2.bms.example", null,
                new IssuedCertificate("2", "CN=CA", Now.AddDays(-10), Now.AddDays(300), "sha256:c2", "sha256:k2", Now)))
            .With(new LedgerEntry("VAV-3", "VAV-3.bms.example", new PendingRequest("sha256:k3", Now, "zip-2.zip"), null));
        var review = One(File(Site(Ahu1, Ahu2, Vav3), LedgerFormat.Write(before, "plant.site.yaml", Now)),
            File(Site(Ahu1, Ahu2, Vav3), LedgerFormat.Write(after, "plant.site.yaml", Now)));
        Assert.Equal(
            [("AHU-1", LedgerEventKind.CertificateImported), ("AHU-1", LedgerEventKind.Installed), ("AHU-2", LedgerEventKind.Revoked),
                ("VAV-3", LedgerEventKind.RequestMade)],
            review.LedgerEvents.Select(e => (e.Device, e.Kind)));
    }

    [Fact]
    public void Findings_are_matched_by_code_and_device_so_an_insertion_above_introduces_only_its_own()
    {
        // AHU-2 already has a bad country; the new device above it brings its own.
        string bad = Device("AHU-2", 1002, "127.0.0.11") + "    subject:\n      country: Germany\n";
        var before = Site(Ahu1, bad, Vav3);
        var after = Site(Device("NEW-0", 1000, "127.0.0.9") + "    subject:\n      country: Deutschland\n", Ahu1, bad, Vav3);
        var beforeCheck = ManifestChecker.Check("plant.site.yaml", before).All.ToList();
        Assert.NotEmpty(beforeCheck);
        var review = One(File(before), File(after));
        var introduced = Assert.Single(review.Introduced);
        Assert.Equal("NEW-0", introduced.Device);
        Assert.Equal(Header.Split('\n').Length + 4, introduced.Line);
        Assert.Empty(review.Fixed);

        var repaired = One(File(after), File(before));
        Assert.Equal("NEW-0", Assert.Single(repaired.Fixed).Device);
        Assert.Empty(repaired.Introduced);
    }

    [Fact]
    public void Certificates_expiring_within_the_window_are_listed()
    {
        var review = One(File(Site(Ahu1, Ahu2, Vav3), LedgerText()), File(Site(Ahu1, Ahu2, Vav3), LedgerText()));
        var expiring = Assert.Single(review.Expiring);
        Assert.Equal(("VAV-3", 10), (expiring.Device, expiring.DaysLeft));
        Assert.True(review.Impacts.IsEmpty && review.Introduced.IsEmpty);
    }

    [Fact]
    public void Broken_yaml_in_either_version_is_reported_and_the_rest_still_compared()
    {
        string broken = "site: [Plant\ndevices: {\n";
        var review = One(File(broken, LedgerText()), File(Site(Ahu1, Ahu2), LedgerText()));
        Assert.Contains(review.Notes, n => n.Contains("base version's YAML cannot be read", StringComparison.Ordinal));
        Assert.NotEmpty(review.Fixed);
        Assert.Empty(review.LedgerEvents);

        var same = One(File(broken, LedgerText()), File(broken, LedgerText()));
        Assert.True(same.IsUnchanged, string.Join("; ", same.Notes));

        var other = One(File(Site(Ahu1, Ahu2), LedgerText()), File(broken, LedgerText()));
        Assert.Contains(other.Notes, n => n.Contains("head version's YAML cannot be read", StringComparison.Ordinal));
        Assert.NotEmpty(other.Introduced);
        Assert.Empty(other.Removed);
    }

    [Fact]
    public void A_damaged_ledger_in_either_version_is_named_with_its_line()
    {
        string damaged = LedgerText().Replace("cn: AHU-2.bms.example", "cn: AHU-9.bms.example", StringComparison.Ordinal);
        var lines = damaged.Split('\n').ToList();
        // The damage is found at the block's check line, below the edited one.
        int line = lines.FindIndex(lines.FindIndex(l => l.Contains("AHU-9", StringComparison.Ordinal)), l =>
            l.StartsWith("  check: ", StringComparison.Ordinal)) + 1;
        foreach (var (before, after, side) in new[] { (damaged, LedgerText(), "base"), (LedgerText(), damaged, "head") })
        {
            var review = One(File(Site(Ahu1, Ahu2), before), File(Site(Ahu1, Device("AHU-2x", 1002, "127.0.0.11")), after));
            var problem = Assert.Single(review.LedgerProblems);
            Assert.Equal((side, "plant.site.ledger", line), (problem.Side, problem.Path, problem.Line));
            Assert.Empty(review.LedgerEvents);
            Assert.Single(review.Renamed);
        }
    }

    [Fact]
    public void A_damaged_ledger_both_versions_share_is_named_in_each_version_with_its_own_path()
    {
        // Both states hold the same ledger text: the review reads it once, and its error still names each state's file.
        string damaged = LedgerText().Replace("cn: AHU-2.bms.example", "cn: AHU-9.bms.example", StringComparison.Ordinal);
        var review = One(new ReviewFile("plant.site.yaml", Site(Ahu1, Ahu2), new LedgerInput("HEAD~1:plant.site.ledger", damaged)),
            new ReviewFile("plant.site.yaml", Site(Ahu1, Device("AHU-2x", 1002, "127.0.0.11")),
                new LedgerInput("HEAD:plant.site.ledger", damaged)));
        Assert.Equal([("base", "HEAD~1:plant.site.ledger"), ("head", "HEAD:plant.site.ledger")],
            review.LedgerProblems.Select(p => (p.Side, p.Path)).Order());
        var shared = One(new ReviewFile("plant.site.yaml", Site(Ahu1, Ahu2), new LedgerInput("HEAD~1:plant.site.ledger", LedgerText())),
            new ReviewFile("plant.site.yaml", Site(Ahu1, Device("AHU-2x", 1002, "127.0.0.11")),
                new LedgerInput("HEAD:plant.site.ledger", LedgerText())));
        Assert.Empty(shared.LedgerProblems);
        Assert.Empty(shared.LedgerEvents);
        Assert.Equal(CertificateImpact.PendingWillNotMatch, Assert.Single(shared.Impacts).Impact);
    }

    [Fact]
    public void A_ledger_that_is_not_text_in_either_version_is_a_ledger_problem_at_line_1_even_beside_broken_yaml()
    {
        var garbage = new LedgerInput("plant.site.ledger", "",
            new LedgerFormatException("plant.site.ledger", 1, "this is not a text file (a NUL byte at offset 3)"));
        foreach (string manifest in new[] { Site(Ahu1, Ahu2), "site: [Plant\n" })
        {
            var review = One(new ReviewFile("plant.site.yaml", Site(Ahu1, Ahu2), garbage),
                new ReviewFile("plant.site.yaml", manifest, new LedgerInput("plant.site.ledger", LedgerText())));
            var problem = Assert.Single(review.LedgerProblems);
            Assert.Equal(("base", "plant.site.ledger", 1), (problem.Side, problem.Path, problem.Line));
            Assert.Contains("NUL byte", problem.Reason, StringComparison.Ordinal);
            var other = One(new ReviewFile("plant.site.yaml", Site(Ahu1, Ahu2), new LedgerInput("plant.site.ledger", LedgerText())),
                new ReviewFile("plant.site.yaml", manifest, garbage));
            Assert.Equal(("head", 1), (Assert.Single(other.LedgerProblems).Side, other.LedgerProblems[0].Line));
            Assert.Empty(other.LedgerEvents);
        }
    }

    [Fact]
    public void A_manifest_missing_in_the_base_is_all_added_and_one_deleted_in_the_head_all_removed()
    {
        var added = Assert.Single(SiteReviewer.Review([], [File(Site(Ahu1, Ahu2))], Now).Manifests);
        Assert.Equal((ManifestChange.Added, 2, 2), (added.Change, added.Added.Length, added.NewRequests));
        var deleted = Assert.Single(SiteReviewer.Review([File(Site(Ahu1, Ahu2), LedgerText())], [], Now).Manifests);
        Assert.Equal((ManifestChange.Deleted, 2, 0), (deleted.Change, deleted.Removed.Length, deleted.NewRequests));
        Assert.Equal("plant.site.yaml", deleted.Path);
    }

    [Fact]
    public void Two_manifests_renamed_into_each_other_are_paired_by_site_name()
    {
        string east = Site(Ahu1).Replace("site: Plant", "site: East", StringComparison.Ordinal);
        string west = Site(Ahu2, Vav3).Replace("site: Plant", "site: West", StringComparison.Ordinal);
        var review = SiteReviewer.Review(
            [File(east, path: "a.site.yaml"), File(west, path: "b.site.yaml")],
            [File(west, path: "a.site.yaml"), File(east, path: "b.site.yaml")], Now);
        Assert.Equal(2, review.Manifests.Length);
        Assert.All(review.Manifests, m =>
        {
            Assert.Equal(ManifestChange.Renamed, m.Change);
            Assert.Empty(m.Added);
            Assert.Empty(m.Removed);
            Assert.Empty(m.Impacts);
        });
        Assert.Equal("b.site.yaml", review.Manifests.Single(m => m.Path == "a.site.yaml").BasePath);
    }

    [Fact]
    public void The_editors_rename_lenses_match_by_instance_then_address_and_word_each_ledger_state()
    {
        var expired = SiteLedger.Empty.With(new LedgerEntry("VAV-3", "VAV-3.bms.example", null,
            new IssuedCertificate("1003", "CN=CA", Now.AddDays(-400), Now.AddDays(-35), "sha256:c3", "sha256:k3")));
        var ledger = LedgerFormat.Read("plant.site.ledger", LedgerText()).With(expired.Find("VAV-3")!);
        var before = ManifestDocument.Parse("plant.site.yaml", Site(Ahu1, Ahu2, Vav3, Device("FCU-4", 1004, "127.0.0.13")));
        // AHU-1 and AHU-2 keep their instance; VAV-3's instance changes but its address stays; FCU-4 only moves batch.
        var after = ManifestDocument.Parse("plant.site.yaml",
            Site(Device("AHU-1-North", 1001, "127.0.0.10"), Device("AHU-2-South", 1002, "127.0.0.11"),
            Device("VAV-3-East", 2003, "127.0.0.12"), Device("FCU-4", 1004, "127.0.0.13", batch: "north")));
        var lenses = SiteReviewer.Renamed(before, after, ledger, Now);
        Assert.Equal(["AHU-1-North", "AHU-2-South", "VAV-3-East"], lenses.Select(l => l.Device.DisplayName));
        Assert.Equal([
            "renamed from AHU-1: its valid certificate (CN AHU-1.bms.example) will not match; a new CSR is needed",
            "renamed from AHU-2: its pending CSR (CN AHU-2.bms.example) will no longer match; a new CSR is needed",
            "renamed from VAV-3: its certificate is expired; a new CSR was needed anyway",
        ], lenses.Select(l => ReviewText.RenameLens(l.Impact)));
        Assert.Empty(SiteReviewer.Renamed(before, ManifestDocument.Parse("plant.site.yaml", "site: [broken"), ledger, Now));
    }
}
