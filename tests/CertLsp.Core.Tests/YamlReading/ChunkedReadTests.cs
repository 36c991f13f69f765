using System.Text;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Yaml;
using Xunit.Abstractions;

namespace CertLsp.Core.Tests.YamlReading;

/// <summary>
/// A large manifest is read in pieces (re-using unchanged pieces of the previous version): the tree and the
/// findings must be exactly those of one whole read, for any text — including texts where a cut lands somewhere YAML does
/// not allow it, which must fall back to the whole read.
/// </summary>
public sealed class ChunkedReadTests(ITestOutputHelper output)
{
    // Small pieces so that every generated text is cut many times.
    private static readonly ChunkOptions Tiny = new(0, 4, TapeTokens: 40); // many pieces, built a few at a time

    private static int Seed() => int.TryParse(Environment.GetEnvironmentVariable("CERTLSP_SEED"), out int seed) ? seed
        : Environment.TickCount;

    [Fact]
    public void A_generated_site_is_cut_into_many_pieces_and_reads_as_one()
    {
        string text = Generate(new Random(1), 2_000, mistakes: false);
        var plan = YamlChunks.Plan(text, ChunkOptions.Default);
        Assert.NotNull(plan);
        Assert.True(plan.Starts.Length > 5, $"{plan.Starts.Length} pieces");
        var chunked = YamlReader.Read(text, "a.site.yaml", null, ChunkOptions.Default);
        Assert.NotNull(chunked.Chunks);
        AssertSame(YamlReader.ReadWhole(text, "a.site.yaml"), chunked, text);
    }

    [Theory]
    [InlineData(40)]  // a batch holds one piece or two
    [InlineData(200)] // several pieces a batch
    public void Random_texts_read_in_pieces_equal_the_whole_read(int tapeTokens)
    {
        int seed = Seed();
        output.WriteLine($"seed {seed} (CERTLSP_SEED={seed} replays it)");
        var random = new Random(seed);
        var options = Tiny with { TapeTokens = tapeTokens };
        int cut = 0;
        for (int round = 0; round < 400; round++)
        {
            string text = Generate(random, random.Next(1, 60), mistakes: true);
            var chunked = YamlReader.Read(text, "a.site.yaml", null, options);
            if (chunked.Chunks is not null) cut++;
            AssertSame(YamlReader.ReadWhole(text, "a.site.yaml"), chunked, text);
        }
        output.WriteLine($"{cut} of 400 texts were read in pieces");
        Assert.True(cut > 50, $"only {cut} of 400 texts were read in pieces");
    }

    [Fact]
    public void Edits_reuse_unchanged_pieces_and_still_equal_the_whole_read()
    {
        int seed = Seed();
        output.WriteLine($"seed {seed} (CERTLSP_SEED={seed} replays it)");
        var random = new Random(seed);
        string text = Generate(random, 300, mistakes: false);
        var previous = YamlReader.Read(text, "a.site.yaml", null, Tiny);
        var previousDocument = ManifestDocument.Parse("a.site.yaml", text);
        for (int edit = 0; edit < 300; edit++)
        {
            text = Edit(random, text);
            var next = YamlReader.Read(text, "a.site.yaml", previous, Tiny);
            AssertSame(YamlReader.ReadWhole(text, "a.site.yaml"), next, text);
            previous = next;
            if (edit % 50 == 0)
            {
                // Through the checker too: a document parsed against its previous version gives the findings of a fresh one.
                var document = ManifestDocument.Parse("a.site.yaml", text, previous: previousDocument);
                Assert.Equal(Describe(ManifestDocument.Parse("a.site.yaml", text).LocalDiagnostics), Describe(document.LocalDiagnostics));
                previousDocument = document;
            }
        }
    }

