using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// The workspace's certlsp.json and suppression comments in the editor: levels and off change what is published, a changed file
/// re-checks open manifests (on workspace/didChangeWatchedFiles, or at the next edit), a file that is not valid is published on
/// itself at its line and column, and an untrusted ledger is CL0405 from the catalog.
/// </summary>
public sealed class ConfigTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-config-").FullName;

    // Two devices with the same instance: CL0601 (error) on line 4; the plan (CL0302, information) on line 2.
    private const string Manifest =
        "site: S\nsubject: { country: US, state: WI, locality: Milwaukee, organization: O, organizationalUnit: U }\ndevices:\n"
        + "  - { name: A, instance: 1 }\n  - { name: B, instance: 1 }\n";

    private string ManifestUri => UriPaths.FromPath(Path.Combine(folder, "site", "a.site.yaml"));

    private string ConfigPath => Path.Combine(folder, "certlsp.json");

    private string ConfigUri => UriPaths.FromPath(ConfigPath);

    private async Task<LspTestClient> OpenAsync(string? config, string text = Manifest)
    {
        Directory.CreateDirectory(Path.Combine(folder, "site"));
        File.WriteAllText(Path.Combine(folder, "site", "a.site.yaml"), text);
        if (config is not null) File.WriteAllText(ConfigPath, config);
        var client = await LspTestClient.StartInitializedAsync(folder);
        await client.OpenAsync(ManifestUri, text);
        return client;
    }

    private Task ConfigChangedAsync(LspTestClient client, int type) =>
        client.Notify(Methods.DidChangeWatchedFiles, new { changes = new[] { new { uri = ConfigUri, type } } });

    [Fact]
    public async Task Levels_and_off_apply_and_a_changed_file_re_checks_the_open_manifest()
    {
        await using var client = await OpenAsync("""{ "rules": { "CL0601": "warning", "CL0302": "off" } }""");
        var published = await client.WaitUntilAsync(ManifestUri, p => p.Diagnostics.Any(d => d.Code == "CL0601"));
        var duplicate = Assert.Single(published.Diagnostics, d => d.Code == "CL0601");
        Assert.Equal(2, duplicate.Severity);
        Assert.Equal((4, 25, 4, 26), (duplicate.Range.Start.Line, duplicate.Range.Start.Character, duplicate.Range.End.Line,
            duplicate.Range.End.Character));
        Assert.DoesNotContain(published.Diagnostics, d => d.Code == "CL0302");

        File.WriteAllText(ConfigPath, """{ "rules": { "CL0601": "off", "CL0302": "hint" } }""");
        await ConfigChangedAsync(client, FileChangeType.Changed);
        published = await client.WaitUntilAsync(ManifestUri, p => p.Diagnostics.All(d => d.Code != "CL0601"));
        Assert.Equal(4, Assert.Single(published.Diagnostics, d => d.Code == "CL0302").Severity);

        File.Delete(ConfigPath);
        await ConfigChangedAsync(client, FileChangeType.Deleted);
        published = await client.WaitUntilAsync(ManifestUri, p => p.Diagnostics.Any(d => d.Code == "CL0601"));
        Assert.Equal(1, Assert.Single(published.Diagnostics, d => d.Code == "CL0601").Severity);
        Assert.Equal(3, Assert.Single(published.Diagnostics, d => d.Code == "CL0302").Severity);
    }

    [Fact]
    public async Task Without_a_file_event_the_next_edit_reads_the_changed_file()
    {
        // The test client does not offer didChangeWatchedFiles registration, so the server reads certlsp.json again at each edit.
        await using var client = await OpenAsync(null);
        await client.WaitUntilAsync(ManifestUri, p => p.Diagnostics.Any(d => d.Code == "CL0601" && d.Severity == 1));
        File.WriteAllText(ConfigPath, """{ "rules": { "CL0601": "information" } }""");
        await client.ChangeAsync(ManifestUri, 2, LspTestClient.Replace(0, 6, 0, 7, "T"));
        var published = await client.WaitUntilAsync(ManifestUri, p => p.Version == 2 && p.Diagnostics.Any(d => d.Code == "CL0601"));
        Assert.Equal(3, Assert.Single(published.Diagnostics, d => d.Code == "CL0601").Severity);
    }

    [Fact]
    public async Task A_file_that_is_not_valid_is_published_on_itself_at_its_place_and_withdrawn_when_fixed()
    {
        // Line 3 (zero-based 2) has a tab and non-ASCII text before the place the reader stops.
        await using var client = await OpenAsync(
            "{\r\n  \"rules\": {\r\n\t\"CL0302\": \"off\" /* Kälte 🏢 */ \"CL0601\": \"off\"\r\n  }\r\n}\r\n");
        var problem = Assert.Single((await client.WaitUntilAsync(ConfigUri, p => p.Diagnostics.Length > 0)).Diagnostics);
        Assert.Equal("CL0701", problem.Code);
        Assert.Equal(1, problem.Severity);
        Assert.Equal((2, 32, 2, 33), (problem.Range.Start.Line, problem.Range.Start.Character, problem.Range.End.Line,
            problem.Range.End.Character));
        // The manifest is still checked, with the levels read before the problem.
        var manifest = await client.WaitUntilAsync(ManifestUri, p => p.Diagnostics.Any(d => d.Code == "CL0601"));
        Assert.DoesNotContain(manifest.Diagnostics, d => d.Code == "CL0302");

        File.WriteAllText(ConfigPath, """{ "rules": { "CL0302": "off" } }""");
        await ConfigChangedAsync(client, FileChangeType.Changed);
        await client.WaitUntilAsync(ConfigUri, p => p.Diagnostics.Length == 0);
    }

    [Fact]
    public async Task A_suppression_comment_removes_the_finding_and_a_stale_one_is_a_hint()
    {
        string text = Manifest.Replace("  - { name: B", "  # certlsp-disable-next-line CL0601 CL0201\n  - { name: B",
            StringComparison.Ordinal);
        await using var client = await OpenAsync(null, text);
        var published = await client.WaitUntilAsync(ManifestUri, p => p.Diagnostics.Any(d => d.Code == "CL0702"));
        Assert.DoesNotContain(published.Diagnostics, d => d.Code == "CL0601");
        var hint = Assert.Single(published.Diagnostics, d => d.Code == "CL0702");
        Assert.Equal(4, hint.Severity);
        Assert.Equal((4, 2, 4, 43), (hint.Range.Start.Line, hint.Range.Start.Character, hint.Range.End.Line, hint.Range.End.Character));
    }

    [Fact]
    public async Task An_untrusted_ledger_is_CL0405_on_the_ledger_at_its_level()
    {
        string ledgerPath = Path.Combine(folder, "site", "a.site.ledger");
        Directory.CreateDirectory(Path.Combine(folder, "site"));
        File.WriteAllText(ledgerPath, "ledger: 1\n\n<<<<<<< HEAD\n");
        await using var client = await OpenAsync("""{ "rules": { "CL0405": "error" } }""");
        string ledgerUri = UriPaths.FromPath(ledgerPath);
        var finding = Assert.Single((await client.WaitUntilAsync(ledgerUri, p => p.Diagnostics.Length > 0)).Diagnostics);
        Assert.Equal("CL0405", finding.Code);
        Assert.Equal(1, finding.Severity);
        Assert.Equal("certlsp", finding.Source);
        Assert.EndsWith("#cl0405", finding.CodeDescription!.Href, StringComparison.Ordinal);
        Assert.Equal((2, 0, 2, 12), (finding.Range.Start.Line, finding.Range.Start.Character, finding.Range.End.Line,
            finding.Range.End.Character));

        File.WriteAllText(ConfigPath, """{ "rules": { "CL0405": "off" } }""");
        await ConfigChangedAsync(client, FileChangeType.Changed);
        await client.WaitUntilAsync(ledgerUri, p => p.Diagnostics.Length == 0);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
