using System.Text;
using CertLsp.Core.Ledger;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Ledger;
using Xunit;

namespace CertLsp.Cli.Tests.Commands;

/// <summary>
/// Issue 12, items 8, 10 and 16 as an engineer meets them: a ledger block lost after the zips went to the CA, keys that no ledger
/// entry names, a renewal's old key, devices with valid certificates, and ledgers that are binary or start with a byte-order mark.
/// </summary>
public sealed class LedgerSafetyCommandTests
{
    private static async Task<Cli.Outcome> RunAsync(params string[] args) => await Cli.RunAsync(args);

    private static (TempSite Site, TestCa Ca) Site(int devices)
    {
        var site = new TempSite(TempSite.Manifest(devices));
        var ca = new TestCa();
        File.WriteAllText(site.File_("ca.pem"), ca.Pem);
        return (site, ca);
    }

    /// <summary>Every key file under the site folder (key folder, quarantine, anywhere), by file name.</summary>
    private static string[] KeyFiles(TempSite site) =>
        [.. Directory.GetFiles(site.Folder, "*.key.pem", SearchOption.AllDirectories).Select(Path.GetFileName).Order(
            StringComparer.Ordinal)!];

    private static string KeyFolder(TempSite site) => Path.Combine(site.Folder, ".certlsp-keys", "site.site");

    /// <summary>Signs every CSR of the given zips (the CA's answer) with the given validity and imports it.</summary>
    private static async Task SignAndImportAsync(TempSite site, TestCa ca, IEnumerable<string> zips, Func<string, DateTime?>? notAfter =
        null,
        string name = "answer.zip")
    {
        var signed = zips.SelectMany(TempSite.Entries).Where(e => e.Key.EndsWith(".pem", StringComparison.Ordinal))
            .Select(e => (e.Key.Replace(".pem", ".crt", StringComparison.Ordinal),
                Encoding.ASCII.GetBytes(ca.Sign(e.Value, notAfter: notAfter?.Invoke(e.Key))))).ToArray();
        string zip = site.File_(name);
        File.WriteAllBytes(zip, TempSite.MakeZip(signed));
        var import = await RunAsync("import", site.ManifestPath, zip);
        Assert.True(import.Exit == 0, import.Stdout + import.Stderr);
    }

    /// <summary>
    /// The issue's steps: request 120 devices, move the zips away (sent to the CA), delete the block of the first device from the
    /// ledger. status, check and csr --keep-pending each report the damage; nothing is written and no key is deleted.
    /// </summary>
    [Fact]
    public async Task A_block_deleted_after_the_zips_were_sent_is_reported_and_no_pending_key_is_deleted()
    {
        var (site, _) = Site(120);
        using (site)
        {
            Assert.Equal(0, (await RunAsync("csr", site.ManifestPath)).Exit);
            string sent = Directory.CreateDirectory(site.File_("sent-to-ca")).FullName;
            foreach (var zip in site.Zips) File.Move(zip, Path.Combine(sent, Path.GetFileName(zip)));
            var keysBefore = KeyFiles(site);
            Assert.Equal(120, keysBefore.Length);
            string text = File.ReadAllText(site.LedgerPath);
            int start = text.IndexOf("\ndevice: dev-01\n", StringComparison.Ordinal), end =
                text.IndexOf("\ndevice: dev-02\n", StringComparison.Ordinal);
            string damaged = text[..start] + text[end..];
            File.WriteAllText(site.LedgerPath, damaged);

            var status = await RunAsync("status", site.ManifestPath);
            Assert.Equal(2, status.Exit);
            Assert.Contains("site.site.ledger:", status.Stderr);
            Assert.Contains("1 is missing", status.Stderr);
            var check = await RunAsync("check", site.ManifestPath);
            Assert.Matches(@"site\.site\.ledger\(\d+,1\): warning CL0405: This ledger cannot be trusted: .*1 is missing", check.Stdout);
            var csr = await RunAsync("csr", site.ManifestPath, "--keep-pending");
            Assert.Equal(2, csr.Exit);
            Assert.Contains("1 is missing", csr.Stderr);
            Assert.DoesNotContain("Recovered from an interrupted run", csr.Stdout);

            Assert.Equal(damaged, File.ReadAllText(site.LedgerPath));
            Assert.Equal(keysBefore, KeyFiles(site));
            Assert.Equal(120, Directory.GetFiles(KeyFolder(site), "*.key.pem").Length);
            Assert.Empty(site.Zips);
        }
    }

