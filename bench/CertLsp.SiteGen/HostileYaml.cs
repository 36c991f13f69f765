using System.Text;

namespace CertLsp.SiteGen;

/// <summary>
/// Hostile and oversized manifests, the same for the core's hostile-input tests (which assert their diagnostics and bound the
/// memory the check allocates) and for <c>certlsp-bench hostile</c> (which times the check of each).
/// </summary>
public static class HostileYaml
{
    private const string Tail = "subject: {}\ndevices: []\n";

    /// <summary>A valid manifest of at least <paramref name="bytes"/> characters, devices with unique names, instances and
    /// addresses.</summary>
    public static string ValidManifest(int bytes, out int devices)
    {
        var text = new StringBuilder(bytes + 1024);
        text.Append(
            "site: Large\nsubject:\n  country: US\n  state: Wisconsin\n  locality: Milwaukee\n  organization: O\n  organizationalUnit: " +
            "U\ndevices:\n");
        devices = 0;
        while (text.Length < bytes)
        {
            int i = devices++;
            text.Append("  - name: DEVICE-").Append(i).Append("\n    instance: ").Append(i)
                .Append("\n    address: 127.").Append((i >> 16) & 255).Append('.').Append((i >> 8) & 255).Append('.').Append((i & 255)
                    + 1 > 255 ? 1 : (i & 255) + 1)
                .Append(":").Append(1024 + (i % 60000)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A site name of <paramref name="length"/> characters on one line (the value starts at offset 6).</summary>
    public static string LongLine(int length) => "site: " + new string('x', length) + "\n" + Tail;

    /// <summary>At least <paramref name="bytes"/> characters of a double-quoted scalar that is never closed.</summary>
    public static string UnclosedQuotes(int bytes)
    {
        var text = new StringBuilder(bytes + 16).Append("site: \"");
        while (text.Length < bytes) text.Append("no closing quote \\\" here\n ");
        return text.ToString();
    }

    /// <summary>Every byte value but NUL (the file reader refuses NUL before parsing), as Latin-1 characters.</summary>
    public static string BinaryGarbage(int length, int seed = 7)
    {
        var random = new Random(seed);
        var chars = new char[length];
        for (int i = 0; i < chars.Length; i++) chars[i] = (char)random.Next(1, 256);
        return new string(chars);
    }

    /// <summary>The billion laughs: nine levels of nine aliases of the level before.</summary>
    public static string BillionLaughs()
    {
        var text = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++)
        {
            text.Append($"{c}: &{c} [").AppendJoin(",", Enumerable.Repeat($"*{(char)(c - 1)}", 9)).Append("]\n");
        }
        return text.ToString();
    }

    /// <summary>1,000 aliases of a 90-node list: 90,000 nodes of expansion, under the reader's cap.</summary>
    public static string SharedAliases() =>
        new StringBuilder("site: a\nsubject: {}\ndevices: []\nx-anchor: &big [")
            .AppendJoin(",", Enumerable.Range(0, 89).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Append("]\nx-uses: [")
            .AppendJoin(",", Enumerable.Repeat("*big", 1000))
            .Append("]\n").ToString();

    /// <summary>Each line nests the previous anchor 60 levels deeper, 400 lines: deeper than any one line may nest.</summary>
    public static string StackedAliases()
    {
        var text = new StringBuilder("site: a\nsubject: {}\ndevices: []\nx0: &a0 1\n");
        for (int i = 1; i < 400; i++)
        {
            text.Append($"x{i}: &a{i} ").Append('[', 60).Append($"*a{i - 1}").Append(']', 60).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Documents nested far deeper than the reader allows (100,000 levels; indented mappings 2,000), by kind.</summary>
    public static IReadOnlyList<(string Kind, string Text)> DeepDocuments()
    {
        const int levels = 100_000;
        return
        [
            ("flow lists", "site: " + new string('[', levels) + new string(']', levels) + "\n"),
            ("unclosed flow lists", new string('[', levels)),
            ("flow mappings", "site: " + string.Concat(Enumerable.Repeat("{a: ", levels)) + "1" + new string('}', levels) + "\n"),
            ("block lists on one line", string.Concat(Enumerable.Repeat("- ", levels)) + "x\n"),
            ("block mappings, indented", string.Concat(Enumerable.Range(0, 2_000).Select(i => new string(' ', i) + "a:\n"))
                + new string(' ', 2_000) + "x\n"),
            ("flow mappings of flow lists", string.Concat(Enumerable.Repeat("{a: [", levels / 2))),
        ];
    }
}
