using System.Text;
using CertLsp.Core.Yaml;
using Xunit.Abstractions;

namespace CertLsp.Core.Tests.YamlReading;

/// <summary>
/// The fast read (YamlDotNet's scanner tokens) must give exactly what the parser's events give — the same tree, spans, styles,
/// types and findings — whenever it gives anything; every other text must be left to the parser. A differential test over
/// the repository's manifests, the baseline cases and random texts, with the counts of each path printed.
/// </summary>
public sealed class TokenReadTests(ITestOutputHelper output)
{
    private static int Seed() => int.TryParse(Environment.GetEnvironmentVariable("CERTLSP_SEED"), out int seed) ? seed
        : Environment.TickCount;

    /// <summary>A random source from <see cref="Seed"/>, its seed written to the test's output.</summary>
    private Random Seeded()
    {
        int seed = Seed();
        output.WriteLine($"seed {seed} (CERTLSP_SEED={seed} replays it)");
        return new Random(seed);
    }

    /// <summary>True when the token read took the text; false when it left it to the parser.</summary>
    private static bool AssertSameAsEvents(string text)
    {
        var events = YamlReader.ReadEvents(text, 0, text.Length, "a.site.yaml", 0, stopAtFailure: false);
        var tokens = YamlReader.ReadTokens(text, 0, text.Length, "a.site.yaml", 0);
        if (tokens is not { } fast) return false;
        Assert.True(events.Clean, $"the token read took a text the parser reports as broken:\n{text}");
        ChunkedReadTests.AssertSameReading(ChunkedReadTests.Dump(events.Root) + ChunkedReadTests.Describe(events.Diagnostics),
            ChunkedReadTests.Dump(fast.Root) + ChunkedReadTests.Describe(fast.Diagnostics), "events", "tokens", text);
        return true;
    }

    [Fact]
    public void A_range_over_the_token_limit_or_refused_leaves_the_tape_as_it_was()
    {
        using var tape = new YamlReader.TokenTape();
        const string first = "a: 1\nb: 'two'\n";
        var kept = tape.Scan(first, 0, first.Length, 0);
        Assert.NotNull(kept);
        int count = tape.Count;
        const string longer = "x: [1, 2, 3, 4, 5, 6, 7, 8]\n";
        Assert.Null(tape.Scan(longer, 0, longer.Length, 0, maxTokens: 10)); // a whole read that large goes to the parser
        Assert.Equal(count, tape.Count);
        const string anchored = "a: &x 1\nb: *x\n";
        Assert.Null(tape.Scan(anchored, 0, anchored.Length, 0)); // anchors are the parser's
        Assert.Equal(count, tape.Count);
        // The first range still builds what it held.
        var built = tape.Build(kept.Value, first, "a.site.yaml", 0);
        var root = Assert.IsType<YamlMapping>(built?.Root);
        Assert.Equal("two", Assert.IsType<YamlScalar>(root.Find("b")?.Value).Value);
    }