    /// <summary>
    /// A ledger the block check cannot catch (written before the blocks line existed) that lost a block: the key of the pending CSR
    /// is moved to the quarantine folder and reported, never deleted, so the CA's certificate can still be matched with it.
    /// </summary>
    [Fact]
    public async Task A_key_no_ledger_entry_names_is_quarantined_and_reported_never_deleted()
    {
        var (site, _) = Site(3);
        using (site)
        {
            Assert.Equal(0, (await RunAsync("csr", site.ManifestPath)).Exit);
            string dev01Key = Assert.Single(KeyFiles(site), k => k.StartsWith("dev-01.", StringComparison.Ordinal));
            // The zip went to the CA (a zip still beside the manifest would give the lost block back: its CSR and key are adopted).
            string sent = Directory.CreateDirectory(site.File_("sent-to-ca")).FullName;
            foreach (var zip in site.Zips) File.Move(zip, Path.Combine(sent, Path.GetFileName(zip)));
            var ledger = LedgerFile.Load(site.LedgerPath);
            // As a ledger of the version before the blocks line (and before the header check) that lost the block of dev-01.
            string old = string.Join('\n', LedgerFormat.Write(ledger with { Entries = ledger.Entries.Remove("dev-01") }, "site.site.yaml",
                DateTimeOffset.UtcNow)
                .Split('\n').Where(l => !l.StartsWith("blocks: ", StringComparison.Ordinal)
                    && !l.StartsWith("header-check: ", StringComparison.Ordinal)));
            File.WriteAllText(site.LedgerPath, old);

            var csr = await RunAsync("csr", site.ManifestPath, "--keep-pending");
            Assert.True(csr.Exit == 0, csr.Stdout + csr.Stderr);
            Assert.DoesNotContain("unused key(s) removed", csr.Stdout);
            Assert.DoesNotContain("Recovered from an interrupted run", csr.Stdout);
            Assert.Contains("Quarantined 1 key(s) that no ledger entry names", csr.Stdout);
            Assert.Contains(dev01Key, csr.Stdout);
            string quarantined = Path.Combine(site.Folder, ".certlsp-keys", "site.site.quarantine", dev01Key);
            Assert.True(File.Exists(quarantined), $"{dev01Key} is not in the quarantine folder: {string.Join(", ", KeyFiles(site))}");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(quarantined));
        }
    }

    /// <summary>
    /// After a renewal was imported the old key is removed by the next run, said as such: nothing was interrupted, so no
    /// "Recovered from an interrupted run".
    /// </summary>
    [Fact]
    public async Task A_key_replaced_by_an_imported_renewal_is_removed_without_claiming_an_interrupted_run()
    {
        var (site, ca) = Site(1);
        using (site)
        {
            Assert.Equal(0, (await RunAsync("csr", site.ManifestPath)).Exit);
            await SignAndImportAsync(site, ca, site.Zips);
            string oldKey = Assert.Single(KeyFiles(site));
            var renewal = await RunAsync("csr", site.ManifestPath, "--devices", "dev-01");
            Assert.True(renewal.Exit == 0, renewal.Stdout + renewal.Stderr);
            string renewalZip = site.Zips.Last();
            await SignAndImportAsync(site, ca, [renewalZip], name: "renewal-answer.zip");
            Assert.Equal(2, KeyFiles(site).Length);

            var next = await RunAsync("csr", site.ManifestPath, "--keep-pending");
            Assert.True(next.Exit == 0, next.Stdout + next.Stderr);
            Assert.DoesNotContain("interrupted", next.Stdout);
            Assert.Contains("Removed 1 key(s) replaced by a renewal", next.Stdout);
            Assert.DoesNotContain(oldKey, KeyFiles(site));
        }
    }

    /// <summary>
    /// By default csr requests only devices without a usable certificate: one valid for a year is listed as not requested, one inside
    /// the warning window is requested; --device NAME and --renew request valid ones on purpose.
    /// </summary>
    [Fact]
    public async Task Csr_requests_only_devices_without_a_usable_certificate_unless_told_to_renew()
    {
        var (site, ca) = Site(3);
        using (site)
        {
            Assert.Equal(0, (await RunAsync("csr", site.ManifestPath)).Exit);
            await SignAndImportAsync(site, ca, site.Zips, entry => entry.StartsWith("dev-02", StringComparison.Ordinal)
                ? DateTime.UtcNow.AddDays(10)
                : null);

            var run = await RunAsync("csr", site.ManifestPath);
            Assert.True(run.Exit == 0, run.Stdout + run.Stderr);
            string until = DateTime.UtcNow.AddDays(365).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Matches($@"dev-01\s+dev-01\.bms\.test\.example\s+has a valid certificate until {until}, not requested", run.Stdout);
            Assert.Matches($@"dev-03\s+dev-03\.bms\.test\.example\s+has a valid certificate until {until}, not requested", run.Stdout);
            Assert.Matches(@"requested\s+dev-02\s", run.Stdout);
            Assert.Contains("Summary: 1 requested, 0 no action taken, 0 failed, 2 not requested (valid certificate; --renew to renew).",
                run.Stdout);
            Assert.Equal(["dev-02"], LedgerFile.Load(site.LedgerPath).Entries.Values.Where(e => e.Pending is not null).Select(e =>
                e.Device));

            var named = await RunAsync("csr", site.ManifestPath, "--keep-pending", "--device", "dev-03");
            Assert.True(named.Exit == 0, named.Stdout + named.Stderr);
            Assert.Contains("Summary: 1 requested", named.Stdout);
            var renew = await RunAsync("csr", site.ManifestPath, "--keep-pending", "--renew");
            Assert.True(renew.Exit == 0, renew.Stdout + renew.Stderr);
            Assert.Contains("Summary: 1 requested, 2 no action taken, 0 failed.", renew.Stdout);
            Assert.All(LedgerFile.Load(site.LedgerPath).Entries.Values, e => Assert.NotNull(e.Pending));
        }
    }

    [Fact]
    public async Task A_binary_ledger_is_a_clear_ledger_error_in_every_command()
    {
        var (site, _) = Site(1);
        using (site)
        {
            File.WriteAllBytes(site.LedgerPath, [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]);
            foreach (var args in new[] { new[] { "csr", site.ManifestPath }, ["status", site.ManifestPath], ["check", site.ManifestPath] })
            {
                var run = await RunAsync(args);
                Assert.DoesNotContain("internal error", run.Stderr);
                Assert.DoesNotContain("manifest is UTF-8 YAML", run.Stderr);
                const string reason = "this is not a text file (a NUL byte at offset 7); a CertLsp ledger is UTF-8 text written by certlsp";
                if (args[0] == "check")
                {
                    // check reports it as a finding on the ledger's first line (CL0405), not on stderr.
                    Assert.Contains($"site.site.ledger(1,1): warning CL0405: This ledger cannot be trusted: {reason}", run.Stdout);
                }
                else
                {
                    Assert.Contains($"site.site.ledger:1: {reason}", run.Stderr);
                    Assert.Equal(2, run.Exit);
                }
            }
        }
    }

    [Fact]
    public async Task A_ledger_that_starts_with_a_byte_order_mark_reads()
    {
        var (site, _) = Site(2);
        using (site)
        {
            Assert.Equal(0, (await RunAsync("csr", site.ManifestPath)).Exit);
            File.WriteAllBytes(site.LedgerPath, [0xEF, 0xBB, 0xBF, .. File.ReadAllBytes(site.LedgerPath)]);
            var status = await RunAsync("status", site.ManifestPath);
            Assert.True(status.Exit == 0, status.Stderr);
            Assert.Matches(@"dev-01\s+dev-01\.bms\.test\.example\s+pending", status.Stdout);
            var check = await RunAsync("check", site.ManifestPath);
            Assert.DoesNotContain("CL0405", check.Stdout, StringComparison.Ordinal);
        }
    }
}
