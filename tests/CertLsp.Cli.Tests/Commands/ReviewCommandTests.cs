using System.Text.Json;
using CertLsp.Core.Ledger;
using CertLsp.Core.Tests.Interop;
using Xunit;

namespace CertLsp.Cli.Tests.Commands;

/// <summary>
/// <c>certlsp review</c> on temporary git repositories with two commits, run as its own process (it reads git in its working folder).
/// </summary>
public sealed class ReviewCommandTests : WithTempFolder
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private const string Header = "site: Plant\ndomain: bms.example\nsubject:\n  country: DE\n  state: Bavaria\n  locality: Munich\n"
        + "  organization: Example AG\n  organizationalUnit: Facilities\nkey:\n  algorithm: ecdsa\ndevices:\n"
        + "  - name: AHU-1\n    instance: 1001\n    address: 127.0.0.10\n";

    private static string Site(string extra = "") => Header + "  - name: AHU-2\n    instance: 1002\n    address: 127.0.0.11\n" + extra;

    /// <summary>AHU-1 holds a valid certificate, AHU-2 waits for one.</summary>
    private static string Ledger() => LedgerFormat.Write(SiteLedger.Empty
        .With(new LedgerEntry("AHU-1", "AHU-1.bms.example", null,
            new IssuedCertificate("1001", "CN=CA", Now.AddDays(-10), Now.AddDays(300), "sha256:c1", "sha256:k1")))
        .With(new LedgerEntry("AHU-2", "AHU-2.bms.example", new PendingRequest("sha256:k2", Now.AddDays(-1), "zip-1.zip"), null)),
        "plant.site.yaml", Now);

    private string Repo => Path.Combine(Temp.Path, "repo");

    private void Git(params string[] args) => Cli.Git(Repo, args);

    /// <summary>A repository whose first commit has the site and its ledger, the second the given manifest text.</summary>
    private void TwoCommits(string head)
    {
        Directory.CreateDirectory(Path.Combine(Repo, "sites"));
        Git("init", "-q");
        File.WriteAllText(Path.Combine(Repo, "sites", "plant.site.yaml"), Site());
        File.WriteAllText(Path.Combine(Repo, "sites", "plant.site.ledger"), Ledger());
        Git("add", "-A");
        Git("commit", "-q", "-m", "base");
        File.WriteAllText(Path.Combine(Repo, "sites", "plant.site.yaml"), head);
        Git("commit", "-q", "-a", "--allow-empty", "-m", "head");
    }

    private static string Renamed => Site().Replace("name: AHU-1\n", "name: AHU-1-North\n", StringComparison.Ordinal);

    [Fact]
    public void A_rename_between_two_commits_voids_the_valid_certificate_and_fails_on_certificate_impact()
    {
        TwoCommits(Renamed);
        var outcome = Cli.RunProcess(Repo, "review", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", "--fail-on",
            "certificate-impact");
        Assert.True(outcome.Exit == 1, outcome.ToString());
        using var json = JsonDocument.Parse(outcome.Stdout);
        var manifest = Assert.Single(json.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal("sites/plant.site.yaml", manifest.GetProperty("path").GetString());
        var renamed = Assert.Single(manifest.GetProperty("renamed").EnumerateArray());
        Assert.Equal("AHU-1.bms.example", renamed.GetProperty("base").GetProperty("commonName").GetString());
        Assert.Equal("AHU-1-North.bms.example", renamed.GetProperty("head").GetProperty("commonName").GetString());
        var impact = Assert.Single(manifest.GetProperty("impacts").EnumerateArray());
        Assert.Equal("mustRequestAgain", impact.GetProperty("impact").GetString());
        Assert.Equal("1001", impact.GetProperty("baseSerial").GetString());

        // A manifest named alone brings its ledger: the same impact.
        var named = Cli.RunProcess(Repo, "review", "--base", "HEAD~1", "--head", "HEAD", "sites/plant.site.yaml", "--format", "json");
        Assert.True(named.Exit == 0, named.ToString());
        using var namedJson = JsonDocument.Parse(named.Stdout);
        var namedImpact = Assert.Single(Assert.Single(namedJson.RootElement.GetProperty("manifests").EnumerateArray()).GetProperty(
            "impacts").EnumerateArray());
        Assert.Equal(("mustRequestAgain", "1001"), (namedImpact.GetProperty("impact").GetString(),
            namedImpact.GetProperty("baseSerial").GetString()));
        Assert.Equal(1, json.RootElement.GetProperty("summary").GetProperty("newRequests").GetInt32());

        var lenient = Cli.RunProcess(Repo, "review", "--base", "HEAD~1", "--head", "HEAD");
        Assert.True(lenient.Exit == 0, lenient.ToString());
        Assert.Contains("AHU-1-North: its valid certificate (serial 1001, CN AHU-1.bms.example) will not match: a new CSR is needed",
            lenient.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_working_tree_is_the_default_head_and_markdown_has_a_headline_a_table_and_folded_details()
    {
        TwoCommits(Site());
        File.WriteAllText(Path.Combine(Repo, "sites", "plant.site.yaml"),
            Site().Replace("Example AG", "Example GmbH", StringComparison.Ordinal));
        var outcome = Cli.RunProcess(Repo, "review", "--base", "HEAD", "--format", "markdown");
        Assert.True(outcome.Exit == 0, outcome.ToString());
        var lines = outcome.StdoutLines;
        Assert.Equal("### CertLsp review HEAD → working tree", lines[0]);
        Assert.Contains("**1 manifest changed: 1 new certificate request", outcome.Stdout, StringComparison.Ordinal);
        Assert.Contains(
            "| AHU-2 | AHU-2.bms.example | AHU-2.bms.example | its pending CSR (CN AHU-2.bms.example) will no longer match: a new CSR is " +
            "needed |", lines);
        Assert.Contains(
            "| AHU-1 | AHU-1.bms.example | AHU-1.bms.example | its certificate (serial 1001) stays valid as issued; the next request " +
            "carries the new settings |", lines);
        Assert.Contains("<details><summary>Details</summary>", lines);
        Assert.Contains("- subject.organization: Example AG → Example GmbH", lines);
    }

    [Fact]
    public void New_errors_fail_and_sarif_carries_only_the_introduced_findings()
    {
        // The base already has a finding (an unknown key); the head adds a device with a bad country.
        string before = Site("    adress: x\n");
        Directory.CreateDirectory(Path.Combine(Repo, "sites"));
        Git("init", "-q");
        File.WriteAllText(Path.Combine(Repo, "sites", "plant.site.yaml"), before);
        Git("add", "-A");
        Git("commit", "-q", "-m", "base");
        File.WriteAllText(Path.Combine(Repo, "sites", "plant.site.yaml"),
            before.Replace("devices:\n",
                "devices:\n  - name: NEW-0\n    instance: 1000\n    address: 127.0.0.9\n    subject:\n      country: Germany\n",
                StringComparison.Ordinal));
        var outcome = Cli.RunProcess(Repo, "review", "--base", "HEAD", "--format", "sarif", "--fail-on", "new-errors");
        Assert.True(outcome.Exit == 1, outcome.ToString());
        using var sarif = JsonDocument.Parse(outcome.Stdout);
        var result = Assert.Single(sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray());
        Assert.Equal("CL0102", result.GetProperty("ruleId").GetString());
        var region = result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
        Assert.Equal(16, region.GetProperty("startLine").GetInt32());
        Assert.Equal(0, Cli.RunProcess(Repo, "review", "--base", "HEAD", "--fail-on", "none").Exit);
    }

    /// <summary>A new device with a country that is not ISO 3166 (CL0102, an error); <paramref name="comment"/> goes before the
    /// country.</summary>
    private static string WithBadCountry(string comment = "") => Site().Replace("devices:\n",
        $"devices:\n  - name: NEW-0\n    instance: 1000\n    address: 127.0.0.9\n    subject:\n{comment}      country: Germany\n",
        StringComparison.Ordinal);

    /// <summary>A repository in <paramref name="name"/> with the site, then the bad country, a certlsp.json committed at its top in
    /// both; the review of the two commits as SARIF.</summary>
    private Cli.Outcome ReviewInRepository(string name, string? config, string comment = "")
    {
        string repo = Path.Combine(Temp.Path, name);
        Directory.CreateDirectory(Path.Combine(repo, "sites"));
        Cli.Git(repo, "init", "-q");
        File.WriteAllText(Path.Combine(repo, "sites", "plant.site.yaml"), Site());
        if (config is not null) File.WriteAllText(Path.Combine(repo, "certlsp.json"), config);
        Cli.Git(repo, "add", "-A");
        Cli.Git(repo, "commit", "-q", "-m", "base");
        File.WriteAllText(Path.Combine(repo, "sites", "plant.site.yaml"), WithBadCountry(comment));
        Cli.Git(repo, "commit", "-q", "-a", "-m", "head");
        return Cli.RunProcess(repo, "review", "--base", "HEAD~1", "--head", "HEAD", "--format", "sarif", "--fail-on", "new-errors");
    }

    private static int SarifResults(Cli.Outcome outcome)
    {
        using var sarif = JsonDocument.Parse(outcome.Stdout);
        return sarif.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength();
    }

    [Fact]
    public void A_rule_turned_off_in_certlsp_json_or_a_suppressed_finding_is_not_introduced_and_does_not_fail()
    {
        var plain = ReviewInRepository("plain", null);
        Assert.True(plain.Exit == 1, plain.ToString());
        Assert.Equal(1, SarifResults(plain));

        var off = ReviewInRepository("off", """{ "rules": { "CL0102": "off" } }""");
        Assert.True(off.Exit == 0, off.ToString());
        Assert.Equal(0, SarifResults(off));

        // Lowered to a warning it is still introduced, as a warning, and new-errors does not fail.
        var lowered = ReviewInRepository("lowered", """{ "rules": { "CL0102": "warning" } }""");
        Assert.True(lowered.Exit == 0, lowered.ToString());
        using (var sarif = JsonDocument.Parse(lowered.Stdout))
        {
            var result = Assert.Single(sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray());
            Assert.Equal(("CL0102", "warning"), (result.GetProperty("ruleId").GetString(), result.GetProperty("level").GetString()));
        }

        var suppressed = ReviewInRepository("suppressed", null, "      # certlsp-disable-next-line CL0102 -- the CA accepts it\n");
        Assert.True(suppressed.Exit == 0, suppressed.ToString());
        Assert.Equal(0, SarifResults(suppressed));
        var text = Cli.RunProcess(Path.Combine(Temp.Path, "suppressed"), "review", "--base", "HEAD~1", "--head", "HEAD", "--format",
            "json");
        using var json = JsonDocument.Parse(text.Stdout);
        var manifest = Assert.Single(json.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal(0, manifest.GetProperty("introduced").GetArrayLength());
        Assert.Equal(0, json.RootElement.GetProperty("summary").GetProperty("introducedErrors").GetInt32());
    }

    [Fact]
    public void The_working_tree_and_two_folders_use_the_certlsp_json_of_their_own_state()
    {
        // Committed without certlsp.json; the working tree adds one that turns the rule off: the head (working tree) follows it.
        var committed = ReviewInRepository("tree", null);
        Assert.Equal(1, committed.Exit);
        string repo = Path.Combine(Temp.Path, "tree");
        File.WriteAllText(Path.Combine(repo, "sites", "certlsp.json"), """{ "rules": { "CL0102": "off" } }""");
        var tree = Cli.RunProcess(repo, "review", "--base", "HEAD~1", "--format", "sarif", "--fail-on", "new-errors");
        Assert.True(tree.Exit == 0, tree.ToString());
        Assert.Equal(0, SarifResults(tree));

        // Two folders: the new folder's certlsp.json applies to the new state only.
        Temp.Write("old/plant.site.yaml", Site());
        Temp.Write("new/plant.site.yaml", WithBadCountry());
        Assert.Equal(1, Cli.RunProcess(Temp.Path, "review", "old", "new", "--fail-on", "new-errors").Exit);
        Temp.Write("old/certlsp.json", """{ "rules": { "CL0102": "off" } }""");
        Assert.Equal(1, Cli.RunProcess(Temp.Path, "review", "old", "new", "--fail-on", "new-errors").Exit);
        Temp.Write("new/certlsp.json", """{ "rules": { "CL0102": "off" } }""");
        var folders = Cli.RunProcess(Temp.Path, "review", "old", "new", "--format", "markdown", "--fail-on", "new-errors");
        Assert.True(folders.Exit == 0, folders.ToString());
        Assert.DoesNotContain("CL0102", folders.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_revision_missing_from_a_shallow_clone_is_said_clearly()
    {
        TwoCommits(Renamed);
        var missing = Cli.RunProcess(Repo, "review", "--base", "no-such-branch");
        Assert.True(missing.Exit == 2, missing.ToString());
        Assert.Contains("the revision “no-such-branch” is not in this clone", missing.Stderr, StringComparison.Ordinal);
        Assert.Empty(missing.Stdout);
        var head = Cli.RunProcess(Repo, "review", "--base", "HEAD~1", "--head", "no-such-tag");
        Assert.True(head.Exit == 2, head.ToString());
        Assert.Contains("the revision “no-such-tag” is not in this clone", head.Stderr, StringComparison.Ordinal);

        var clone = NodeTool.RunProcess("git", ["clone", "-q", "--depth", "1", "file://" + Repo, "shallow"], "", TimeSpan.FromSeconds(60),
            Temp.Path);
        Assert.True(clone.ExitCode == 0, clone.Stderr);
        var shallow = Cli.RunProcess(Path.Combine(Temp.Path, "shallow"), "review", "--base", "HEAD~1");
        Assert.True(shallow.Exit == 2, shallow.ToString());
        Assert.Contains("is not in this clone (it is a shallow clone", shallow.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Deleted_and_broken_manifests_give_a_report_not_a_crash()
    {
        TwoCommits("site: [Plant\ndevices: {\n");
        var broken = Cli.RunProcess(Repo, "review", "--base", "HEAD~1", "--head", "HEAD");
        Assert.True(broken.Exit == 0, broken.ToString());
        Assert.Contains("the head version's YAML cannot be read", broken.Stdout, StringComparison.Ordinal);

        Git("rm", "-q", "sites/plant.site.yaml");
        Git("commit", "-q", "-m", "delete");
        var deleted = Cli.RunProcess(Repo, "review", "--base", "HEAD~2", "--head", "HEAD", "--format", "json");
        Assert.True(deleted.Exit == 0, deleted.ToString());
        using var json = JsonDocument.Parse(deleted.Stdout);
        var manifest = Assert.Single(json.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal("deleted", manifest.GetProperty("change").GetString());
        Assert.Equal(2, manifest.GetProperty("removed").GetArrayLength());

        // The deleted file named as the path to review, against the working tree that no longer has it.
        var named = Cli.RunProcess(Repo, "review", "--base", "HEAD~2", "sites/plant.site.yaml");
        Assert.True(named.Exit == 0, named.ToString());
        Assert.Contains("sites/plant.site.yaml (deleted)", named.Stdout, StringComparison.Ordinal);
        var typo = Cli.RunProcess(Repo, "review", "--base", "HEAD~2", "sites/nothing.site.yaml");
        Assert.True(typo.Exit == 2, typo.ToString());
    }

    [Fact]
    public void A_binary_ledger_in_a_revision_or_the_working_tree_is_named_with_its_line_and_the_rest_compared()
    {
        Directory.CreateDirectory(Path.Combine(Repo, "sites"));
        Git("init", "-q");
        File.WriteAllText(Path.Combine(Repo, "sites", "plant.site.yaml"), Site());
        File.WriteAllBytes(Path.Combine(Repo, "sites", "plant.site.ledger"), [0x50, 0x4B, 0x03, 0x04, 0x00, 0xFF, 0x00]);
        Git("add", "-A");
        Git("commit", "-q", "-m", "base with a zip where the ledger should be");
        File.WriteAllText(Path.Combine(Repo, "sites", "plant.site.yaml"), Renamed);
        File.WriteAllText(Path.Combine(Repo, "sites", "plant.site.ledger"), Ledger());
        Git("commit", "-q", "-a", "-m", "head");

        var outcome = Cli.RunProcess(Repo, "review", "--base", "HEAD~1", "--head", "HEAD", "--format", "json");
        Assert.True(outcome.Exit == 0, outcome.ToString());
        using var json = JsonDocument.Parse(outcome.Stdout);
        var manifest = Assert.Single(json.RootElement.GetProperty("manifests").EnumerateArray());
        var problem = Assert.Single(manifest.GetProperty("ledgerProblems").EnumerateArray());
        Assert.Equal(("base", "HEAD~1:sites/plant.site.ledger", 1),
            (problem.GetProperty("side").GetString(), problem.GetProperty("path").GetString(), problem.GetProperty("line").GetInt32()));
        Assert.Contains("not a text file (a NUL byte at offset 4)", problem.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Single(manifest.GetProperty("renamed").EnumerateArray());

        // The working tree as the head, its ledger now garbage: named too, not a crash.
        File.WriteAllBytes(Path.Combine(Repo, "sites", "plant.site.ledger"), [0xC3, 0x28, 0x41]);
        var tree = Cli.RunProcess(Repo, "review", "--base", "HEAD");
        Assert.True(tree.Exit == 0, tree.ToString());
        Assert.Contains("head: sites/plant.site.ledger:1: this is not UTF-8 text", tree.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_base_without_the_manifest_reports_every_device_added_and_new_requests()
    {
        Directory.CreateDirectory(Path.Combine(Repo, "sites"));
        Git("init", "-q");
        File.WriteAllText(Path.Combine(Repo, "README"), "sites\n");
        Git("add", "-A");
        Git("commit", "-q", "-m", "base without the site");
        File.WriteAllText(Path.Combine(Repo, "sites", "plant.site.yaml"), Site());
        Git("add", "-A");
        Git("commit", "-q", "-m", "head adds it");
        var outcome = Cli.RunProcess(Repo, "review", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", "--fail-on",
            "certificate-impact");
        Assert.True(outcome.Exit == 0, outcome.ToString());
        using var json = JsonDocument.Parse(outcome.Stdout);
        var manifest = Assert.Single(json.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal("added", manifest.GetProperty("change").GetString());
        Assert.Equal(2, manifest.GetProperty("added").GetArrayLength());
        Assert.Equal(2, json.RootElement.GetProperty("summary").GetProperty("newRequests").GetInt32());
    }

    [Fact]
    public void Two_manifests_renamed_into_each_other_between_commits_pair_by_site_name()
    {
        string east = Site().Replace("site: Plant", "site: East", StringComparison.Ordinal);
        string west = Header.Replace("site: Plant", "site: West", StringComparison.Ordinal).Replace("AHU-1", "VAV-7",
            StringComparison.Ordinal)
            .Replace("1001", "1007", StringComparison.Ordinal).Replace("127.0.0.10", "127.0.0.17", StringComparison.Ordinal);
        Directory.CreateDirectory(Path.Combine(Repo, "sites"));
        Git("init", "-q");
        File.WriteAllText(Path.Combine(Repo, "sites", "a.site.yaml"), east);
        File.WriteAllText(Path.Combine(Repo, "sites", "b.site.yaml"), west);
        Git("add", "-A");
        Git("commit", "-q", "-m", "base");
        Git("mv", "sites/a.site.yaml", "sites/tmp.site.yaml");
        Git("mv", "sites/b.site.yaml", "sites/a.site.yaml");
        Git("mv", "sites/tmp.site.yaml", "sites/b.site.yaml");
        Git("commit", "-q", "-m", "swap");
        var outcome = Cli.RunProcess(Repo, "review", "--base", "HEAD~1", "--head", "HEAD", "--format", "json", "--fail-on",
            "certificate-impact");
        Assert.True(outcome.Exit == 0, outcome.ToString());
        using var json = JsonDocument.Parse(outcome.Stdout);
        var manifests = json.RootElement.GetProperty("manifests").EnumerateArray().ToArray();
        Assert.Equal(["sites/a.site.yaml", "sites/b.site.yaml"], manifests.Select(m => m.GetProperty("path").GetString()));
        Assert.Equal(["sites/b.site.yaml", "sites/a.site.yaml"], manifests.Select(m => m.GetProperty("basePath").GetString()));
        Assert.All(manifests, m =>
        {
            Assert.Equal("renamed", m.GetProperty("change").GetString());
            Assert.Equal((0, 0, 0), (m.GetProperty("added").GetArrayLength(), m.GetProperty("removed").GetArrayLength(),
                m.GetProperty("impacts").GetArrayLength()));
        });
    }

    [Fact]
    public void Two_folders_are_compared_file_by_file()
    {
        Temp.Write("old/plant.site.yaml", Site());
        Temp.Write("old/plant.site.ledger", Ledger());
        Temp.Write("new/plant.site.yaml", Renamed + "  - name: FCU-3\n    instance: 1003\n    address: 127.0.0.12\n");
        Temp.Write("new/plant.site.ledger", Ledger());
        var outcome = Cli.RunProcess(Temp.Path, "review", "old", "new", "--format", "json");
        Assert.True(outcome.Exit == 0, outcome.ToString());
        using var json = JsonDocument.Parse(outcome.Stdout);
        var manifest = Assert.Single(json.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal(("new/plant.site.yaml", "modified"), (manifest.GetProperty("path").GetString(),
            manifest.GetProperty("change").GetString()));
        Assert.Equal("FCU-3", Assert.Single(manifest.GetProperty("added").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("summary").GetProperty("newRequests").GetInt32());

        // Markdown leaves unchanged manifests out of its table and says how many there are.
        string other = Site().Replace("site: Plant", "site: Other", StringComparison.Ordinal).Replace("bms.example", "other.example",
            StringComparison.Ordinal)
            .Replace("instance: 100", "instance: 200", StringComparison.Ordinal).Replace("127.0.0.", "127.0.1.", StringComparison.Ordinal);
        Temp.Write("old/other.site.yaml", other);
        Temp.Write("new/other.site.yaml", other);
        var markdown = Cli.RunProcess(Temp.Path, "review", "old", "new", "--format", "markdown");
        Assert.True(markdown.Exit == 0, markdown.ToString());
        Assert.Contains(markdown.StdoutLines, l => l.StartsWith("| `new/plant.site.yaml` | modified |", StringComparison.Ordinal));
        Assert.DoesNotContain(markdown.StdoutLines, l => l.Contains("other.site.yaml", StringComparison.Ordinal));
        Assert.Contains("1 other manifest unchanged.", markdown.StdoutLines);

        var bad = Cli.RunProcess(Temp.Path, "review", "old");
        Assert.True(bad.Exit == 2, bad.ToString());
    }
}