    [Fact]
    public void The_repository_manifests_and_baseline_cases_read_the_same()
    {
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Root, "examples"), "*.site.yaml", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(RepoPaths.Baselines, "*.site.yaml", SearchOption.AllDirectories)).ToList();
        int fast = files.Count(f => AssertSameAsEvents(File.ReadAllText(f)));
        output.WriteLine($"{fast} of {files.Count} files read from tokens");
        Assert.True(fast >= files.Count / 2, $"only {fast} of {files.Count} files were read from tokens");
        Assert.True(AssertSameAsEvents(ChunkedReadTests.Generate(new Random(1), 2_000, mistakes: false)));
    }

    [Theory]
    [InlineData("site: a\nkey: { algorithm: rsa, size: 2048 }\nca:\n  issuers: [a.pem, \"b.pem\"]\n", true)]
    [InlineData("a: 'x'\nb: \"y\\n\"\nc: |\n  lit\n  eral\nd: >\n  fol\n  ded\ne: ~\nf: 0x10\n", true)]
    [InlineData("devices:\n  - name: a\n    name: b\n", true)]            // a duplicate key: a finding, same on both paths
    [InlineData("a: []\nb: {}\nc: [[1, 2], {x: y}]\n", true)]
    [InlineData("{ a: 1 }: x\n", true)]                                    // a mapping as key: a finding
    [InlineData("a:\n", false)]                                             // an empty value
    [InlineData("a:\n- x\n", false)]                                        // an indentless list
    [InlineData("a: &x 1\nb: *x\n", false)]
    [InlineData("a: !!str 1\n", false)]
    [InlineData("--- \na: 1\n", false)]
    [InlineData("a: 1\n---\nb: 2\n", false)]
    [InlineData("a: [1, 2,]\n", false)]
    [InlineData("a: { b }\n", false)]
    [InlineData("a: [b: c]\n", false)]
    [InlineData("a: \"unclosed\n", false)]
    [InlineData("a:\n\tb: 1\n", false)]
    [InlineData("", false)]
    [InlineData("# only a comment\n", false)]
    public void Each_shape_is_read_from_tokens_or_left_to_the_parser(string text, bool fromTokens)
    {
        Assert.Equal(fromTokens, AssertSameAsEvents(text));
        Assert.Equal(fromTokens, AssertSameAsEvents(text.Replace("\n", "\r\n", StringComparison.Ordinal)));
    }

    [Fact]
    public void Random_texts_and_edits_read_the_same()
    {
        var random = Seeded();
        int fast = 0, total = 0;
        foreach (string text in EditedTexts(random, 400, 30))
        {
            total++;
            if (AssertSameAsEvents(text)) fast++;
        }
        output.WriteLine($"{fast} of {total} texts read from tokens, the rest by the parser");
        Assert.True(fast > total / 20, $"only {fast} of {total} texts were read from tokens");
    }

    /// <summary>
    /// The plain block lines of a device list are scanned without YamlDotNet: wherever that scan takes a range, YamlDotNet's scanner
    /// must take it too and give the same tokens (kinds, marks of every token but the block and stream ends, which nothing reads,
    /// scalar styles and values). Ranges from the first item of random device lists, as the chunked read cuts them, edited and
    /// mangled.
    /// </summary>
    [Fact]
    public void Plain_block_lines_scan_to_the_tokens_of_YamlDotNet()
    {
        var random = Seeded();
        int plain = 0, total = 0;
        foreach (string text in EditedTexts(random, 300, 40))
        {
            int devices = text.IndexOf("devices:", StringComparison.Ordinal);
            int item = devices < 0 ? -1 : text.IndexOf('\n', devices) + 1;
            foreach (int start in new[] { 0, item, random.Next(text.Length + 1) })
            {
                if (start < 0 || start > text.Length) continue;
                total++;
                if (AssertSameTokens(text, start, random.Next(3) == 0 ? random.Next(text.Length - start + 1) : text.Length - start))
                    plain++;
            }
        }
        output.WriteLine($"{plain} of {total} ranges scanned as plain block lines, the rest by YamlDotNet");
        Assert.True(plain > total / 10, $"only {plain} of {total} ranges were scanned as plain block lines");
        string site = SiteGen.SiteGenerator.Generate(new SiteGen.SiteOptions(500)).Text;
        int list = site.IndexOf("\n  - ", StringComparison.Ordinal) + 1;
        Assert.True(AssertSameTokens(site, list, site.Length - list), "a generated site's device list was not scanned as plain lines");
    }

    /// <summary>Random manifests (two in three with mistakes) of up to <paramref name="devices"/> devices, each edited or mangled nine
    /// times: every version.</summary>
    private static IEnumerable<string> EditedTexts(Random random, int rounds, int devices)
    {
        for (int round = 0; round < rounds; round++)
        {
            string text = ChunkedReadTests.Generate(random, random.Next(1, devices), mistakes: random.Next(3) > 0);
            for (int edit = 0; edit < 10; edit++)
            {
                yield return text;
                text = random.Next(4) == 0 ? Mangle(random, text) : ChunkedReadTests.Edit(random, text);
            }
        }
    }

    /// <summary>True when the plain scan took the range (and gave YamlDotNet's tokens).</summary>
    private static bool AssertSameTokens(string text, int start, int length)
    {
        using var plainTape = new YamlReader.TokenTape();
        using var scannerTape = new YamlReader.TokenTape();
        var plain = plainTape.Scan(text, start, length, 1);
        var scanned = scannerTape.Scan(text, start, length, 1, plainBlocks: false);
        if (plain is not { } p) return false;
        string range = text.Substring(start, length);
        Assert.True(scanned is not null, $"the plain scan took a range YamlDotNet's scanner refuses:\n{range}");
        var s = scanned.Value;
        string Describe(YamlReader.TokenTape tape, YamlReader.TokenTape.Range r) => string.Join("\n", Enumerable.Range(r.First, r.Count)
            .Select(i => tape[i, text]).Select(t => t.Token.Kind is YamlReader.TokenTape.Kind.BlockEnd
                or YamlReader.TokenTape.Kind.StreamEnd
                ? $"{t.Token.Kind}" : $"{t.Token.Kind} {t.Token.Start}-{t.Token.End} {t.Token.Style} [{t.Value}]"));
        Assert.Equal(Describe(scannerTape, s), Describe(plainTape, p));
        return true;
    }

    private static readonly string[] Pieces = ["&a ", "*a", "!!str ", "? ", "|\n", ">-\n", "'it''s'", "\"\\u00e9\"", "{", "}", "[", "]",
        ",", ": ", "- ", "\t", "...\n", "--- ", "%YAML 1.2\n", "#", "\r", "\u0085", "\uFEFF"];

    /// <summary>An insertion of YAML syntax the generator never writes.</summary>
    private static string Mangle(Random random, string text)
    {
        var sb = new StringBuilder(text);
        sb.Insert(random.Next(text.Length + 1), Pieces[random.Next(Pieces.Length)]);
        return sb.ToString();
    }
}
