using CertLsp.Core.Tests.Support;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0001 and the spans the reader gives every node (hostile input is tested elsewhere).</summary>
public sealed class YamlReaderTests
{
    [Fact]
    public void A_duplicate_key_is_reported_on_the_second_with_the_first_as_related_location()
    {
        string text = Sites.With(("    instance: 1002\n", "    instance: 1002\n    instance: 1003\n"));
        var d = Checks.Expect(text, "CL0001", (20, 4, 20, 12), "instance");
        var related = Assert.Single(d.Related);
        Assert.Equal((19, 4, 19, 12), Checks.Range(text, related.Location.Span));
        // The rest of the manifest is still checked: the first value counts.
        Checks.None(text, "CL0601");
    }

    [Fact]
    public void A_second_document_is_reported_on_its_marker()
    {
        string text = Sites.Clean + "---\nsite: Other\n";
        _ = Checks.Expect(text, "CL0001", (21, 0, 21, 3), "---");
    }

    [Fact]
    public void An_unclosed_flow_list_is_reported_on_the_last_line_with_text_and_nothing_else_is_checked()
    {
        string text = "site: X\ndevices: [ { name: AHU-1 }\n\n";
        var d = Assert.Single(Checks.Run(text));
        Assert.Equal("CL0001", d.Code);
        Checks.AssertRange(text, d, (1, 0, 1, 26), "devices: [ { name: AHU-1 }");
    }

    [Fact]
    public void A_tab_used_for_indentation_is_the_range()
    {
        string text = "site: X\nsubject:\n  country: US\n\tstate: Wisconsin\ndevices: []\n";
        _ = Checks.Expect(text, "CL0001", (3, 0, 3, 1), "\t");
    }

    [Fact]
    public void Flow_collections_span_their_brackets_and_scalars_their_quotes()
    {
        const string text = "a: { b: 1, c: [ x, 'y' ] }\nd: \"é😀\"\n";
        var result = YamlReader.Read(text, "t.yaml");
        Assert.Empty(result.Diagnostics);
        var root = Assert.IsType<YamlMapping>(result.Root);
        var a = Assert.IsType<YamlMapping>(root.Find("a")?.Value!);
        Assert.Equal("{ b: 1, c: [ x, 'y' ] }", Checks.At(text, a.Span));
        Assert.True(a.IsFlow);
        var c = Assert.IsType<YamlSequence>(a.Find("c")?.Value!);
        Assert.Equal("[ x, 'y' ]", Checks.At(text, c.Span));
        Assert.Equal("'y'", Checks.At(text, c.Items[1].Span));
        var d = Assert.IsType<YamlScalar>(root.Find("d")?.Value!);
        Assert.Equal("é😀", d.Value);
        Assert.Equal((1, 3, 1, 8), Checks.Range(text, d.Span));
    }

    [Fact]
    public void Block_collections_end_at_their_last_node()
    {
        const string text = "devices:\n  - name: A\n    instance: 1\n\n# trailing comment\n";
        var root = Assert.IsType<YamlMapping>(YamlReader.Read(text, "t.yaml").Root);
        var devices = Assert.IsType<YamlSequence>(root.Find("devices")?.Value!);
        Assert.Equal("- name: A\n    instance: 1", Checks.At(text, devices.Span));
        Assert.Equal("name: A\n    instance: 1", Checks.At(text, devices.Items[0].Span));
    }

    [Fact]
    public void Plain_scalars_keep_YAML_1_2_core_types()
    {
        const string text = "a: NO\nb: 0x1F\nc: 1.5\nd: ~\ne: true\nf: '12'\n";
        var root = Assert.IsType<YamlMapping>(YamlReader.Read(text, "t.yaml").Root);
        ScalarType TypeOf(string key) => Assert.IsType<YamlScalar>(root.Find(key)?.Value).Type;
        Assert.Equal(
            [ScalarType.String, ScalarType.Integer, ScalarType.Float, ScalarType.Null, ScalarType.Boolean, ScalarType.String],
            new[] { "a", "b", "c", "d", "e", "f" }.Select(TypeOf).ToArray());
    }

    [Fact]
    public void Keys_keep_their_text_and_span_and_an_anchored_key_can_be_aliased_as_a_value()
    {
        const string text = "\"quoted key\": 1\n&k name: AHU-1\ncopy: *k\n";
        var root = Assert.IsType<YamlMapping>(YamlReader.Read(text, "t.yaml").Root);
        Assert.Equal(["quoted key", "name", "copy"], root.Pairs.Select(p => p.Key.Value).ToArray());
        Assert.Equal("\"quoted key\"", Checks.At(text, root.Pairs[0].Key.Span));
        Assert.Equal("&k name", Checks.At(text, root.Pairs[1].Key.Span)); // YamlDotNet's event starts at the anchor
        // The alias stands for the key's text, as a value of its own.
        Assert.Equal("name", Assert.IsType<YamlScalar>(root.Find("copy")?.Value).Value);
    }
}
