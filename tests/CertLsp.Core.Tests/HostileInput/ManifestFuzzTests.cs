using System.Text;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Workflows.Files;
using CsCheck;

namespace CertLsp.Core.Tests.HostileInput;

/// <summary>
/// Property tests: the example manifests mutated by characters and by lines, and random YAML-ish text, never make
/// <see cref="ManifestDocument.Parse"/> or <see cref="ManifestChecker"/> throw; every span (of a diagnostic, a related
/// place, a fix's edit) lies within the text and never splits a surrogate pair; checking the same text twice, or the
/// same files in another order, gives the same findings.
/// </summary>
public class ManifestFuzzTests
{
    private static readonly string[] Seeds =
    [
        .. Directory.GetFiles(RepoPaths.Combine("examples"), "*.site.yaml", SearchOption.AllDirectories).Order(
            StringComparer.Ordinal).Select(File.ReadAllText),
    ];

    /// <summary>Pieces of text that YAML and the rules treat specially.</summary>
    private static readonly string[] Tokens =
    [
        ":", ": ", "- ", "-", "[", "]", "{", "}", "\"", "'", ",", "&a ", "*a", "*b", "&b ", "!!str ", "!!int ", "!!binary ",
            "!<tag:yaml.org,2002:int> ",
        "|", ">-\n", "#", "\t", "\n", "\r\n", "\r", "  ", "    ", "? ", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n", "---\n", "...\n", "<<: *a\n",
        "é", "🌡", "\uD83C", "\uDF21", "北京", "\u0085", "\u2028", "\uFEFF", "\\", "\\u", "\\x4", "\\uD800", "0x", "0o7", "1e3", "2048.0",
            ".inf", "~",
        "null", "true", "NO", "99999999999999999999", "-1", "4194303", "name: ", "batch: b\n", "instance: 1\n", "commonName: ", "country: ",
        "address: 127.0.0.2\n", "domain: ", "email: a@", "subject: {}\n", "devices:\n", "  - name: X\n", "key: { size: 1 }\n", "@", "`",
            "%",
    ];

    private enum Edit
    {
        ReplaceChar, InsertToken, DeleteRange, DuplicateRange, DeleteLine, DuplicateLine, SwapLines, IndentLine,
        DedentLine, InsertSeedLine
    }

    private sealed record Mutation(Edit Kind, double Where, double Other, int Length, int Token);

    private static readonly Gen<Mutation> GenMutation =
        Gen.Select(Gen.Enum<Edit>(), Gen.Double[0, 1], Gen.Double[0, 1], Gen.Int[1, 40], Gen.Int[0, Tokens.Length - 1],
            (kind, where, other, length, token) => new Mutation(kind, where, other, length, token));

    private static readonly Gen<string> GenMutated =
        Gen.Select(Gen.Int[0, Seeds.Length - 1], GenMutation.Array[1, 8], (seed, mutations) => Apply(Seeds[seed], mutations));

    private static readonly Gen<string> GenRandomYaml =
        Gen.Int[0, Tokens.Length - 1].Array[0, 120].Select(tokens => string.Concat(tokens.Select(t => Tokens[t])))
            .SelectMany(t => Gen.Char["abcXYZ019 .-_:@é"].Array[0, 12].Select(c => t + new string(c)));

    private static string Apply(string text, Mutation[] mutations)
    {
        foreach (var m in mutations)
        {
            int at = (int)(m.Where * text.Length);
            var lines = text.Split('\n');
            int line = (int)(m.Where * (lines.Length - 1));
            int otherLine = (int)(m.Other * (lines.Length - 1));
            text = m.Kind switch
            {
                Edit.ReplaceChar when text.Length > 0 => text[..Math.Min(at, text.Length - 1)] + Tokens[m.Token][0]
                    + text[(Math.Min(at, text.Length - 1) + 1)..],
                Edit.InsertToken => text.Insert(at, Tokens[m.Token]),
                Edit.DeleteRange => text.Remove(at, Math.Min(m.Length, text.Length - at)),
                Edit.DuplicateRange => text.Insert(at, text.Substring(at, Math.Min(m.Length, text.Length - at))),
                Edit.DeleteLine => string.Join('\n', lines.Where((_, i) => i != line)),
                Edit.DuplicateLine => string.Join('\n', lines.Take(line + 1).Append(lines[line]).Concat(lines.Skip(line + 1))),
                Edit.SwapLines => string.Join('\n', lines.Select((l, i) => i == line ? lines[otherLine] : i == otherLine ? lines[line]
                    : l)),
                Edit.IndentLine => string.Join('\n', lines.Select((l, i) => i == line ? new string(' ', m.Length % 7) + l : l)),
                Edit.DedentLine => string.Join('\n', lines.Select((l, i) => i == line ? l.TrimStart() : l)),
                Edit.InsertSeedLine => string.Join('\n', lines.Take(line).Append(PickLine(m)).Concat(lines.Skip(line))),
                _ => text,
            };
        }
        return text;
    }

    private static string PickLine(Mutation m)
    {
        var lines = Seeds[m.Token % Seeds.Length].Split('\n');
        return lines[(int)(m.Other * (lines.Length - 1))];
    }