    [Fact]
    public void An_unchanged_piece_is_the_same_object_and_a_moved_one_is_shifted()
    {
        string text = Generate(new Random(7), 400, mistakes: false);
        var first = YamlReader.Read(text, "a.site.yaml", null, ChunkOptions.Default with { MinimumLength = 0, AverageItems = 16 });
        // Insert a comment line near the end: the pieces before it are re-used as they are, the rest re-read.
        int at = text.LastIndexOf("\n  - ", StringComparison.Ordinal) + 1;
        string edited = text.Insert(at, "  # a note\n");
        var second = YamlReader.Read(edited, "a.site.yaml", first, ChunkOptions.Default with { MinimumLength = 0, AverageItems = 16 });
        var items1 = Devices(first);
        var items2 = Devices(second);
        Assert.Same(items1[0], items2[0]);
        // And at the start: every piece after the edit moves by the inserted length.
        string shifted = "# top\n" + text;
        var third = YamlReader.Read(shifted, "a.site.yaml", first, ChunkOptions.Default with { MinimumLength = 0, AverageItems = 16 });
        var items3 = Devices(third);
        Assert.Equal(items1[^1].Span.Start + 6, items3[^1].Span.Start);
        AssertSame(YamlReader.ReadWhole(shifted, "a.site.yaml"), third, shifted);
    }

    [Fact]
    public void Pieces_of_another_file_are_not_reused_since_findings_carry_their_path()
    {
        string text = Generate(new Random(5), 200, mistakes: false).Replace("  - name: DEV-150\n", "  - name: DEV-150\n    name: again\n",
            StringComparison.Ordinal);
        var first = YamlReader.Read(text, "a.site.yaml", null, Tiny);
        Assert.NotNull(first.Chunks);
        var second = YamlReader.Read(text, "b.site.yaml", first, Tiny);
        Assert.Equal("b.site.yaml", Assert.Single(second.Diagnostics).Location.Path);
        Assert.NotSame(Devices(first)[0], Devices(second)[0]);
    }

    [Theory]
    [InlineData("anchors", "  - &a { name: x }\n  - *a\n")]
    [InlineData("tabs", "  - name: a\tb\n")]
    [InlineData("a second document", "---\nsite: x\n")]
    [InlineData("a key after the list", "other: 1\n")]
    public void Texts_that_cannot_be_cut_safely_are_read_whole(string what, string tail)
    {
        string text = Generate(new Random(3), 50, mistakes: false) + tail;
        Assert.Null(YamlChunks.Plan(text, Tiny));
        Assert.True(what.Length > 0);
    }

    private static IReadOnlyList<YamlNode> Devices(YamlReadResult result) =>
        ((YamlSequence)((YamlMapping)result.Root!).Find("devices")?.Value!).Items;

    private static void AssertSame(YamlReadResult whole, YamlReadResult chunked, string text)
    {
        AssertSameReading(Dump(whole.Root) + Describe(whole.Diagnostics), Dump(chunked.Root) + Describe(chunked.Diagnostics),
            "the whole read", "pieces", text);
    }

    /// <summary>Two readings (tree dump and findings) must be equal; on failure, the first line that differs and the text.</summary>
    internal static void AssertSameReading(string expected, string actual, string expectedLabel, string actualLabel, string text)
    {
        if (expected == actual) return;
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        int i = 0;
        while (i < Math.Min(a.Length, b.Length) && a[i] == b[i]) i++;
        Assert.Fail(
            $"{actualLabel} differ from {expectedLabel} at line {i} of the dump:\n{expectedLabel}: " +
            $"{a.ElementAtOrDefault(i)}\n{actualLabel}: {b.ElementAtOrDefault(i)}\n--- text ---\n{text}");
    }

    internal static string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Concat(diagnostics.Select(d =>
            $"{d.Code} {d.Location.Span} {d.Message} [{string.Join(",", d.Related.Select(r => r.Location.Span))}] " +
            $"[{string.Join(",", d.Fixes.SelectMany(f => f.Edits).Select(e => e.Span + e.NewText))}]\n"));

    internal static string Dump(YamlNode? node)
    {
        var sb = new StringBuilder();
        void Walk(YamlNode? n, int depth)
        {
            sb.Append(' ', depth);
            switch (n)
            {
                case null: sb.Append("null\n"); break;
                case YamlScalar s: sb.Append($"scalar {s.Span} {s.Style} {s.Type} [{s.Value}]\n"); break;
                case YamlMapping m:
                    sb.Append($"mapping {m.Span} flow={m.IsFlow}\n");
                    foreach (var p in m.Pairs)
                    {
                        sb.Append(' ', depth + 1).Append($"key {p.Key.Span} [{p.Key.Value}]\n"); Walk(p.Value,
                        depth + 2);
                    }
                    break;
                case YamlSequence q:
                    sb.Append($"sequence {q.Span} flow={q.IsFlow}\n");
                    foreach (var i in q.Items) Walk(i, depth + 1);
                    break;
            }
        }
        Walk(node, 0);
        return sb.ToString();
    }

