using CertLsp.LanguageServer.Protocol;

namespace CertLsp.LanguageServer.Tests;

public sealed class FeatureTests
{
    private const string Uri = "file:///site/feature.site.yaml";

    private const string Manifest = """
        site: Riverside
        domain: bms.example
        subject:
          country: UK
          state: Wisconsin
          locality: Milwaukee
          organization: Riverside
          organizationalUnit: Facilities
        key:
          algorithm: rsa
        devices:
          - name: AHU-1
            instance: 1
            batch: north
          - name: AHU-1
            instance: 2
            batch: north
          - name: VAV-9
            instance: 3

        """;

    private static object At(string text, string needle, int delta = 0)
    {
        var p = TextEdits.PositionOf(text, text.IndexOf(needle, StringComparison.Ordinal) + delta);
        return new { line = p.Line, character = p.Character };
    }

    private static object Doc => new { uri = Uri };

    [Fact]
    public async Task A_quick_fix_changes_the_text_and_clears_the_diagnostic()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        var published = await client.OpenAsync(Uri, Manifest);
        var country = Assert.Single(published.Diagnostics, d => d.Code == "CL0103");
        var actions = await client.Request<CodeAction[]>(Methods.CodeAction,
            new { textDocument = Doc, range = country.Range, context = new { diagnostics = new[] { country } } });
        var fix = Assert.Single(actions, a => a.Kind == CodeActionKind.QuickFix);
        Assert.Equal(CodeActionKind.QuickFix, fix.Kind);
        Assert.True(fix.IsPreferred);
        string fixedText = TextEdits.Apply(Manifest, fix.Edit!.Changes[Uri]);
        Assert.Contains("country: GB", fixedText, StringComparison.Ordinal);
        var after = await client.ChangeAsync(Uri, 2, LspTestClient.Full(fixedText));
        Assert.DoesNotContain(after.Diagnostics, d => d.Code == "CL0103");
    }

    [Fact]
    public async Task The_duplicate_cn_fix_inserts_a_common_name()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        var published = await client.OpenAsync(Uri, Manifest);
        var second = published.Diagnostics.Where(d => d.Code == "CL0201").OrderBy(d => d.Range.Start.Line).Last();
        var actions = await client.Request<CodeAction[]>(Methods.CodeAction,
            new
            {
                textDocument = Doc, range = second.Range, context =
            new { diagnostics = Array.Empty<object>(), only = new[] { CodeActionKind.QuickFix } }
            });
        var fix = Assert.Single(actions);
        string fixedText = TextEdits.Apply(Manifest, fix.Edit!.Changes[Uri]);
        Assert.Contains("  - name: AHU-1\n    commonName: AHU-1-2\n    instance: 2", fixedText, StringComparison.Ordinal);
        var after = await client.ChangeAsync(Uri, 2, LspTestClient.Full(fixedText));
        Assert.DoesNotContain(after.Diagnostics, d => d.Code == "CL0201");
    }

    [Fact]
    public async Task Only_filters_code_actions()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        var published = await client.OpenAsync(Uri, Manifest);
        var country = Assert.Single(published.Diagnostics, d => d.Code == "CL0103");
        var actions = await client.Request<CodeAction[]>(Methods.CodeAction,
            new
            {
                textDocument = Doc, range = country.Range, context =
            new { diagnostics = Array.Empty<object>(), only = new[] { "refactor" } }
            });
        Assert.Empty(actions);
    }

    [Fact]
    public async Task Completion_offers_the_keys_missing_from_a_device()
    {
        string text = Manifest.Replace("          - name: VAV-9\n            instance: 3\n",
            "          - name: VAV-9\n            instance: 3\n            \n", StringComparison.Ordinal);
        text = text.Replace("  - name: VAV-9\n    instance: 3\n", "  - name: VAV-9\n    instance: 3\n    \n", StringComparison.Ordinal);
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.OpenAsync(Uri, text);
        var list = await client.Request<CompletionList>(Methods.Completion,
            new { textDocument = Doc, position = At(text, "instance: 3\n", "instance: 3\n".Length + 4) });
        var labels = list.Items.Select(i => i.Label).ToList();
        Assert.Contains("address", labels);
        Assert.Contains("batch", labels);
        Assert.Contains("subject", labels);
        Assert.DoesNotContain("name", labels);
        Assert.DoesNotContain("instance", labels);
        Assert.NotNull(list.Items.First(i => i.Label == "address").Documentation);
    }

    [Fact]
    public async Task Completion_offers_enum_values_country_codes_and_batches()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.OpenAsync(Uri, Manifest);
        var algorithms = await client.Request<CompletionList>(Methods.Completion,
            new { textDocument = Doc, position = At(Manifest, "algorithm: rsa", "algorithm: ".Length) });
        Assert.Equal(["rsa", "ecdsa"], algorithms.Items.Select(i => i.Label));
        // The completion replaces the whole word under the cursor.
        Assert.Equal("rsa", TextEdits.Slice(Manifest, algorithms.Items[0].TextEdit!.Range));

        var countries = await client.Request<CompletionList>(Methods.Completion,
            new { textDocument = Doc, position = At(Manifest, "country: UK", "country: ".Length) });
        var gb = Assert.Single(countries.Items, i => i.Label == "GB");
        Assert.Equal("United Kingdom", gb.Detail);
        Assert.True(countries.Items.Length > 200);

        var batches = await client.Request<CompletionList>(Methods.Completion,
            new { textDocument = Doc, position = At(Manifest, "batch: north", "batch: ".Length) });
        Assert.Equal("north", Assert.Single(batches.Items).Label);
    }

    [Fact]
    public async Task Completion_at_top_level_offers_root_keys()
    {
        string text = "site: X\n\n";
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.OpenAsync(Uri, text);
        var list = await client.Request<CompletionList>(Methods.Completion,
            new { textDocument = Doc, position = new { line = 1, character = 0 } });
        var labels = list.Items.Select(i => i.Label).ToList();
        Assert.Contains("devices", labels);
        Assert.Contains("subject", labels);
        Assert.DoesNotContain("site", labels);
    }

    [Fact]
    public async Task Hover_explains_a_field_and_shows_a_devices_full_common_name()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.OpenAsync(Uri, Manifest);
        var field = await client.Request<Hover>(Methods.Hover, new { textDocument = Doc, position = At(Manifest, "locality:", 2) });
        Assert.Contains("Locality (L)", field.Contents.Value, StringComparison.Ordinal);
        Assert.Contains("64 characters", field.Contents.Value, StringComparison.Ordinal);
        Assert.Equal("locality", TextEdits.Slice(Manifest, field.Range!));

        var device = await client.Request<Hover>(Methods.Hover, new { textDocument = Doc, position = At(Manifest, "VAV-9", 1) });
        Assert.Contains("`VAV-9.bms.example` (17/64 characters)", device.Contents.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Document_symbols_show_site_sections_batches_and_devices()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.OpenAsync(Uri, Manifest);
        var symbols = await client.Request<DocumentSymbol[]>(Methods.DocumentSymbol, new { textDocument = Doc });
        var site = Assert.Single(symbols);
        Assert.Equal("Riverside", site.Name);
        var devices = Assert.Single(site.Children!, c => c.Name == "devices");
        Assert.Equal(["north", "VAV-9"], devices.Children!.Select(c => c.Name));
        Assert.Equal(2, devices.Children![0].Children!.Length);
        Assert.Equal("VAV-9", TextEdits.Slice(Manifest, devices.Children[1].SelectionRange));
    }

    [Fact]
    public async Task Definition_jumps_from_a_duplicate_cn_to_its_twin()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.OpenAsync(Uri, Manifest);
        int second = Manifest.IndexOf("AHU-1", Manifest.IndexOf("AHU-1", StringComparison.Ordinal) + 1, StringComparison.Ordinal);
        var p = TextEdits.PositionOf(Manifest, second + 1);
        var locations = await client.Request<Location[]>(Methods.Definition,
            new { textDocument = Doc, position = new { line = p.Line, character = p.Character } });
        var twin = Assert.Single(locations);
        Assert.Equal(Uri, twin.Uri);
        Assert.Equal(TextEdits.PositionOf(Manifest, Manifest.IndexOf("AHU-1", StringComparison.Ordinal)), twin.Range.Start);
    }

    [Theory]
    [InlineData("instance: 20001", "20001")]
    [InlineData("address: 127.0.0.9", "127.0.0.9")]
    [InlineData("name: FCU", "FCU")]
    public async Task Definition_links_every_duplicate_to_all_its_twins_from_every_occurrence(string key, string value)
    {
        string text = """
            site: Twins
            domain: bms.example
            subject: { country: DE, state: S, locality: L, organization: O, organizationalUnit: U }
            key: { algorithm: ecdsa, curve: P-256 }
            devices:
              - name: FCU
                instance: 20001
                address: 127.0.0.9
              - name: AHU
                instance: 7
              - name: FCU
                instance: 20001
                address: 127.0.0.9
              - name: FCU
                instance: 20001
                address: 127.0.0.9

            """;
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.OpenAsync(Uri, text);
        var occurrences = new List<int>();
        for (int at = text.IndexOf(key, StringComparison.Ordinal); at >= 0; at =
            text.IndexOf(key, at + 1, StringComparison.Ordinal)) occurrences.Add(at + key.Length - value.Length);
        Assert.Equal(3, occurrences.Count);
        foreach (int occurrence in occurrences)
        {
            var p = TextEdits.PositionOf(text, occurrence + 1);
            var locations = await client.Request<Location[]>(Methods.Definition,
                new { textDocument = Doc, position = new { line = p.Line, character = p.Character } });
            Assert.Equal(
                occurrences.Where(o => o != occurrence).Select(o => TextEdits.PositionOf(text, o)),
                locations.Select(l => l.Range.Start));
            Assert.All(locations, l => Assert.Equal(value, TextEdits.Slice(text, l.Range)));
        }
    }

    [Fact]
    public async Task Folding_and_selection_ranges_follow_the_structure()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.OpenAsync(Uri, Manifest);
        var folds = await client.Request<FoldingRange[]>(Methods.FoldingRange, new { textDocument = Doc });
        Assert.Contains(folds, f => f.StartLine == 2 && f.EndLine == 7); // subject
        Assert.Contains(folds, f => f.StartLine == 10); // devices
        var selections = await client.Request<SelectionRange[]>(Methods.SelectionRange,
            new { textDocument = Doc, positions = new[] { At(Manifest, "VAV-9", 2) } });
        var chain = new List<string>();
        for (var s = selections[0]; s is not null; s = s.Parent) chain.Add(TextEdits.Slice(Manifest, s.Range));
        Assert.Equal("VAV-9", chain[0]);
        Assert.Equal("name: VAV-9", chain[1]);
        Assert.StartsWith("name: VAV-9\n    instance: 3", chain[2], StringComparison.Ordinal);
        Assert.True(chain.Count >= 4);
    }

    /// <summary>The README's flow style with CRLF line ends, tabs and characters outside ASCII (an emoji is two UTF-16 units) before the
    /// cursor.</summary>
    private const string FlowManifest =
        "site: Zürich 🏔\r\n" +
        "ca: { profile: bacnet-sc, issuers: [ ] }\r\n" +
        "subject: { locality: \"Zürich 🏔\", organization: Café ☕,\tstate: ZH, organizationalUnit: BMS, country:  }\r\n" +
        "key: { algorithm:  }\r\n" +
        "devices:\r\n" +
        "  - { name: \"AHU,1\", instance: 1 }\r\n" +
        "  - { name: \"AHU,1\", instance: 2 }\r\n";

    /// <summary>Chooses <paramref name="label"/> at the offset of <paramref name="needle"/> + <paramref name="delta"/> and sends the
    /// result: it must read as YAML.</summary>
    private static async Task<(string Text, PublishDiagnosticsParams Diagnostics)> CompleteAsync(LspTestClient client, string uri,
        string text, int version, string needle, int delta, string label, string[]? expected = null)
    {
        var list = await client.Request<CompletionList>(Methods.Completion,
            new { textDocument = new { uri }, position = At(text, needle, delta) });
        if (expected is not null) Assert.Equal(expected, list.Items.Select(i => i.Label));
        var item = Assert.Single(list.Items, i => i.Label == label);
        string after = TextEdits.Apply(text, [item.TextEdit!]);
        var published = await client.ChangeAsync(uri, version, LspTestClient.Full(after));
        Assert.DoesNotContain(published.Diagnostics, d => d.Code == "CL0001");
        return (after, published);
    }

    [Fact]
    public async Task Completion_hover_and_a_quick_fix_inside_flow_mappings_and_lists()
    {
        string folder = Directory.CreateTempSubdirectory("certlsp-flow-").FullName;
        try
        {
            using (var key = System.Security.Cryptography.ECDsa.Create())
            {
                var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Site Issuer", key,
                    System.Security.Cryptography.HashAlgorithmName.SHA256);
                request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true,
                    false, 0, true));
                using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
                Directory.CreateDirectory(Path.Combine(folder, "ca"));
                File.WriteAllText(Path.Combine(folder, "ca", "site-issuer.pem"), ca.ExportCertificatePem());
            }
            string uri = new Uri(Path.Combine(folder, "flow.site.yaml")).AbsoluteUri;
            await using var client = await LspTestClient.StartInitializedAsync();
            string text = FlowManifest;
            await client.OpenAsync(uri, text);

            // Country codes after non-ASCII text and a tab on the same line.
            var countries = await client.Request<CompletionList>(Methods.Completion,
                new { textDocument = new { uri }, position = At(text, "country:  }", "country: ".Length) });
            Assert.Equal(249, countries.Items.Length);
            (text, _) = await CompleteAsync(client, uri, text, 2, "country:  }", "country: ".Length, "CH");
            Assert.Contains("organizationalUnit: BMS, country: CH }\r\n", text, StringComparison.Ordinal);

            (text, _) = await CompleteAsync(client, uri, text, 3, "algorithm:  }", "algorithm: ".Length, "rsa", ["rsa", "ecdsa"]);
            (text, _) = await CompleteAsync(client, uri, text, 4, "issuers: [ ]", "issuers: [ ".Length, "ca/site-issuer.pem",
                ["ca/site-issuer.pem"]);
            Assert.Contains("ca: { profile: bacnet-sc, issuers: [ ca/site-issuer.pem] }\r\n", text, StringComparison.Ordinal);

            // A key after the last entry of a flow device: with its comma, on the same line.
            (text, var published) = await CompleteAsync(client, uri, text, 5, "instance: 2 }", "instance: 2 ".Length, "batch");
            Assert.Contains("  - { name: \"AHU,1\", instance: 2 , batch: }\r\n", text, StringComparison.Ordinal);

            // Hover on the flow value completed.
            var hover = await client.Request<Hover>(Methods.Hover,
                new { textDocument = new { uri }, position = At(text, "country: CH", "country: C".Length) });
            Assert.Contains("CH: Switzerland", hover.Contents.Value, StringComparison.Ordinal);
            Assert.Equal("CH", TextEdits.Slice(text, hover.Range!));

            // The duplicate CN's fix in a flow device: the commonName as its last entry, quoted for flow.
            var second = published.Diagnostics.Where(d => d.Code == "CL0201").OrderBy(d => d.Range.Start.Line).Last();
            var actions = await client.Request<CodeAction[]>(Methods.CodeAction,
                new
                {
                    textDocument = new { uri }, range = second.Range, context =
                new { diagnostics = Array.Empty<object>(), only = new[] { CodeActionKind.QuickFix } }
                });
            string fixedText = TextEdits.Apply(text, Assert.Single(actions).Edit!.Changes[uri]);
            Assert.Contains("  - { name: \"AHU,1\", instance: 2 , batch: , commonName: \"AHU,1-2\"}\r\n", fixedText,
                StringComparison.Ordinal);
            var after = await client.ChangeAsync(uri, 6, LspTestClient.Full(fixedText));
            Assert.DoesNotContain(after.Diagnostics, d => d.Code is "CL0001" or "CL0201");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
