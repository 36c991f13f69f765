using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Tests.Positions;

/// <summary>
/// Ranges are LSP positions: zero-based lines (a break is \n, \r\n or a lone \r) and UTF-16 columns.
/// Expected columns are counted by hand in the comments, so a byte (UTF-8) or code-point count would fail them.
/// </summary>
public class PositionTests
{
    private static (ManifestDocument Document, IReadOnlyList<Diagnostic> Diagnostics) Check(string text)
    {
        var document = ManifestDocument.Parse("positions.site.yaml", text);
        return (document, ManifestChecker.Check([document]).ByPath[document.Path]);
    }

    private static LineRange RangeOf(string text, string code)
    {
        var (document, diagnostics) = Check(text);
        return document.Lines.GetRange(Assert.Single(diagnostics, d => d.Code == code).Span);
    }

    private const string Head =
        "site: Été 🌡 北京\nsubject: { country: US, state: WI, locality: X, organization: O, organizationalUnit: U }\ndevices:\n";

    [Fact]
    public void Columns_after_accents_surrogate_pairs_and_CJK_count_UTF16_units()
    {
        // "  - { name: é🌡北, instance: -1 }": é is 1 unit, 🌡 2 (a surrogate pair), 北 1, so "-1" starts at 28
        // (UTF-8 bytes would say 33, code points 27).
        var range = RangeOf(Head + "  - { name: é🌡北, instance: -1 }\n", "CL0602");
        Assert.Equal(new LineRange(new(3, 28), new(3, 30)), range);
    }

    [Fact]
    public void A_value_made_only_of_a_surrogate_pair_spans_two_units()
    {
        // "  - name: 🌡\n    batch: 🌡🌡" then an unknown key "x🌡: 1" at column 4, its span 3 units long.
        var range = RangeOf(Head + "  - name: 🌡\n    batch: 🌡🌡\n    x🌡: 1\n", "CL0002");
        Assert.Equal(new LineRange(new(5, 4), new(5, 7)), range);
    }

    [Fact]
    public void Emoji_in_a_quoted_value_before_the_offending_node_on_the_same_line()
    {
        // key: { source: "🔑🔑", size: 1234 } : 'k' 0, '{' 5, "source" 7, '"' 15, two pairs 16..19, '"' 20, ',' 21, "size" 23, "1234" 29.
        var (document, diagnostics) = Check("site: a\nsubject: {}\ndevices: []\nkey: { source: \"🔑🔑\", size: 1234 }\n");
        var source = diagnostics.Single(d => d.Code == "CL0003" && d.Message.Contains("🔑🔑", StringComparison.Ordinal));
        Assert.Equal(new LineRange(new(3, 15), new(3, 21)), document.Lines.GetRange(source.Span)); // “🔑🔑” is not local or device
        var size = diagnostics.Single(d => d.Code == "CL0003" && d.Message.Contains("1234", StringComparison.Ordinal));
        Assert.Equal(new LineRange(new(3, 29), new(3, 33)), document.Lines.GetRange(size.Span));
    }

