using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Core.Checking;
using CertLsp.Core.Data;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Editing;
using CertLsp.Core.Tests.Support;
using CertLsp.Core.Yaml;
using CertLsp.Workflows.Files;
using CsCheck;

namespace CertLsp.Core.Tests.Editing;

/// <summary>
/// Completion, hover and the quick fixes that insert text, inside flow mappings and lists (the style the README uses): the
/// keys, values and country codes the block form offers, written so that the flow stays valid YAML (commas where needed,
/// no new lines, quotes where a plain scalar would end the entry), and the result read again and checked.
/// </summary>
public class FlowEditingTests
{
    /// <summary>A site in flow style that checks without an error.</summary>
    private const string Site =
        "site: Riverside\n" +
        "domain: bms.example\n" +
        "ca: { profile: bacnet-sc }\n" +
        "subject: " +
            "{ country: US, state: Wisconsin, locality: Milwaukee, organization: Riverside Health, organizationalUnit: Facilities }\n" +
        "key: { algorithm: rsa, size: 2048 }\n" +
        "devices:\n" +
        "  - { name: AHU-1, instance: 1, batch: north }\n" +
        "  - { name: AHU-2, instance: 2, batch: north }\n";

    /// <summary><see cref="Site"/> without its domain: CNs are then not held to host-name rules (CL0206).</summary>
    private static readonly string WithoutDomain = Site.Replace("domain: bms.example\n", "", StringComparison.Ordinal);

    private const string SubjectLine =
        "subject: { country: US, state: Wisconsin, locality: Milwaukee, organization: Riverside Health, organizationalUnit: Facilities }";

    /// <summary>The text without its cursor mark "‸", and where the mark was.</summary>
    private static (string Text, int Offset) Cursor(string marked)
    {
        int at = marked.IndexOf('‸', StringComparison.Ordinal);
        Assert.True(at >= 0, "the text has no cursor mark");
        return (marked.Remove(at, 1), at);
    }

    private static ImmutableArray<Completion> Complete(string marked, out string text)
    {
        (text, int offset) = Cursor(marked);
        return Completions.At(text, offset, ManifestDocument.Parse(Checks.FilePath, text));
    }

    private static string Apply(string text, Completion completion) =>
        text[..completion.Replace.Start] + completion.InsertText + text[completion.Replace.End..];

    /// <summary>The text after choosing <paramref name="label"/>: it must read as YAML without a finding.</summary>
    private static string Choose(ImmutableArray<Completion> completions, string text, string label)
    {
        var completion = Assert.Single(completions, c => c.Label == label);
        string after = Apply(text, completion);
        Assert.Empty(YamlReader.Read(after, Checks.FilePath).Diagnostics);
        return after;
    }

    private static string[] ErrorCodes(string text) => [.. Checks.Errors(text).Select(d => d.Code).Distinct().Order()];

    [Fact]
    public void The_flow_site_checks_clean() => Assert.Empty(Checks.Errors(Site));

    [Fact]
    public void An_enum_value_in_a_flow_mapping()
    {
        var found = Complete(Site.Replace("key: { algorithm: rsa, size: 2048 }", "key: { algorithm: ‸ }", StringComparison.Ordinal),
            out string text);
        Assert.Equal(["rsa", "ecdsa"], found.Select(c => c.Label));
        string after = Choose(found, text, "rsa");
        Assert.Contains("key: { algorithm: rsa }\n", after, StringComparison.Ordinal);
        Assert.Empty(Checks.Errors(after));
    }

    [Fact]
    public void Country_codes_in_a_flow_mapping_with_nothing_typed_yet()
    {
        var found = Complete(Site.Replace(SubjectLine, "subject: { country: ‸ }", StringComparison.Ordinal), out string text);
        Assert.Equal(Countries.All.Count, found.Length);
        Assert.Equal(249, found.Length);
        Assert.All(found, c => Assert.Equal(CompletionKind.Country, c.Kind));
        string after = Choose(found, text, "DE");
        Assert.Contains("subject: { country: DE }\n", after, StringComparison.Ordinal);
        // The other subject fields are missing now, and only that is reported.
        Assert.Equal(["CL0101"], ErrorCodes(after));
        Assert.Equal("DE", ManifestDocument.Parse(Checks.FilePath, after).Manifest!.Subject.Get(
            Manifest.SubjectField.Configurable.First(f => f.Key == "country"))!.Value);
    }

