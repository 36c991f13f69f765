using CertLsp.Core.Ledger;
using CertLsp.Workflows.Ledger;
using CsCheck;

namespace CertLsp.Core.Tests.Ledger;

public sealed class LedgerFormatTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static SiteLedger Sample() => (SiteLedger.Empty with { RequestsThrough = "20261123T110000Z" })
        .With(new LedgerEntry("AHU-2", "AHU-2.bms.example",
            new PendingRequest("sha256:aa", Now.AddHours(-1), "CertificateSigningRequests_X_20261123T110000Z_1-of-1.zip"), null))
        .With(new LedgerEntry("AHU-1", "AHU-1.bms.example", null,
            new IssuedCertificate("1001", "CN=Issuing CA", Now.AddDays(-10), Now.AddDays(355), "sha256:cc", "sha256:bb")));

    [Fact]
    public void Round_trips_and_is_deterministic_with_blocks_sorted_by_device()
    {
        string text = LedgerFormat.Write(Sample(), "x.site.yaml", Now);
        var read = LedgerFormat.Read("x.site.ledger", text);
        Assert.Equal(text, LedgerFormat.Write(read, "x.site.yaml", Now));
        Assert.Equal(["AHU-1", "AHU-2"], read.Entries.Keys);
        Assert.Equal(Sample().Entries["AHU-1"], read.Entries["AHU-1"]);
        Assert.Equal(Sample().Entries["AHU-2"], read.Entries["AHU-2"]);
        Assert.True(text.IndexOf("device: AHU-1", StringComparison.Ordinal) < text.IndexOf("device: AHU-2", StringComparison.Ordinal));
        Assert.Contains("  status: valid\n", text);
        Assert.Contains("  status: pending\n", text);
    }

    [Fact]
    public void Installs_round_trip_inside_the_checked_block_and_ledgers_without_them_still_read()
    {
        var installed = new CertificateInstall(InstallState.Installed, "sha256:cc", Now.AddMinutes(-5));
        var failed = new CertificateInstall(InstallState.Failed, "sha256:cc", Now,
            "device 1 at 127.0.0.2:47808: ReinitializeDevice ACTIVATE_CHANGES: error device/invalid-configuration-data");
        foreach (var install in new[] { installed, failed, new CertificateInstall(InstallState.Pending, "sha256:cc") })
        {
            var ledger = Sample().With(Sample().Entries["AHU-1"] with { Install = install });
            string text = LedgerFormat.Write(ledger, "x.site.yaml", Now);
            Assert.Contains($"  install: {install.State.ToString().ToLowerInvariant()}\n  install-sha256: sha256:cc\n", text);
            var read = LedgerFormat.Read("x.site.ledger", text);
            Assert.Equal(install, read.Entries["AHU-1"].Install);
            Assert.Equal(text, LedgerFormat.Write(read, "x.site.yaml", Now));
            // the install lines are covered by the block's check line
            var error = Assert.Throws<LedgerFormatException>(() =>
                LedgerFormat.Read("l", text.Replace("install-sha256: sha256:cc", "install-sha256: sha256:dd", StringComparison.Ordinal)));
            Assert.Contains("edited by hand", error.Reason);
        }
        // A ledger written before installs were recorded: no install, the same bytes written back.
        string old = LedgerFormat.Write(Sample(), "x.site.yaml", Now);
        Assert.DoesNotContain("install", old);
        var entry = LedgerFormat.Read("l", old).Entries["AHU-1"];
        Assert.Null(entry.Install);
        Assert.Equal(InstallState.Pending, entry.InstallStateOfCertificate);
    }

    [Fact]
    public void Verifications_round_trip_inside_the_checked_block_and_ledgers_without_them_still_read()
    {
        var cases = new[]
        {
            new DeviceVerification(VerificationResult.Joined, Now, DeviceVerification.JoinedText),
            new DeviceVerification(VerificationResult.Refused, Now.AddMinutes(-1),
                "handshake refused: certificate from another CA (issued by CN=Other, not by a configured issuer)"),
            new DeviceVerification(VerificationResult.NotJoined, Now, "did not answer over BACnet/SC"),
            new DeviceVerification(VerificationResult.Mismatch, Now, "it reports another certificate"),
            new DeviceVerification(VerificationResult.NotVerified, Now, "not verified: the connection to the hub was lost"),
        };
        var install = new CertificateInstall(InstallState.Installed, "sha256:cc", Now);
        var texts = cases.Select(v => LedgerFormat.Write(Sample().With(
            Sample().Entries["AHU-1"] with { Install = install, Verification = v }),
            "x.site.yaml", Now)).ToList();
        for (int i = 0; i < cases.Length; i++)
        {
            Assert.Contains($"  verify: {DeviceVerification.Name(cases[i].Result)}\n  verify-at: ", texts[i]);
            var read = LedgerFormat.Read("x.site.ledger", texts[i]).Entries["AHU-1"];
            Assert.Equal((install, cases[i]), (read.Install, read.Verification));
            Assert.Equal(texts[i], LedgerFormat.Write(LedgerFormat.Read("l", texts[i]), "x.site.yaml", Now));
            // the verify lines are covered by the block's check line
            Assert.Contains("edited by hand", Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l",
                texts[i].Replace("  verify-reason: ", "  verify-reason: x", StringComparison.Ordinal))).Reason);
        }
        // A ledger written before verifications were recorded: none, the same bytes written back.
        string old = LedgerFormat.Write(Sample(), "x.site.yaml", Now);
        Assert.DoesNotContain("verify", old);
        Assert.Null(LedgerFormat.Read("l", old).Entries["AHU-1"].Verification);
    }

    [Theory]
    [InlineData("  verify: fine\n  verify-at: 2026-11-23T12:00:00Z\n  verify-reason: x\n", "not a verification result")]
    [InlineData("  verify-at: 2026-11-23T12:00:00Z\n", "“verify-at” without “verify”")]
    [InlineData("  verify: joined\n  verify-at: 2026-11-23T12:00:00Z\n", "has no “verify-reason”")]
    [InlineData("  verify: joined\n  verify-at: noon\n  verify-reason: x\n", "not a UTC time")]
    public void Damaged_verify_fields_are_reported(string fields, string reason) => Damaged_install_fields_are_reported(fields, reason);

    [Theory]
    [InlineData("  install: maybe\n  install-sha256: sha256:cc\n", "not an install state")]
    [InlineData("  install-sha256: sha256:cc\n", "“install-sha256” without “install”")]
    [InlineData("  install: installed\n", "has no “install-sha256”")]
    public void Damaged_install_fields_are_reported(string fields, string reason)
    {
        var block = new List<string> { "device: A", "  cn: a", "  status: none" };
        block.AddRange(fields.TrimEnd('\n').Split('\n'));
        string check = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Join("\n", block))))[..16];
        string text = "ledger: 1\n\n" + string.Join("\n", block) + $"\n  check: {check}\n";
        Assert.Contains(reason, Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", text)).Reason);
    }

    [Fact]
    public void A_hand_edit_is_reported_with_the_line_of_the_blocks_check()
    {
        string text = LedgerFormat.Write(Sample(), "x.site.yaml", Now).Replace("certificate-serial: 1001", "certificate-serial: 1002",
            StringComparison.Ordinal);
        var lines = text.Split('\n');
        int checkLine = Array.FindIndex(lines, l => l.StartsWith("  check:", StringComparison.Ordinal)) + 1;
        var error = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("x.site.ledger", text));
        Assert.Equal(checkLine, error.Line);
        Assert.Contains("edited by hand", error.Reason);
        Assert.StartsWith($"x.site.ledger:{checkLine}:", error.Message);
    }

    [Theory]
    [InlineData("", 1, "not a CertLsp ledger")]
    [InlineData("ledger: 2\n", 1, "not one this version")]
    [InlineData("ledger: 1\nfoo: bar\n", 2, "unexpected “foo”")]
    [InlineData("ledger: 1\n\ndevice: A\n  cn: A\n", 4, "without its check line")]
    [InlineData("ledger: 1\n\ndevice: A\n  color: red\n", 4, "unknown field")]
    [InlineData("ledger: 1\n\nAHU-1\n", 3, "expected “key: value”")]
    [InlineData("ledger: 1\n\ndevice: A\n  cn: a\n  status: none\n  check: 66012fa6fa19ce27\nAHU-1\n", 7, "to start a block")]
    [InlineData("ledger: 1\nrequests-through: yesterday\n", 2, "not a run timestamp")]
    public void Damage_is_reported_with_its_line(string text, int line, string reason)
    {
        var error = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", text));
        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Reason);
    }

    [Theory]
    [InlineData("requests-through: 20261123T110000Z", "requests-through: 20261123T110001Z")]
    [InlineData("run-open: 20261123T100000Z", "run-open: 20251123T100000Z")]
    [InlineData("run-open: 20261123T100000Z\n", "")]
    public void A_changed_run_timestamp_is_reported_at_the_headers_check_line(string from, string to)
    {
        string text = LedgerFormat.Write(Sample() with { RunOpen = "20261123T100000Z" }, "x.site.yaml", Now);
        Assert.Equal(Sample() with { RunOpen = "20261123T100000Z" }, LedgerFormat.Read("l", text), LedgerEquality.Instance);
        string edited = text.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(text, edited);
        int checkLine = Array.FindIndex(edited.Split('\n'), l => l.StartsWith("header-check: ", StringComparison.Ordinal)) + 1;
        var error = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", edited));
        Assert.Equal(checkLine, error.Line);
        Assert.Contains("header", error.Reason);
        Assert.Contains("edited by hand", error.Reason);
    }

    [Fact]
    public void A_ledger_written_before_the_header_check_still_reads()
    {
        string text = LedgerFormat.Write(Sample(), "x.site.yaml", Now);
        // Written before the header check (and the blocks line, which came after it) existed.
        string old = string.Join('\n', text.Split('\n').Where(l => !l.StartsWith("header-check: ", StringComparison.Ordinal)
            && !l.StartsWith("blocks: ", StringComparison.Ordinal)));
        Assert.NotEqual(text, old);
        Assert.Equal(Sample(), LedgerFormat.Read("l", old), LedgerEquality.Instance);
        Assert.Equal(text, LedgerFormat.Write(LedgerFormat.Read("l", old), "x.site.yaml", Now));  // the next write adds the check
    }

    [Theory]
    [InlineData("ledger: 1\nheader-check: eee07f03dc4639c6\nrequests-through: 20261123T110000Z\n", 3, "after the header's check line")]
    [InlineData("ledger: 1\nheader-check: eee07f03dc4639c7\n", 2, "does not match its check line")]
    public void The_header_check_line_closes_the_header(string text, int line, string reason)
    {
        Assert.Empty(LedgerFormat.Read("l", "ledger: 1\nheader-check: eee07f03dc4639c6\n").Entries);
        var error = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", text));
        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Reason);
    }

    private sealed class LedgerEquality : IEqualityComparer<SiteLedger>
    {
        public static readonly LedgerEquality Instance = new();
        public bool Equals(SiteLedger? a, SiteLedger? b) => a is not null && b is not null && a.RequestsThrough == b.RequestsThrough
            && a.RunOpen == b.RunOpen && a.Entries.Values.SequenceEqual(b.Entries.Values);
        public int GetHashCode(SiteLedger ledger) => 0;
    }

    [Fact]
    public void Blocks_out_of_order_or_repeated_are_reported()
    {
        string one = LedgerFormat.Write(SiteLedger.Empty.With(new LedgerEntry("B", "b", null, null)), "x", Now);
        string block = one[one.IndexOf("\ndevice:", StringComparison.Ordinal)..];
        var error = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", one + block));
        Assert.Contains("second block", error.Reason);
        string a = LedgerFormat.Write(SiteLedger.Empty.With(new LedgerEntry("A", "a", null, null)), "x", Now);
        Assert.Contains("out of order", Assert.Throws<LedgerFormatException>(() =>
            LedgerFormat.Read("l", one + a[a.IndexOf("\ndevice:", StringComparison.Ordinal)..])).Reason);
    }

    [Fact]
    public void Any_device_name_and_cn_round_trip_on_one_line_each()
    {
        Gen.String.Where(s => s.Length > 0).Select(Gen.String).Sample((name, cn) =>
        {
            var ledger = SiteLedger.Empty.With(new LedgerEntry(name, cn, null, null));
            string text = LedgerFormat.Write(ledger, "x", Now);
            var read = LedgerFormat.Read("l", text);
            return read.Entries.Count == 1 && read.Entries.Single().Value == ledger.Entries.Single().Value
                && text.Split('\n').Count(l => l.StartsWith("device: ", StringComparison.Ordinal)) == 1;
        }, iter: 2000);
    }

    [Fact]
    public void Saving_writes_only_when_the_text_changes()
    {
        string folder = Path.Combine(Path.GetTempPath(), "certlsp-ledger-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string path = Path.Combine(folder, "x.site.ledger");
            Assert.True(LedgerFile.Save(path, Sample(), "x.site.yaml", Now));
            var stamp = File.GetLastWriteTimeUtc(path);
            Assert.False(LedgerFile.Save(path, Sample(), "x.site.yaml", Now));
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
            Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
            Assert.Equal(Path.Combine(folder, "x.site.ledger"), LedgerFile.PathFor(Path.Combine(folder, "x.site.yaml")));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