    [Fact]
    public void A_tab_inside_a_value_is_one_column()
    {
        // key: { algorithm: "r\tsa", size: 1 }: the quoted scalar has a real tab (1 unit): '"' 18, r 19, tab 20, s 21, a 22, '"' 23, "size"
        // 26, "1" 32.
        var (document, diagnostics) = Check("site: a\nsubject: {}\ndevices: []\nkey: { algorithm: \"r\tsa\", size: 1 }\n");
        var algorithm = diagnostics.Single(d => d.Code == "CL0003" && d.Message.Contains("“r\\tsa”", StringComparison.Ordinal));
        Assert.Equal(new LineRange(new(3, 18), new(3, 24)), document.Lines.GetRange(algorithm.Span));
        var size = diagnostics.Single(d => d.Code == "CL0003" && d.Message.Contains("“1”", StringComparison.Ordinal));
        Assert.Equal(new LineRange(new(3, 32), new(3, 33)), document.Lines.GetRange(size.Span));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Line_breaks_of_every_kind_give_the_same_positions(string newline)
    {
        var lines = new[] { "site: a", "subject:", "  country: us", "devices:", "  - name: é🌡", "    instance: 4194303" };
        var text = string.Join(newline, lines) + newline;
        Assert.Equal(new LineRange(new(2, 11), new(2, 13)), RangeOf(text, "CL0103"));
        Assert.Equal(new LineRange(new(5, 14), new(5, 21)), RangeOf(text, "CL0602"));
    }

    [Fact]
    public void A_CRLF_scalar_at_the_end_of_a_line_does_not_include_the_carriage_return()
    {
        var text = "site: a\r\nsubject:\r\n  country: us\r\ndevices: []\r\n";
        var (document, diagnostics) = Check(text);
        var country = Assert.Single(diagnostics, d => d.Code == "CL0103");
        Assert.Equal("us", text.Substring(country.Span.Start, country.Span.Length));
        Assert.Equal(new LinePosition(2, 13), document.Lines.GetRange(country.Span).End);
    }

    [Theory]
    [InlineData("site: [a, b]\n", "[a, b]")]
    [InlineData("site: {a: b}\n", "{a: b}")]
    [InlineData("site: [a, [b]]\n", "[a, [b]]")]
    [InlineData("site: { a: [b] }\n", "{ a: [b] }")]
    [InlineData("site: []\n", "[]")]
    [InlineData("site: [ ]\n", "[ ]")]
    public void A_flow_collection_spans_through_its_closing_bracket(string text, string node)
    {
        var (_, diagnostics) = Check(text);
        var wrongType = Assert.Single(diagnostics, d => d.Code == "CL0003");
        Assert.Equal(node, text.Substring(wrongType.Span.Start, wrongType.Span.Length));
    }

    [Theory]
    [InlineData("subject: {country: US}", "subject: {country: US, state: \"\"}")]
    [InlineData("subject: { country: US }", "subject: { country: US, state: \"\" }")]
    [InlineData("subject: {}", "subject: { state: \"\" }")]
    public void A_fix_adding_a_key_to_a_flow_mapping_inserts_it_before_the_closing_brace(string line, string fixedLine)
    {
        var text = $"site: a\n{line}\ndevices:\n  - name: A\n";
        var (_, diagnostics) = Check(text);
        var missingState = diagnostics.First(d => d.Code == "CL0101" && d.Message.Contains("“state”", StringComparison.Ordinal));
        var edit = Assert.Single(Assert.Single(missingState.Fixes).Edits);
        var applied = text[..edit.Span.Start] + edit.NewText + text[edit.Span.End..];
        Assert.Equal($"site: a\n{fixedLine}\ndevices:\n  - name: A\n", applied);
    }

    [Fact]
    public void LineIndex_agrees_with_a_naive_count_at_every_offset()
    {
        var text = "a\r\nb\rc\n\ré🌡\r\n\n北\r";
        var index = new LineIndex(text);
        int line = 0, column = 0;
        for (int offset = 0; offset <= text.Length; offset++)
        {
            Assert.Equal(new LinePosition(line, column), index.GetPosition(offset));
            bool insideCrLf = offset > 0 && offset < text.Length && text[offset - 1] == '\r' && text[offset] == '\n';
            // between \r and \n clamps before the break
            if (!insideCrLf) Assert.Equal(offset, index.GetOffset(new LinePosition(line, column), text));
            if (offset == text.Length) break;
            char c = text[offset];
            bool breaks = c == '\n' || (c == '\r' && (offset + 1 >= text.Length || text[offset + 1] != '\n'));
            if (breaks) { line++; column = 0; }
            else if (c != '\r')
            {
                column++;
            }
            else
            {
                column++; // the \r of \r\n: the \n that follows ends the line
            }
        }
        Assert.Equal(8, index.LineCount);
    }

    [Fact]
    public void Every_scalar_span_covers_exactly_its_source_text()
    {
        var text =
            "site: \"Été 🌡\"\r\nsubject: { country: 'US', state: 北京 }\r\ndevices:\r\n  - name: |\r\n      AHU-1\r\n    instance: 0x10\r\n";
        var root = Assert.IsType<YamlMapping>(YamlReader.Read(text, "x").Root);
        var site = Assert.IsType<YamlScalar>(root.Find("site")?.Value!);
        Assert.Equal("\"Été 🌡\"", text.Substring(site.Span.Start, site.Span.Length));
        var subject = Assert.IsType<YamlMapping>(root.Find("subject")?.Value!);
        Assert.Equal("{ country: 'US', state: 北京 }", text.Substring(subject.Span.Start, subject.Span.Length));
        var state = subject.Find("state")?.Value!;
        Assert.Equal("北京", text.Substring(state.Span.Start, state.Span.Length));
        var device = Assert.IsType<YamlMapping>(Assert.IsType<YamlSequence>(root.Find("devices")?.Value!).Items[0]);
        var instance = device.Find("instance")?.Value!;
        Assert.Equal("0x10", text.Substring(instance.Span.Start, instance.Span.Length));
    }
}
