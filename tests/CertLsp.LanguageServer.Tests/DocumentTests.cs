using CertLsp.LanguageServer.Protocol;

namespace CertLsp.LanguageServer.Tests;

public sealed class DocumentTests
{
    private const string Manifest = """
        site: Test
        subject:
          country: UK
          state: Wisconsin
          locality: Milwaukee
          organization: Riverside
          organizationalUnit: Facilities
        devices:
          - name: AHU-1
            instance: 1
          - name: ahu-1
            instance: 2
        """;

    [Fact]
    public async Task Diagnostics_are_pushed_with_the_document_version_and_exact_ranges()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        var published = await client.OpenAsync("file:///t.site.yaml", Manifest, version: 7);
        Assert.Equal(7, published.Version);
        var country = Assert.Single(published.Diagnostics, d => d.Code == "CL0103");
        Assert.Equal("UK", TextEdits.Slice(Manifest, country.Range));
        Assert.Equal(1, country.Severity);
        Assert.Equal("certlsp", country.Source);
        Assert.EndsWith("#cl0103", country.CodeDescription!.Href, StringComparison.Ordinal);
        var duplicates = published.Diagnostics.Where(d => d.Code == "CL0201").ToList();
        Assert.Equal(2, duplicates.Count);
        Assert.Equal(["AHU-1", "ahu-1"], duplicates.Select(d => TextEdits.Slice(Manifest, d.Range)));
        Assert.All(duplicates, d => Assert.Single(d.RelatedInformation!));
    }

    [Fact]
    public async Task Incremental_edits_apply_in_order()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        const string uri = "file:///inc.site.yaml";
        await client.OpenAsync(uri, Manifest);
        // UK -> GB, then rename the second device: both errors gone.
        var countryAt = TextEdits.PositionOf(Manifest, Manifest.IndexOf("UK", StringComparison.Ordinal));
        await client.Notify(Methods.DidChange, new
        {
            textDocument = new { uri, version = 2 },
            contentChanges = new[] { LspTestClient.Replace(countryAt.Line, countryAt.Character, countryAt.Line, countryAt.Character + 2,
                "GB") },
        });
        var second = TextEdits.PositionOf(Manifest, Manifest.IndexOf("ahu-1", StringComparison.Ordinal));
        var published = await client.ChangeAsync(uri, 3, LspTestClient.Replace(second.Line, second.Character, second.Line, second.Character
            + 5, "AHU-2"));
        Assert.Equal(3, published.Version);
        Assert.DoesNotContain(published.Diagnostics, d => d.Severity == 1);
    }

    [Fact]
    public async Task Full_sync_replaces_the_text()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        const string uri = "file:///full.site.yaml";
        await client.OpenAsync(uri, Manifest);
        var published = await client.ChangeAsync(uri, 2, LspTestClient.Full("site: [\n"));
        Assert.Equal("CL0001", Assert.Single(published.Diagnostics).Code);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public async Task Ranges_count_utf16_units_after_non_ascii_and_tabs(string newline)
    {
        // "Kältemaschine 😀 東京" before the offending value on the same line: é/ä are 1 unit, 😀 is 2, CJK 1 each.
        string text = string.Join(newline,
            "site: \"Kältemaschine 😀 東京\"",
            "subject: { country: \"\tus\", state: \"Bayern 😀\", locality: \"東京\", organization: O, organizationalUnit: U }",
            "devices:",
            "  - { name: \"Gerät-😀\", instance: 4194303 }",
            "");
        await using var client = await LspTestClient.StartInitializedAsync();
        var published = await client.OpenAsync("file:///pos.site.yaml", text);
        var instance = Assert.Single(published.Diagnostics, d => d.Code == "CL0602");
        Assert.Equal("4194303", TextEdits.Slice(text, instance.Range));
        Assert.Equal(3, instance.Range.Start.Line);
        Assert.Equal("  - { name: \"Gerät-😀\", instance: ".Length, instance.Range.Start.Character);
        var country = Assert.Single(published.Diagnostics, d => d.Code == "CL0102");
        Assert.Equal("\"\tus\"", TextEdits.Slice(text, country.Range));
    }

    [Fact]
    public async Task Closing_a_document_clears_its_diagnostics()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        const string uri = "file:///close.site.yaml";
        await client.OpenAsync(uri, Manifest);
        await client.Notify(Methods.DidClose, new { textDocument = new { uri } });
        var last = await client.WaitUntilAsync(uri, p => p.Diagnostics.Length == 0);
        Assert.Empty(last.Diagnostics);
    }
}
