using System.Text;
using System.Text.Json;
using CertLsp.Core.Tests.Certificates;
using Xunit;

namespace CertLsp.Cli.Tests.Commands;

/// <summary>The csr, import and status commands end to end, in process, as an engineer runs them.</summary>
public sealed class CsrImportStatusCommandTests
{
    private sealed record Run(int Exit, string Stdout, string Stderr);

    private static async Task<Run> CliAsync(params string[] args)
    {
        var outcome = await Cli.RunAsync(args);
        return new Run(outcome.Exit, outcome.Stdout, outcome.Stderr);
    }

    private static TempSite Site(int devices = 3)
    {
        var site = new TempSite(TempSite.Manifest(devices));
        File.WriteAllText(site.File_("ca.pem"), new TestCa().Pem);
        return site;
    }

    [Fact]
    public async Task Csr_reports_per_zip_and_a_summary_then_stops_at_pending_csrs_until_told_keep_or_overwrite()
    {
        using var site = Site();
        var first = await CliAsync("csr", site.ManifestPath);
        Assert.Equal(0, first.Exit);
        Assert.Contains("_1-of-1.zip: 3 requested, 0 failed", first.Stdout);
        Assert.Contains("Summary: 3 requested, 0 no action taken, 0 failed.", first.Stdout);

        var again = await CliAsync("csr", site.ManifestPath);
        Assert.Equal(1, again.Exit);
        Assert.Contains("3 devices have a pending CSR", again.Stderr);
        Assert.Contains("dev-02", again.Stderr);
        Assert.Contains("--keep-pending", again.Stderr);
        Assert.Single(site.Zips);

        var keep = await CliAsync("csr", site.ManifestPath, "--keep-pending");
        Assert.Equal(0, keep.Exit);
        Assert.Contains("Summary: 0 requested, 3 no action taken, 0 failed.", keep.Stdout);

        var overwrite = await CliAsync("csr", site.ManifestPath, "--overwrite-pending", "--devices", "dev-01");
        Assert.Equal(0, overwrite.Exit);
        Assert.Contains("the old request", overwrite.Stdout);
        Assert.Contains("is void", overwrite.Stdout);
        Assert.Contains("Summary: 1 requested, 0 no action taken, 0 failed.", overwrite.Stdout);

        Assert.Equal(2, (await CliAsync("csr", site.ManifestPath, "--keep-pending", "--overwrite-pending")).Exit);
    }