    /// <summary>Everything a front end shows of a diagnostic, as one comparable string.</summary>
    private static string Render(Diagnostic d) =>
        $"{d.Path}{d.Span} {d.Code} {d.Message} | " +
            $"{string.Join(" | ", d.Related.Select(r => $"{r.Location.Path}{r.Location.Span} {r.Message}"))}"
        + $" | {string.Join(" | ", d.Fixes.Select(f => f.Title + ": " +
            string.Join(", ", f.Edits.Select(e => $"{e.Path}{e.Span}={e.NewText}"))))}";

    private static void AssertSpanInside(string text, Text.TextSpan span, string what)
    {
        if (span.Start < 0 || span.Length < 0 || span.End > text.Length)
        {
            throw new Xunit.Sdk.XunitException($"{what}: span {span} outside the text of {text.Length} characters");
        }
        if (SplitsPair(text, span.Start) || SplitsPair(text, span.End))
        {
            throw new Xunit.Sdk.XunitException($"{what}: span {span} splits a surrogate pair");
        }
    }

    private static bool SplitsPair(string text, int offset) =>
        offset > 0 && offset < text.Length && char.IsHighSurrogate(text[offset - 1]) && char.IsLowSurrogate(text[offset]);

    /// <summary>The property every text must have.</summary>
    private static void CheckOne(string text)
    {
        const string path = "fuzz.site.yaml";
        var first = ManifestChecker.Check([ManifestDocument.Parse(path, text)]);
        var findings = first.ByPath[path];
        foreach (var d in findings)
        {
            AssertSpanInside(text, d.Span, d.Code);
            foreach (var r in d.Related) AssertSpanInside(text, r.Location.Span, d.Code + " related");
            foreach (var e in d.Fixes.SelectMany(f => f.Edits)) AssertSpanInside(text, e.Span, d.Code + " fix");
            var range = first.Documents[0].Lines.GetRange(d.Span);
            if (range.End.CompareTo(range.Start) < 0) throw new Xunit.Sdk.XunitException($"{d.Code}: range {range} ends before it starts");
        }
        var second = ManifestChecker.Check([ManifestDocument.Parse(path, text)]).ByPath[path];
        Assert.Equal(findings.Select(Render), second.Select(Render));
    }

    private static string Show(string text) => JsonEncode(text);

    private static string JsonEncode(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    [Fact]
    public void The_seeds_are_the_examples()
    {
        Assert.True(Seeds.Length >= 2, "examples/*.site.yaml");
        Assert.All(Seeds, s => Assert.Contains("devices:", s, StringComparison.Ordinal));
    }

    [Fact]
    public void Mutated_examples_never_throw_stay_in_bounds_and_check_deterministically() =>
        GenMutated.Sample(CheckOne, iter: 25_000, print: Show);

    [Fact]
    public void Random_yaml_like_text_never_throws_and_stays_in_bounds() =>
        GenRandomYaml.Sample(CheckOne, iter: 40_000, print: Show);

    /// <summary>The examples' UTF-8 bytes with bytes overwritten, inserted or removed: read as a file would be.</summary>
    private static readonly Gen<byte[]> GenMutatedBytes =
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Select(Gen.Double[0, 1], Gen.Byte, Gen.Int[0, 2]).Array[1, 6], (seed, edits) =>
        {
            var bytes = new List<byte>(Encoding.UTF8.GetBytes(Seeds[seed]));
            foreach (var (where, value, kind) in edits)
            {
                int at = Math.Min((int)(where * bytes.Count), bytes.Count - 1);
                if (kind == 0) bytes[at] = value;
                else if (kind == 1) bytes.Insert(at, value);
                else bytes.RemoveAt(at);
            }
            return bytes.ToArray();
        });

    [Fact]
    public void Mutated_bytes_are_refused_with_one_line_or_checked_like_any_text() =>
        GenMutatedBytes.Sample(bytes =>
        {
            string text;
            try
            {
                text = ManifestFiles.Decode("fuzz.site.yaml", bytes);
            }
            catch (ManifestReadException refused)
            {
                Assert.DoesNotContain('\n', refused.Message);
                Assert.StartsWith("fuzz.site.yaml: ", refused.Message, StringComparison.Ordinal);
                return;
            }
            CheckOne(text);
        }, iter: 10_000, print: b => Convert.ToHexString(b));

    [Fact]
    public void Workspace_findings_do_not_depend_on_the_order_of_the_files() =>
        Gen.Select(GenMutated, GenMutated).Sample((a, b) =>
        {
            var docA = ManifestDocument.Parse("a.site.yaml", a);
            var docB = ManifestDocument.Parse("b.site.yaml", b);
            var forward = ManifestChecker.Check([docA, docB]);
            var backward = ManifestChecker.Check([docB, docA]);
            foreach (var path in new[] { "a.site.yaml", "b.site.yaml" })
            {
                Assert.Equal(forward.ByPath[path].Select(Render), backward.ByPath[path].Select(Render));
            }
        }, iter: 5_000, print: t => Show(t.Item1) + "\n" + Show(t.Item2));

    [Fact]
    public void The_mutations_reach_syntax_errors_structure_errors_and_rule_findings()
    {
        // Guards the generators: a fuzzer that only ever produced clean files (or only broken ones) would prove little.
        var codes = new HashSet<string>();
        GenMutated.Sample(text =>
        {
            var found = ManifestChecker.Check("x.site.yaml", text).All.Select(d => d.Code).ToList();
            lock (codes) codes.UnionWith(found);
        }, iter: 3_000, seed: "0N0XIzNsQ0O2");
        string[] expected = ["CL0001", "CL0002", "CL0003", "CL0004", "CL0103", "CL0201", "CL0602", "CL0603"];
        Assert.True(codes.IsSupersetOf(expected), $"reached only {string.Join(", ", codes.Order())}");
    }
}