    private static readonly string[] Names = ["AHU-1", "VAV-2-3", "Zähler-Ost", "空调-北", "\"quoted: name\"", "'single'", "plain name",
        "x😀y", ""];

    /// <summary>A manifest with <paramref name="devices"/> items and, with mistakes, every YAML feature a cut could trip over.</summary>
    internal static string Generate(Random random, int devices, bool mistakes)
    {
        string nl = mistakes && random.Next(3) == 0 ? "\r\n" : "\n";
        int indent = mistakes && random.Next(4) == 0 ? 0 : 2;
        string pad = new(' ', indent);
        var sb = new StringBuilder();
        sb.Append("site: Test").Append(nl).Append("domain: bms.example").Append(nl);
        sb.Append("subject: { country: US, organization: Org }").Append(nl);
        sb.Append(mistakes && random.Next(5) == 0 ? "devices:   # the list" : "devices:").Append(nl);
        for (int i = 0; i < devices; i++)
        {
            int kind = mistakes && random.Next(8) == 0 ? random.Next(1, 17) : 0;
            string name = mistakes && random.Next(6) == 0 ? Names[random.Next(Names.Length)] : $"DEV-{i}";
            switch (kind)
            {
                case 1: sb.Append($"{pad}- {{ name: {name}, instance: {i} }}{nl}"); break;
                case 2: sb.Append($"{pad}- name: {name}{nl}{pad}  instance:{nl}"); break; // an empty value, ending the item
                // a quoted scalar over a would-be item line
                case 3: sb.Append($"{pad}- name: {name}{nl}{pad}  note: \"two{nl}{pad}  - lines\"{nl}"); break;
                case 4: sb.Append($"{pad}- name: {name}{nl}{pad}  note: |{nl}{pad}    literal{nl}{nl}{pad}    text{nl}"); break;
                case 5: sb.Append($"{pad}- name: {name}{nl}{pad}  name: twice{nl}"); break; // a duplicate key
                case 6: sb.Append($"{pad}# a comment{nl}{nl}"); break;
                case 7: sb.Append($"{pad}- name: [unclosed{nl}"); break; // a YAML error
                case 8: sb.Append($"{pad}-{nl}"); break; // an empty item
                case 9: sb.Append($"{pad}- name: {name}{nl}{pad}  subject: {{ country: DE }}{nl}{pad}  tags: [a, b]{nl}"); break;
                case 10: sb.Append($"{pad}- name: {name}{nl}{pad}  list:{nl}{pad}  - nested{nl}{pad}  - items{nl}"); break;
                case 11: sb.Append($"{pad}- name: {name}   # trailing comment{nl}"); break;
                case 12: sb.Append($"{pad}- name: {name}{nl}{pad}  note: plain{nl}{pad}    continued{nl}"); break;
                case 13: sb.Append($"{pad}- plain scalar item{nl}"); break;
                case 14: sb.Append($"{pad}- name: {name}{nl}{pad} bad: indent{nl}"); break; // a YAML error
                case 15: sb.Append($"{pad}- [flow, \"list{nl}{pad}- still\"]{nl}"); break;
                case 16: sb.Append($"{pad}- name: {name}{nl}{pad}  {{ key }}: x{nl}"); break; // a flow mapping as key
                default: sb.Append($"{pad}- name: {name}{nl}{pad}  instance: {i}{nl}{pad}  address: 127.0.0.{2 + i % 200}{nl}"); break;
            }
        }
        if (mistakes && random.Next(4) == 0) sb.Append($"# the end{nl}");
        if (mistakes && random.Next(8) == 0) sb.Append($"{pad}- name: last");
        return sb.ToString();
    }

    private static readonly string[] Inserts = ["x", "\n", "  - name: NEW\n", ": ", "\"", "#", "-", " ", "ü", "😀", "[", "]", "{", "\r\n",
        "\n  - "];

    internal static string Edit(Random random, string text)
    {
        int at = random.Next(text.Length + 1);
        if (random.Next(3) == 0 && text.Length > 0)
        {
            int length = Math.Min(random.Next(1, 40), text.Length - at);
            return text.Remove(at, length);
        }
        return text.Insert(at, Inserts[random.Next(Inserts.Length)]);
    }
}