    [Fact]
    public async Task Csr_and_status_show_the_commissioning_tools_own_certificate()
    {
        using var site = new TempSite(TempSite.Manifest(1).Replace("devices:\n",
            "bacnet:\n  secureConnect:\n    primaryHub: wss://127.0.0.2:47843\n    tool:\n      name: ops-tool\ndevices:\n",
            StringComparison.Ordinal));
        File.WriteAllText(site.File_("ca.pem"), new TestCa().Pem);
        var csr = await CliAsync("csr", site.ManifestPath);
        Assert.True(csr.Exit == 0, csr.Stderr);
        Assert.Contains("tool ops-tool", csr.Stdout);
        Assert.Contains("ops-tool.bms.test.example  requested (clientAuth)", csr.Stdout);
        Assert.Contains("Summary: 2 requested", csr.Stdout);

        var status = await CliAsync("status", site.ManifestPath);
        var row = Assert.Single(status.Stdout.Split('\n'), l => l.StartsWith("tool ops-tool", StringComparison.Ordinal));
        Assert.Contains("ops-tool.bms.test.example", row);
        Assert.Contains("pending", row);
        using var json = JsonDocument.Parse((await CliAsync("status", site.ManifestPath, "--format", "json")).Stdout);
        var tool = Assert.Single(json.RootElement.EnumerateArray(), r => r.TryGetProperty("tool", out var t) && t.GetBoolean());
        Assert.Equal(("ops-tool", "pending"), (tool.GetProperty("device").GetString(), tool.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Csr_follows_certlsp_json_and_suppression_comments_as_check_does()
    {
        using var site = new TempSite(TempSite.Manifest(2).Replace("instance: 1002", "instance: 1001", StringComparison.Ordinal));
        File.WriteAllText(site.File_("ca.pem"), new TestCa().Pem);
        var refused = await CliAsync("csr", site.ManifestPath);
        Assert.Equal((2, 1), (refused.Exit, (await CliAsync("check", site.ManifestPath)).Exit));
        Assert.Contains("1 error", refused.Stderr);
        Assert.Empty(site.Zips);

        File.WriteAllText(site.File_("certlsp.json"), """{ "rules": { "CL0601": "off" } }""");
        Assert.Equal(0, (await CliAsync("check", site.ManifestPath)).Exit);
        var run = await CliAsync("csr", site.ManifestPath);
        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Contains("Summary: 2 requested, 0 no action taken, 0 failed.", run.Stdout);
    }

    [Fact]
    public async Task Csr_cari_and_out_folder()
    {
        using var site = Site(2);
        string outFolder = site.File_("out");
        var run = await CliAsync("csr", site.ManifestPath, "--format", "cari", "--out", outFolder);
        Assert.Equal(0, run.Exit);
        var zip = Assert.Single(Directory.GetFiles(outFolder, "*.zip"));
        Assert.Contains("cert1/device-1001/port-1/csr-dev-01.bms.test.example.pem", TempSite.Entries(zip).Keys);
    }

    [Fact]
    public async Task A_damaged_ledger_stops_every_command_with_its_line_and_is_not_overwritten()
    {
        using var site = Site(1);
        await CliAsync("csr", site.ManifestPath);
        string damaged = File.ReadAllText(site.LedgerPath).Replace("status: pending", "status: valid", StringComparison.Ordinal);
        File.WriteAllText(site.LedgerPath, damaged);
        foreach (var args in new[] { new[] { "csr", site.ManifestPath, "--overwrite-pending" }, ["status", site.ManifestPath],
            ["import", site.ManifestPath, site.Zips[0]] })
        {
            var run = await CliAsync(args);
            Assert.Equal(2, run.Exit);
            Assert.Matches(@"site\.site\.ledger:\d+: the block of “dev-01”", run.Stderr);
        }
        Assert.Equal(damaged, File.ReadAllText(site.LedgerPath));
        var check = await CliAsync("check", site.ManifestPath);
        // check runs, and reports the ledger as a finding on it (CL0405, a warning by default).
        Assert.Matches(@"site\.site\.ledger\(\d+,1\): warning CL0405: ", check.Stdout);
    }

    [Fact]
    public async Task Full_job_csr_sign_import_status_with_no_private_key_in_any_output()
    {
        using var site = Site(3);
        var ca = new TestCa();
        File.WriteAllText(site.File_("ca.pem"), ca.Pem);
        var outputs = new List<string>();
        var csr = await CliAsync("csr", site.ManifestPath);
        outputs.AddRange([csr.Stdout, csr.Stderr]);

        var signed = TempSite.Entries(site.Zips.Single()).Select(e =>
            (e.Key.Replace(".pem", ".crt", StringComparison.Ordinal), Encoding.ASCII.GetBytes(ca.Sign(e.Value)))).ToList();
        var csrs = TempSite.Entries(site.Zips.Single());
        signed.Add(("issuer/iss-1.pem", Encoding.ASCII.GetBytes(ca.Pem)));
        string zip = site.File_("signed-by-ca.zip");
        File.WriteAllBytes(zip, TempSite.MakeZip([.. signed]));
        var import = await CliAsync("import", site.ManifestPath, zip);
        outputs.AddRange([import.Stdout, import.Stderr]);
        Assert.Equal(0, import.Exit);
        Assert.Contains("Summary: 3 accepted, 0 already imported, 0 rejected, 1 other files.", import.Stdout);
        Assert.Contains("accepted         dev-01.bms.test.example.crt (dev-01): accepted; bundle dev-01.chain.pem, dev-01.p12",
            import.Stdout);

        var again = await CliAsync("import", site.ManifestPath, zip);
        Assert.Contains("Summary: 0 accepted, 3 already imported", again.Stdout);
        Assert.Contains("Ledger unchanged.", again.Stdout);

        var status = await CliAsync("status", site.ManifestPath);
        outputs.AddRange([status.Stdout, status.Stderr]);
        Assert.Equal(0, status.Exit);
        Assert.Matches(@"DEVICE\s+CN\s+STATUS\s+NOT AFTER\s+DAYS LEFT\s+PENDING SINCE", status.Stdout);
        Assert.Matches(@"dev-01\s+dev-01\.bms\.test\.example\s+valid\s+\d{4}-\d{2}-\d{2}\s+36[45]\s+-", status.Stdout);

        var json = await CliAsync("status", site.ManifestPath, "--format", "json");
        var rows = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal(3, rows.GetArrayLength());
        Assert.Equal("valid", rows[0].GetProperty("status").GetString());
        Assert.True(rows[0].GetProperty("daysLeft").GetInt32() >= 364);

        string bundles = Path.Combine(site.Folder, "certificates", "site.site");
        PrivateKeyScan.AssertAbsent(site, [.. site.Zips, site.LedgerPath, zip, .. Directory.GetFiles(bundles, "*.chain.pem")], outputs);
        Assert.DoesNotContain(File.ReadAllText(Path.Combine(bundles, "dev-01.p12.pass")).Trim(), string.Concat(outputs));
    }
}