    [Fact]
    public void Country_codes_replace_the_partial_code_typed()
    {
        var found = Complete(Site.Replace("country: US,", "country: U‸,", StringComparison.Ordinal), out string text);
        Assert.Equal(249, found.Length);
        var us = Assert.Single(found, c => c.Label == "US");
        Assert.Equal("U", Checks.At(text, us.Replace));
        Assert.Equal(Site, Choose(found, text, "US"));

        // In the middle of a code the whole code is replaced.
        found = Complete(Site.Replace("country: US,", "country: U‸S,", StringComparison.Ordinal), out text);
        Assert.Equal("US", Checks.At(text, found.Single(c => c.Label == "GB").Replace));
        Assert.Equal(Site.Replace("country: US,", "country: GB,", StringComparison.Ordinal), Choose(found, text, "GB"));
    }

    [Fact]
    public void Country_code_partial_before_the_closing_brace()
    {
        var found = Complete(Site.Replace(SubjectLine, "subject: { country: U‸ }", StringComparison.Ordinal), out string text);
        Assert.Equal(249, found.Length);
        Assert.Contains("subject: { country: US }\n", Choose(found, text, "US"), StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_in_an_empty_flow_mapping()
    {
        var found = Complete(Site.Replace(SubjectLine, "subject: { ‸ }", StringComparison.Ordinal), out string text);
        Assert.Equal(["country", "state", "locality", "organization", "organizationalUnit", "email"], found.Select(c => c.Label));
        Assert.All(found, c => Assert.Equal(CompletionKind.Key, c.Kind));
        string after = Choose(found, text, "country");
        Assert.Contains("subject: { country:  }\n", after, StringComparison.Ordinal);

        // The document itself a flow mapping: the root's keys.
        found = Complete("{ ‸ }\n", out text);
        Assert.Contains("site", found.Select(c => c.Label));
        Assert.Contains("devices", found.Select(c => c.Label));
        Assert.Equal("{ site:  }\n", Choose(found, text, "site"));
        found = Complete("{‸}", out text);
        Assert.Equal("{site: }", Choose(found, text, "site"));
    }

    [Fact]
    public void Keys_after_a_comma_leave_out_those_present_before_and_after()
    {
        var found = Complete(Site.Replace(SubjectLine, "subject: { organizationalUnit: X, ‸ }", StringComparison.Ordinal), out string text);
        Assert.Equal(["country", "state", "locality", "organization", "email"], found.Select(c => c.Label));
        Assert.Contains("subject: { organizationalUnit: X, state:  }\n", Choose(found, text, "state"), StringComparison.Ordinal);

        found = Complete(Site.Replace(SubjectLine, "subject: { country: US, ‸, organizationalUnit: X }", StringComparison.Ordinal),
            out text);
        Assert.Equal(["state", "locality", "organization", "email"], found.Select(c => c.Label));

        // A key being typed is replaced whole, and is not taken for a key the mapping has.
        found = Complete(Site.Replace(SubjectLine, "subject: { organizationalUnit: X, sta‸ }", StringComparison.Ordinal), out text);
        var state = Assert.Single(found, c => c.Label == "state");
        Assert.Equal("sta", Checks.At(text, state.Replace));
        Assert.Contains("subject: { organizationalUnit: X, state:  }\n", Choose(found, text, "state"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_after_an_entry_without_its_comma_gets_one()
    {
        var found = Complete(Site.Replace(SubjectLine, "subject: { organizationalUnit: X ‸}", StringComparison.Ordinal), out string text);
        Assert.Contains("subject: { organizationalUnit: X , country: }\n", Choose(found, text, "country"), StringComparison.Ordinal);

        found = Complete(Site.Replace(SubjectLine, "subject: { organizationalUnit: \"X\" co‸ }", StringComparison.Ordinal), out text);
        Assert.Contains("subject: { organizationalUnit: \"X\" , country:  }\n", Choose(found, text, "country"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_before_another_entry_is_followed_by_a_comma()
    {
        var found = Complete(Site.Replace(SubjectLine, "subject: { ‸ state: Wisconsin }", StringComparison.Ordinal), out string text);
        Assert.DoesNotContain("state", found.Select(c => c.Label));
        string after = Choose(found, text, "country");
        Assert.Contains("subject: { country: , state: Wisconsin }\n", after, StringComparison.Ordinal);

        // On an existing key (before its ":") only the key is replaced.
        found = Complete(Site.Replace("organizationalUnit: Facilities", "organizationalUn‸: Facilities", StringComparison.Ordinal),
            out text);
        Assert.Equal(Site, Choose(found, text, "organizationalUnit"));
    }

    [Fact]
    public void A_value_before_another_entry_is_followed_by_a_comma()
    {
        var found = Complete(Site.Replace(SubjectLine, "subject: { country: ‸ state: Wisconsin }", StringComparison.Ordinal),
            out string text);
        Assert.Contains("subject: { country: FR, state: Wisconsin }\n", Choose(found, text, "FR"), StringComparison.Ordinal);
    }

    [Fact]
    public void Values_that_would_end_a_flow_entry_are_quoted()
    {
        string marked = Site
            .Replace("batch: north }\n  - { name: AHU-2, instance: 2, batch: north }",
                "batch: \"north, east [1]\" }\n  - { name: AHU-2, instance: 2, batch: ‸ }", StringComparison.Ordinal);
        var found = Complete(marked, out string text);
        var batch = Assert.Single(found, c => c.Label == "north, east [1]");
        Assert.Equal("\"north, east [1]\"", batch.InsertText);
        string after = Choose(found, text, "north, east [1]");
        Assert.Equal(["north, east [1]", "north, east [1]"],
            ManifestDocument.Parse(Checks.FilePath, after).Manifest!.Devices.Select(d => d.Batch!.Value));
        Assert.Empty(Checks.Errors(after));

        // In a block mapping a plain scalar may hold them.
        string block = Site.Replace("  - { name: AHU-1, instance: 1, batch: north }\n  - { name: AHU-2, instance: 2, batch: north }\n",
            "  - name: AHU-1\n    instance: 1\n    batch: \"north, east [1]\"\n  - name: AHU-2\n    instance: 2\n    batch: ‸\n",
                StringComparison.Ordinal);
        found = Complete(block, out text);
        Assert.Equal("north, east [1]", Assert.Single(found, c => c.Label == "north, east [1]").InsertText);
        Assert.Empty(Checks.Errors(Choose(found, text, "north, east [1]")));
    }

    [Fact]
    public void Inside_quotes_the_value_is_completed_between_them()
    {
        var found = Complete(Site.Replace("country: US,", "country: \"U‸\",", StringComparison.Ordinal), out string text);
        var us = Assert.Single(found, c => c.Label == "US");
        Assert.Equal("U", Checks.At(text, us.Replace));
        Assert.Equal(Site.Replace("country: US,", "country: \"US\",", StringComparison.Ordinal), Choose(found, text, "US"));

        found = Complete(Site.Replace("batch: north }\n  - { name: AHU-2, instance: 2, batch: north }",
            "batch: \"it's \\\"ours\\\"\" }\n  - { name: AHU-2, instance: 2, batch: '‸' }", StringComparison.Ordinal), out text);
        string after = Choose(found, text, "it's \"ours\"");
        Assert.Contains("batch: 'it''s \"ours\"' }", after, StringComparison.Ordinal);
        Assert.Equal(["it's \"ours\"", "it's \"ours\""], ManifestDocument.Parse(Checks.FilePath, after).Manifest!.Devices.Select(d =>
            d.Batch!.Value));
    }

    [Fact]
    public void Nested_flow_collections_and_flow_lists_of_devices()
    {
        var found = Complete(Site.Replace("{ name: AHU-2, instance: 2, batch: north }",
            "{ name: AHU-2, instance: 2, batch: north, subject: { country: ‸ } }", StringComparison.Ordinal), out string text);
        Assert.Equal(249, found.Length);
        Assert.Empty(Checks.Errors(Choose(found, text, "CA")));

        string list = Site.Replace(
            "devices:\n  - { name: AHU-1, instance: 1, batch: north }\n  - { name: AHU-2, instance: 2, batch: north }\n",
            "devices: [\n  { name: AHU-1, instance: 1 },\n  { name: AHU-2, ‸ }\n]\n", StringComparison.Ordinal);
        found = Complete(list, out text);
        Assert.Contains("instance", found.Select(c => c.Label));
        Assert.Contains("commonName", found.Select(c => c.Label));
        Assert.DoesNotContain("name", found.Select(c => c.Label));
        Assert.Contains("  { name: AHU-2, instance:  }\n", Choose(found, text, "instance"), StringComparison.Ordinal);

        // A flow item of a block list whose dash line holds a key.
        found = Complete("devices:\n  - name: A\n    subject: { ‸ }\n", out text);
        Assert.Contains("country", found.Select(c => c.Label));
    }

    /// <summary>A folder with CA certificates (PEM, DER), a device certificate, a private key and folders that are not searched.</summary>
    private static string IssuerFolder()
    {
        string folder = Directory.CreateTempSubdirectory("certlsp-issuers-").FullName;
        static X509Certificate2 Certificate(string cn, bool ca)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
            return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        }
        void Write(string relative, string content)
        {
            string path = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
        using var root = Certificate("Site Root", ca: true);
        using var issuer = Certificate("Site Issuer", ca: true);
        using var device = Certificate("AHU-1", ca: false);
        Write("ca/site-issuer.pem", issuer.ExportCertificatePem());
        Write("ca/root.crt", root.ExportCertificatePem());
        Directory.CreateDirectory(Path.Combine(folder, "ca", "der"));
        File.WriteAllBytes(Path.Combine(folder, "ca", "der", "root.cer"), root.RawData);
        Write("certs/AHU-1.pem", device.ExportCertificatePem());
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Write("keys/AHU-1.key.pem", key.ExportPkcs8PrivateKeyPem());
        Write("ca/bundle-with-key.pem", issuer.ExportCertificatePem() + key.ExportPkcs8PrivateKeyPem());
        Write("node_modules/x/ca.pem", root.ExportCertificatePem());
        Write(".git/ca.pem", root.ExportCertificatePem());
        Write("notes.pem", "not a certificate");
        return folder;
    }

    [Fact]
    public void Issuer_paths_in_a_flow_list_and_a_block_list()
    {
        string folder = IssuerFolder();
        Func<IReadOnlyList<string>> issuers = () => IssuerFiles.Under(folder);
        try
        {
            string[] expected = ["ca/der/root.cer", "ca/root.crt", "ca/site-issuer.pem"];
            var (text, offset) = Cursor("ca: { profile: bacnet-sc, issuers: [ ‸ ] }\n");
            var found = Completions.At(text, offset, null, issuers);
            Assert.Equal(expected, found.Select(c => c.Label));
            Assert.All(found, c => Assert.Equal(CompletionKind.File, c.Kind));
            string after = Apply(text, found.Single(c => c.Label == "ca/site-issuer.pem"));
            Assert.Equal("ca: { profile: bacnet-sc, issuers: [ ca/site-issuer.pem ] }\n", after);
            Assert.Equal("ca/site-issuer.pem", Assert.Single(ManifestDocument.Parse(Checks.FilePath, after).Manifest!.Ca.Issuers).Value);

            // A second item after the first, with its comma; a partial path typed.
            (text, offset) = Cursor("ca:\n  issuers: [ca/site-issuer.pem ‸]\n");
            Assert.Equal("ca:\n  issuers: [ca/site-issuer.pem , ca/root.crt]\n",
                Apply(text, Completions.At(text, offset, null, issuers).Single(c => c.Label == "ca/root.crt")));
            (text, offset) = Cursor("ca:\n  issuers: [ ca/ro‸ ]\n");
            var root = Completions.At(text, offset, null, issuers).Single(c => c.Label == "ca/root.crt");
            Assert.Equal("ca/ro", Checks.At(text, root.Replace));

            // The block form offers the same.
            (text, offset) = Cursor("ca:\n  issuers:\n    - ‸\n");
            Assert.Equal(expected, Completions.At(text, offset, null, issuers).Select(c => c.Label));
            (text, offset) = Cursor("ca:\n  issuers:\n    - ca/si‸\n");
            found = Completions.At(text, offset, null, issuers);
            Assert.Equal("ca:\n  issuers:\n    - ca/site-issuer.pem\n", Apply(text, found.Single(c => c.Label == "ca/site-issuer.pem")));

            // Without a folder (an unsaved buffer) there is nothing to offer; a list of mappings still offers keys.
            (text, offset) = Cursor("ca: { issuers: [ ‸ ] }\n");
            Assert.Empty(Completions.At(text, offset, null));
            (text, offset) = Cursor("devices:\n  - ‸\n");
            Assert.Contains("name", Completions.At(text, offset, null).Select(c => c.Label));
            (text, offset) = Cursor("devices:\n  - name: A\n    instance: 1\n  - ‸\n    batch: b\n");
            var labels = Completions.At(text, offset, null).Select(c => c.Label).ToList();
            Assert.Contains("name", labels);
            Assert.Contains("instance", labels);
            Assert.DoesNotContain("batch", labels);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Enum_values_in_a_flow_mapping_of_the_ca()
    {
        var found = Complete("ca: { profile: ‸ }\n", out string text);
        Assert.Equal(["enos", "bacnet-sc", "generic"], found.Select(c => c.Label));
        Assert.Equal("ca: { profile: bacnet-sc }\n", Choose(found, text, "bacnet-sc"));
    }

    [Fact]
    public void Flow_over_several_lines_with_crlf_tabs_and_non_ascii_text()
    {
        string marked = "site: Zürich ☕\r\nsubject: {\r\n  locality: \"Zürich 🏔\",\tcountry: ‸,\r\n\torganization: Café\r\n}\r\n";
        var found = Complete(marked, out string text);
        Assert.Equal(249, found.Length);
        string after = Choose(found, text, "CH");
        Assert.Contains("\tcountry: CH,\r\n", after, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", after.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);

        found = Complete("site: Zürich ☕\r\nsubject: {\r\n  locality: \"Zürich 🏔\",\t‸\r\n\torganization: Café\r\n}\r\n", out text);
        Assert.Equal(["country", "state", "organizationalUnit", "email"], found.Select(c => c.Label));
        after = Choose(found, text, "state");
        Assert.Contains("\tstate: ,\r\n\torganization: Café", after, StringComparison.Ordinal);

        found = Complete("key:\t{\talgorithm:\t‸\t}\r\n", out text);
        Assert.Equal(["rsa", "ecdsa"], found.Select(c => c.Label));
    }

    [Fact]
    public void Nothing_is_offered_in_a_comment_or_after_a_key_without_its_colon()
    {
        Assert.Empty(Complete("subject: { country: US, # note ‸\n  state: X }\n", out _));
        Assert.Empty(Complete("subject: { country ‸ }\n", out _));
    }

    [Fact]
    public void An_unclosed_flow_mapping_being_typed_still_completes_and_block_lines_after_it_stay_block()
    {
        var found = Complete("subject: { country: U‸\nkey: { algorithm: rsa }\n", out _);
        Assert.Equal(249, found.Length);
        // Below an unclosed brace, a block line at the root is block context again.
        found = Complete("subject: { country: US\nkey:\n  algorithm: ‸\n", out _);
        Assert.Equal(["rsa", "ecdsa"], found.Select(c => c.Label));
    }

    [Fact]
    public void Block_completion_is_unchanged()
    {
        var found = Complete("key:\n  algorithm: ‸\n", out string text);
        Assert.Equal(["rsa", "ecdsa"], found.Select(c => c.Label));
        Assert.Equal("key:\n  algorithm: ecdsa\n", Choose(found, text, "ecdsa"));
        found = Complete("subject:\n  country: US\n  ‸\n", out _);
        Assert.DoesNotContain("country", found.Select(c => c.Label));
        Assert.Contains("state", found.Select(c => c.Label));
        // A value of block text after a flow collection on an earlier line.
        found = Complete("ca: { profile: enos }\nkey:\n  algorithm: ‸\n", out _);
        Assert.Equal(["rsa", "ecdsa"], found.Select(c => c.Label));
    }

    [Fact]
    public void Completion_and_hover_never_fail_and_replace_around_the_cursor()
    {
        // Texts of YAML's indicators, breaks of every kind, words and keys: mid-edit manifests, mostly not valid YAML.
        string[] words = ["country", "key", "subject: ", "algorithm: ", "  - ", "issuers: [", "US", "ü", "🏔", "\r\n"];
        Gen<string> piece = Gen.OneOf(Gen.Char["{}[],:\"'\\ \t\r\n#-|>?&*!"].Select(c => c.ToString()),
            Gen.Int[0, words.Length - 1].Select(i => words[i]));
        Gen.Select(piece.Array[0, 40], Gen.Int[0, 400]).Sample((pieces, at) =>
        {
            string text = string.Concat(pieces);
            int offset = Math.Min(at, text.Length);
            var found = Completions.At(text, offset, null);
            if (offset > 0 && offset < text.Length && text[offset - 1] == '\r' && text[offset] == '\n') offset--; // taken as the line's end
            foreach (var c in found)
            {
                Assert.True(c.Replace.Start <= offset && offset <= c.Replace.End && c.Replace.End <= text.Length,
                    $"{c.Replace} at {offset} in {text}");
                Assert.DoesNotContain('\n', c.InsertText);
            }
            _ = HoverContent.At(ManifestDocument.Parse(Checks.FilePath, text), offset);
        }, iter: 5_000);
    }

    [Fact]
    public void Any_key_or_value_completed_in_a_valid_flow_mapping_keeps_it_valid()
    {
        // Every offset of flow manifests that read: whatever a completion there offers, choosing it leaves YAML that reads.
        string[] texts =
        [
            Site,
            "{ site: X, subject: { country: US, state: \"a, b\" }, key: { }, ca: { issuers: [ ] } }\n",
            "subject: {\r\n  country: US,\r\n\tstate: 'it''s',\r\n  locality: Zürich 🏔 # here\r\n}\r\ndevices: [ { name: a }, " +
                "{ name: b, batch: x } ]\r\n",
        ];
        foreach (var text in texts)
        {
            Assert.Empty(YamlReader.Read(text, Checks.FilePath).Diagnostics);
            var document = ManifestDocument.Parse(Checks.FilePath, text);
            var inside = FlowSpans(document.Yaml.Root!).ToList();
            Assert.NotEmpty(inside);
            for (int offset = 0; offset <= text.Length; offset++)
            {
                if (!inside.Any(span => offset > span.Start && offset < span.End)) continue; // between the brackets of a flow collection
                foreach (var c in Completions.At(text, offset, document).GroupBy(c => c.Kind).SelectMany(g => g.Take(3)))
                {
                    string after = Apply(text, c);
                    Assert.True(YamlReader.Read(after, Checks.FilePath).Diagnostics.IsEmpty, $"“{c.Label}” at {offset} gives:\n{after}");
                }
            }
        }
    }

    private static IEnumerable<Text.TextSpan> FlowSpans(YamlNode node) => node switch
    {
        YamlMapping m => (m.IsFlow ? [m.Span] : Enumerable.Empty<Text.TextSpan>()).Concat(m.Pairs.SelectMany(p => FlowSpans(p.Value))),
        YamlSequence q => (q.IsFlow ? [q.Span] : Enumerable.Empty<Text.TextSpan>()).Concat(q.Items.SelectMany(FlowSpans)),
        _ => [],
    };

    // ---- hover ----------------------------------------------------------------------------------------------

    private static HoverText Hover(string marked)
    {
        var (text, offset) = Cursor(marked);
        var hover = HoverContent.At(ManifestDocument.Parse(Checks.FilePath, text), offset);
        Assert.NotNull(hover);
        return hover;
    }

    [Fact]
    public void Hover_inside_flow_nodes()
    {
        var value = Hover(Site.Replace("country: US,", "country: U‸S,", StringComparison.Ordinal));
        Assert.Contains("US: United States", value.Markdown, StringComparison.Ordinal);
        Assert.Contains("`country`", value.Markdown, StringComparison.Ordinal);

        var key = Hover(Site.Replace("locality: Milwaukee", "loca‸lity: Milwaukee", StringComparison.Ordinal));
        Assert.Contains("`locality`", key.Markdown, StringComparison.Ordinal);
        Assert.Equal("locality", Checks.At(Site, key.Span));

        var device = Hover(Site.Replace("{ name: AHU-2,", "{ name: AH‸U-2,", StringComparison.Ordinal));
        Assert.Contains("Common name: `AHU-2.bms.example`", device.Markdown, StringComparison.Ordinal);

        var algorithm = Hover(Site.Replace("algorithm: rsa", "algorithm: r‸sa", StringComparison.Ordinal));
        Assert.Contains("`algorithm`", algorithm.Markdown, StringComparison.Ordinal);

        // An empty value in a flow mapping: its key's field, not the mapping's.
        var empty = Hover(Site.Replace(SubjectLine, "subject: { country: ‸}", StringComparison.Ordinal));
        Assert.Contains("`country`", empty.Markdown, StringComparison.Ordinal);

        var crlf = Hover("site: Zürich 🏔\r\nsubject: {\r\n\tlocality: Zürich,\r\n\tcountry: C‸H }\r\n");
        Assert.Contains("CH: Switzerland", crlf.Markdown, StringComparison.Ordinal);
    }

    // ---- quick fixes that insert text -----------------------------------------------------------------------

    /// <summary>The one fix of the one diagnostic of that code, applied: the result reads as YAML and the diagnostic is gone.</summary>
    private static string Fix(string text, string code, Func<Diagnostic, bool>? expectedNew = null)
    {
        var diagnostic = Checks.Single(text, code);
        var fix = Assert.Single(diagnostic.Fixes, f => !f.Edits.IsEmpty);
        string after = Edits.Apply(Checks.FilePath, text, fix);
        Assert.Empty(YamlReader.Read(after, Checks.FilePath).Diagnostics);
        Checks.AssertFixed(diagnostic, fix, Checks.Errors(text), Checks.Errors(after), expectedNew ?? (_ => false), after);
        return after;
    }

    [Fact]
    public void Missing_subject_field_added_to_a_flow_subject()
    {
        string text = Site.Replace(", organizationalUnit: Facilities }", " }", StringComparison.Ordinal);
        string after = Fix(text, "CL0101", d => d.Code == "CL0101" && d.Message.Contains("is empty", StringComparison.Ordinal));
        Assert.Contains("organization: Riverside Health, organizationalUnit: \"\" }\n", after, StringComparison.Ordinal);

        // A flow subject over several lines, CRLF, the last value followed by a comment, non-ASCII text.
        text = "site: Zürich\r\nsubject: " +
            "{\r\n  country: CH,\r\n  state: ZH,\r\n  locality: \"Zürich 🏔\",\r\n  organization: Café   # the owner\r\n}\r\ndevices:\r\n " +
            " - { name: A, instance: 1 }\r\n";
        after = Edits.Apply(Checks.FilePath, text, Checks.Single(text, "CL0101").Fixes.Single());
        Assert.Empty(YamlReader.Read(after, Checks.FilePath).Diagnostics);
        Assert.Contains("  organization: Café, organizationalUnit: \"\"   # the owner\r\n}", after, StringComparison.Ordinal);

        // An empty value last: the new entry follows it, with its comma.
        text = Site.Replace(", organizationalUnit: Facilities }", ", email: }", StringComparison.Ordinal);
        after = Edits.Apply(Checks.FilePath, text, Checks.Single(text, "CL0101").Fixes.Single());
        Assert.Empty(YamlReader.Read(after, Checks.FilePath).Diagnostics);
        Assert.Equal(["country", "state", "locality", "organization", "email", "organizationalUnit"],
            ((YamlMapping)((YamlMapping)YamlReader.Read(after, Checks.FilePath).Root!).Find("subject")!.Value.Value).Pairs.Select(p =>
                p.Key.Value));

        // A trailing comma stays valid.
        text = Site.Replace(", organizationalUnit: Facilities }", ", }", StringComparison.Ordinal);
        after = Edits.Apply(Checks.FilePath, text, Checks.Single(text, "CL0101").Fixes.Single());
        Assert.Empty(YamlReader.Read(after, Checks.FilePath).Diagnostics);
        Assert.Contains("organizationalUnit: \"\"", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Subject_defaults_added_to_a_flow_root()
    {
        string text = "{ site: Riverside, devices: [ { name: AHU-1, instance: 1, " +
            "subject: { country: US, state: W, locality: M, organization: O } } ] }\n";
        string after = Fix(text, "CL0101", d => d.Code == "CL0101" && d.Message.Contains("is empty", StringComparison.Ordinal));
        Assert.Contains("} ], subject: { organizationalUnit: \"\" } }\n", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_key_added_to_a_flow_mapping()
    {
        string text = Site.Replace("{ name: AHU-2, instance: 2, batch: north }", "{ instance: 2, batch: north }", StringComparison.Ordinal);
        var diagnostic = Checks.Single(text, "CL0004");
        string after = Edits.Apply(Checks.FilePath, text, diagnostic.Fixes.Single());
        Assert.Empty(YamlReader.Read(after, Checks.FilePath).Diagnostics);
        Assert.Contains("{ instance: 2, batch: north, name: ", after, StringComparison.Ordinal);
        Assert.DoesNotContain(Checks.Run(after), d => d.Code == "CL0004");
    }

    /// <summary>The duplicate-CN fix of the second of two devices, applied: the flow stays valid YAML and the duplicate goes.</summary>
    private static string FixSecondDuplicate(string text)
    {
        var second = Checks.OfCode(text, "CL0201").OrderBy(d => d.Span.Start).Last();
        string after = Edits.Apply(Checks.FilePath, text, second.Fixes.Single());
        Assert.Empty(YamlReader.Read(after, Checks.FilePath).Diagnostics);
        Assert.DoesNotContain(Checks.Run(after), d => d.Code == "CL0201");
        return after;
    }

    [Fact]
    public void Common_name_added_to_a_flow_device_quoted_for_flow()
    {
        // No domain: a name with a comma is then no host name to check (CL0206), only a CN to keep unique.
        string after = FixSecondDuplicate(WithoutDomain.Replace("{ name: AHU-1, instance: 1, batch: north }\n  - { name: AHU-2,",
            "{ name: \"AHU,1\", instance: 1, batch: north }\n  - { name: \"AHU,1\",", StringComparison.Ordinal));
        Assert.Contains("{ name: \"AHU,1\", instance: 2, batch: north, commonName: \"AHU,1-2\" }", after, StringComparison.Ordinal);
    }

    [Fact]
    public void Common_name_replaced_in_a_flow_device_keeps_the_flow_valid()
    {
        string after = FixSecondDuplicate(WithoutDomain.Replace("{ name: AHU-1, instance: 1, batch: north }\n  - { name: AHU-2,",
            "{ name: AHU-1, commonName: x, instance: 1, batch: north }\n  - { name: AHU-2, commonName: x,", StringComparison.Ordinal)
            .Replace("commonName: x,", "commonName: \"x,y\",", StringComparison.Ordinal));
        Assert.Equal(["x,y", "x,y-2"], ManifestDocument.Parse(Checks.FilePath, after).Manifest!.Devices.Select(d => d.CommonName!.Value));
    }

    [Fact]
    public void Previous_common_name_added_to_a_flow_device()
    {
        // The ledger of the CL0205 baseline: AHU-1 was requested as AHU-01.
        string ledger = File.ReadAllText(Path.Combine(RepoPaths.Baselines, "cl0205-renewal-cn", "site.site.ledger"));
        string text =
            "site: Riverside Campus\r\ndomain: bms.riverside.example\r\nsubject: " +
            "{ country: US, state: Wisconsin, locality: Milwaukee, organization: Riverside Health, organizationalUnit: Facilities }\r\n"
            + "devices:\r\n  - { name: AHU-1, instance: 10001 }\r\n  - {\tname: AHU-2,\r\n      instance: 10002 }\r\n";
        var diagnostic = Assert.Single(Checks.Run(text, ledger), d => d.Code == "CL0205");
        string after = Edits.Apply(Checks.FilePath, text, diagnostic.Fixes.Single());
        Assert.Empty(YamlReader.Read(after, Checks.FilePath).Diagnostics);
        Assert.True(after.Contains("  - { name: AHU-1, instance: 10001, commonName: AHU-01.bms.riverside.example }\r\n",
            StringComparison.Ordinal), after);
        Assert.DoesNotContain(Checks.Run(after, ledger), d => d.Code is "CL0205" or "CL0001");
    }

    [Fact]
    public void Batches_split_in_flow_devices_keep_their_quotes()
    {
        var devices = string.Concat(Enumerable.Range(1, 51).Select(i => $"  - {{ name: D-{i}, instance: {i}, batch: \"a,b\" }}\n"));
        string text = Site[..Site.IndexOf("  - {", StringComparison.Ordinal)] + devices;
        var diagnostic = Checks.Single(text, "CL0301");
        string after = Edits.Apply(Checks.FilePath, text, diagnostic.Fixes.Single());
        Assert.Empty(YamlReader.Read(after, Checks.FilePath).Diagnostics);
        Assert.Equal("a,b-2", ManifestDocument.Parse(Checks.FilePath, after).Manifest!.Devices[^1].Batch!.Value);
        Assert.DoesNotContain(Checks.Run(after), d => d.Code == "CL0301");
    }
}
