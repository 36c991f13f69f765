using CertLsp.Core.Yaml;
using CertLsp.SiteGen;

namespace CertLsp.Core.Tests.HostileInput;

/// <summary>Malformed and hostile YAML: each gives a CL0001 (or a structural) diagnostic on the right line, never a throw or a blow-up
/// (memory allocated is bounded; time is benchmarked by certlsp-bench hostile).</summary>
public class HostileYamlTests
{
    private const string Tail = "subject: {}\ndevices: []\n";

    private static void AssertSyntaxError(string text, int line, string messagePart)
    {
        var outcome = Bounded.Check(text);
        var error = outcome.Single("CL0001");
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, outcome.RangeOf(error).Start.Line);
        Assert.Null(outcome.Document.Manifest);
    }

    [Theory]
    [InlineData("site: \"Riverside\n" + Tail, 0, "double-quoted scalar")]
    [InlineData("site: 'Riverside\n" + Tail, 0, "quoted scalar, found unexpected end of stream")]
    [InlineData("site: a\nbacnet:\n  port: \"47808\\x\"\n" + Tail, 2, "hexadecimal number")]
    [InlineData("site: \"\\uD800\"\n" + Tail, 0, "surrogates")]
    [InlineData("site: a\n  nested: b\n" + Tail, 1, "invalid mapping")]
    [InlineData("site: |\n  a\n b\n" + Tail, 2, "did not find expected key")]
    public void Malformed_scalars_and_indentation_give_CL0001_on_their_line(string text, int line, string messagePart) =>
        AssertSyntaxError(text, line, messagePart);

    [Theory]
    // YamlDotNet throws InvalidOperationException (not YamlException) for these unclosed flow collections; YamlReader
    // turns it into CL0001 at the bracket that is never closed.
    [InlineData("site: a\nca:\n  issuers: [a, b\n" + Tail, 2, 11, "“[” opens a list that is never closed")]
    [InlineData("site: a\nkey: { algorithm: rsa\n" + Tail, 1, 5, "“{” opens a mapping that is never closed")]
    [InlineData("site: a\nkey: { algorithm: [rsa\n" + Tail, 1, 18, "“[” opens a list that is never closed")]
    public void Unclosed_flow_collections_give_CL0001_at_the_open_bracket(string text, int line, int character, string messagePart)
    {
        var outcome = Bounded.Check(text);
        var error = outcome.Single("CL0001");
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal(new Text.LineRange(new(line, character), new(line, character + 1)), outcome.RangeOf(error));
    }

    [Fact]
    public void The_InvalidOperationException_path_is_really_taken_for_an_unclosed_flow_list()
    {
        // Guards the test above: if YamlDotNet starts throwing YamlException here, the message changes and this documents why.
        var parser = new YamlDotNet.Core.Parser(new StringReader("site: a\nca:\n  issuers: [a, b\n" + Tail));
        Assert.Throws<InvalidOperationException>(() => { while (parser.MoveNext()) { } });
    }

    [Fact]
    public void A_tab_used_as_indentation_is_reported_at_the_tab()
    {
        var outcome = Bounded.Check("site: a\nsubject:\n\tcountry: US\ndevices: []\n");
        var error = outcome.Single("CL0001");
        Assert.Contains("tab", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Text.LineRange(new(2, 0), new(2, 1)), outcome.RangeOf(error));
    }

    [Fact]
    public void A_tab_after_spaces_in_the_indentation_is_reported_at_the_tab()
    {
        var outcome = Bounded.Check("site: a\nsubject:\n  country: US\n \tstate: X\ndevices: []\n");
        var error = outcome.Single("CL0001");
        Assert.Equal(new Text.LineRange(new(3, 1), new(3, 2)), outcome.RangeOf(error));
    }

    [Fact]
    public void A_tab_inside_a_value_is_text_not_an_error()
    {
        var outcome = Bounded.Check("site: \"A\tB\"\nsubject: {}\ndevices: []\n");
        Assert.DoesNotContain(outcome.Diagnostics, d => d.Code is "CL0001" or "CL0003");
    }

    [Fact]
    public void A_duplicate_key_is_reported_at_the_second_key_with_the_first_as_related()
    {
        var outcome = Bounded.Check("site: a\nsubject: {}\nsite: b\ndevices: []\n");
        var error = outcome.Single("CL0001");
        Assert.Equal(new Text.LineRange(new(2, 0), new(2, 4)), outcome.RangeOf(error));
        var related = Assert.Single(error.Related);
        Assert.Equal(new Text.TextSpan(0, 4), related.Location.Span);
        Assert.NotNull(outcome.Document.Manifest); // the rest of the file is still checked
    }

    [Fact]
    public void A_duplicate_key_in_a_flow_mapping_of_a_device_is_reported()
    {
        var outcome = Bounded.Check("site: a\nsubject: {}\ndevices:\n  - { name: A, name: B }\n");
        var error = outcome.Single("CL0001");
        Assert.Equal(new Text.LineRange(new(3, 15), new(3, 19)), outcome.RangeOf(error));
    }

    [Theory]
    [InlineData("site: a\n" + Tail + "---\nsite: b\n", 3)]
    [InlineData("---\nsite: a\n" + Tail + "...\n---\nsite: b\n", 5)]
    [InlineData("site: a\n" + Tail + "---\n", 3)]
    public void A_second_document_is_reported_at_its_marker(string text, int line)
    {
        var outcome = Bounded.Check(text);
        var error = outcome.Single("CL0001");
        Assert.Contains("second one", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Text.LineRange(new(line, 0), new(line, 3)), outcome.RangeOf(error));
        Assert.Equal("a", outcome.Document.Manifest?.Site?.Value); // the first document is still checked
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n\t\n")]
    [InlineData("# only a comment\n")]
    [InlineData("\r\n")]
    public void An_empty_file_gives_the_three_missing_keys_at_the_start(string text)
    {
        var outcome = Bounded.Check(text);
        Assert.Equal(["devices", "site", "subject"], outcome.Diagnostics.Select(d => d.Message.Split('“', '”')[1]).Order());
        Assert.All(outcome.Diagnostics, d =>
        {
            Assert.Equal("CL0004", d.Code);
            Assert.Equal(new Text.TextSpan(0, 0), d.Span);
        });
    }

    [Fact]
    public void Text_that_is_not_a_mapping_is_a_wrong_type_over_the_whole_node()
    {
        var outcome = Bounded.Check("- a\n- b\n");
        var error = outcome.Single("CL0003");
        Assert.Equal(new Text.TextSpan(0, 7), error.Span);
    }

    [Fact]
    public void Binary_garbage_decoded_as_text_gives_diagnostics_and_no_throw()
    {
        var outcome = Bounded.Check(HostileYaml.BinaryGarbage(200_000));
        Assert.NotEmpty(outcome.Diagnostics);
        Assert.Contains(outcome.Diagnostics, d => d.Code is "CL0001" or "CL0003" or "CL0004");
    }

    [Fact]
    public void The_billion_laughs_alias_bomb_is_refused_at_the_alias_that_crosses_the_limit()
    {
        var outcome = Bounded.Check(HostileYaml.BillionLaughs(), maxAllocatedBytes: 16L << 20);
        var error = outcome.Single("CL0001");
        Assert.Contains("YAML bomb", error.Message, StringComparison.Ordinal);
        var range = outcome.RangeOf(error);
        // Expansion so far: b 90, c 819, d 7,380, e 66,429 nodes (74,718 in all); f's first "*e" adds 66,430 and crosses 100,000.
        Assert.Equal("*e", outcome.Document.Text.Substring(error.Span.Start, error.Span.Length));
        Assert.Equal(new Text.LinePosition(5, 7), range.Start);
    }

    [Fact]
    public void Aliases_below_the_limit_are_shared_not_copied()
    {
        // 1,000 aliases of a 90-node list: 90,000 nodes of expansion, under the cap, read without copying.
        var outcome = Bounded.Check(HostileYaml.SharedAliases(), maxAllocatedBytes: 16L << 20);
        Assert.DoesNotContain(outcome.Diagnostics, d => d.Code == "CL0001");
        Assert.Equal(2, outcome.Diagnostics.Count(d => d.Code == "CL0002"));
    }

    [Fact]
    public void An_alias_to_no_anchor_is_reported_at_the_alias()
    {
        var outcome = Bounded.Check("site: *nowhere\n" + Tail);
        var error = outcome.Single("CL0001");
        Assert.Equal(new Text.TextSpan(6, 8), error.Span);
    }

    public static TheoryData<string, string> DeepDocuments()
    {
        var data = new TheoryData<string, string>();
        foreach (var (kind, text) in HostileYaml.DeepDocuments()) data.Add(kind, text);
        return data;
    }

    [Theory]
    [MemberData(nameof(DeepDocuments))]
    public void Deep_nesting_stops_at_the_depth_limit(string kind, string text)
    {
        var outcome = Bounded.Check(text, maxAllocatedBytes: 32L << 20);
        var error = outcome.Single("CL0001");
        Assert.True(error.Message.Contains($"deeper than {YamlReader.MaxDepth}", StringComparison.Ordinal), $"{kind}: {error.Message}");
        Assert.Equal(1, error.Span.Length);
        Assert.True(error.Span.Start < 10 * 2_000, $"{kind}: reported at {error.Span}, expected near the level where the limit is crossed");
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_read()
    {
        int levels = YamlReader.MaxDepth - 1; // the root mapping is one level
        var outcome = Bounded.Check("site: a\nsubject: {}\ndevices: []\nx: " + new string('[', levels - 1) + new string(']', levels - 1)
            + "\n");
        Assert.DoesNotContain(outcome.Diagnostics, d => d.Code == "CL0001");
    }

    [Fact]
    public void A_key_of_a_mapping_or_list_is_reported_not_thrown()
    {
        var outcome = Bounded.Check("site: a\n? [x]\n: b\n" + Tail);
        var error = outcome.Single("CL0001");
        Assert.Contains("key must be plain text", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Text.LineRange(new(1, 2), new(1, 5)), outcome.RangeOf(error));
    }

    [Theory]
    [InlineData("---\n")]
    [InlineData("--- ")]
    [InlineData("? ")]
    public void A_node_YamlDotNet_places_past_the_end_of_the_text_gets_a_span_inside_it(string text)
    {
        var outcome = Bounded.Check(text); // asserts every span lies within the text
        Assert.NotEmpty(outcome.Diagnostics);
    }

    [Fact]
    public void Duplicate_common_names_across_files_do_not_depend_on_the_order_the_files_are_given_in()
    {
        var a = Checking.ManifestDocument.Parse("a.site.yaml", "site: A\nsubject: {}\ndevices:\n  - name: AHU-1\n");
        var b = Checking.ManifestDocument.Parse("b.site.yaml", "site: B\nsubject: {}\ndevices:\n  - name: ahu-1\n");
        string Render(Checking.CheckResult r) => string.Join("\n",
            r.All.Where(d => d.Code == "CL0201").OrderBy(d => d.Path, StringComparer.Ordinal)
            .Select(d => $"{d.Path} {d.Message} fixes: {string.Join(", ", d.Fixes.Select(f => f.Title))}"));
        var forward = Render(Checking.ManifestChecker.Check([a, b]));
        Assert.Equal(forward, Render(Checking.ManifestChecker.Check([b, a])));
        Assert.Contains("b.site.yaml The common name", forward, StringComparison.Ordinal);
        Assert.EndsWith("fixes: Set the common name to “ahu-1-2”", forward, StringComparison.Ordinal); // the later path gets the fix
    }

    [Fact]
    public void Aliases_that_stack_nesting_upon_nesting_stay_bounded()
    {
        // Each line nests the previous anchor 60 levels deeper: the tree grows deeper than the nesting limit allows
        // on any one line, until the alias expansion cap stops it. Nothing may recurse itself to death on the way.
        var outcome = Bounded.Check(HostileYaml.StackedAliases(), maxAllocatedBytes: 64L << 20);
        Assert.Contains("YAML bomb", outcome.Single("CL0001").Message, StringComparison.Ordinal);
    }
}
