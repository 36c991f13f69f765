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
        int seed = Seed();
        output.WriteLine($"seed {seed} (CERTLSP_SEED={seed} replays it)");
        var random = new Random(seed);
        int fast = 0, total = 0;
        for (int round = 0; round < 400; round++)
        {
            string text = ChunkedReadTests.Generate(random, random.Next(1, 30), mistakes: random.Next(3) > 0);
            for (int edit = 0; edit < 10; edit++)
            {
                total++;
                if (AssertSameAsEvents(text)) fast++;
                text = random.Next(4) == 0 ? Mangle(random, text) : ChunkedReadTests.Edit(random, text);
            }
        }
        output.WriteLine($"{fast} of {total} texts read from tokens, the rest by the parser");
        Assert.True(fast > total / 20, $"only {fast} of {total} texts were read from tokens");
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
