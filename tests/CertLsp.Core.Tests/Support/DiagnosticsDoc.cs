using System.Text.RegularExpressions;

namespace CertLsp.Core.Tests.Support;

/// <summary>One code's section of docs/diagnostics.md: its anchor, heading, severity line and the Bad and Good examples (manifest, ledger,
/// certlsp.json).</summary>
public sealed record DocSection(string Anchor, string Code, string Title, string? Severity, string? Bad, string? Good, string? BadLedger =
    null, string? GoodLedger = null,
    string? BadConfig = null, string? GoodConfig = null);

/// <summary>Reads docs/diagnostics.md in the format the project fixed: an anchor line, "## CODE: Title", "Bad:"/"Good:" yaml
/// blocks.</summary>
public static partial class DiagnosticsDoc
{
    public static IReadOnlyList<DocSection> Sections { get; } = Parse(File.ReadAllText(RepoPaths.DiagnosticsDoc));

    public static DocSection? Find(string code) => Sections.FirstOrDefault(s => s.Code == code);

    public static IReadOnlyList<DocSection> Parse(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var sections = new List<DocSection>();
        for (int i = 0; i < lines.Length; i++)
        {
            var anchor = AnchorLine().Match(lines[i]);
            if (!anchor.Success) continue;
            Assert.True(i + 1 < lines.Length, $"the anchor {anchor.Groups[1].Value} is the last line");
            var heading = HeadingLine().Match(lines[i + 1]);
            Assert.True(heading.Success,
                $"the anchor {anchor.Groups[1].Value} must be followed by \"## CLdddd: Title\", not \"{lines[i + 1]}\"");
            int end = i + 2;
            while (end < lines.Length && !AnchorLine().IsMatch(lines[end])) end++;
            var body = lines[(i + 2)..end];
            string? severity = body.Select(l => SeverityLine().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value;
            sections.Add(new DocSection(anchor.Groups[1].Value, heading.Groups[1].Value, heading.Groups[2].Value.Trim(), severity,
                Example(body, "Bad:"), Example(body, "Good:"), Example(body, "Bad ledger:", "text"), Example(body, "Good ledger:", "text"),
                Example(body, "Bad certlsp.json:", "json"), Example(body, "Good certlsp.json:", "json")));
        }
        return sections;
    }

    /// <summary>The ```yaml (or other <paramref name="language"/>) block that follows the line <paramref name="label"/> (blank lines
    /// between allowed).</summary>
    private static string? Example(string[] body, string label, string language = "yaml")
    {
        int at = Array.IndexOf(body, label);
        if (at < 0) return null;
        int open = at + 1;
        while (open < body.Length && body[open].Trim().Length == 0) open++;
        if (open >= body.Length || body[open].Trim() != "```" + language) return null;
        int close = Array.FindIndex(body, open + 1, l => l.Trim() == "```");
        if (close < 0) return null;
        return string.Join("\n", body[(open + 1)..close]) + "\n";
    }

    [GeneratedRegex("^<a id=\"([^\"]+)\"></a>\\s*$")]
    private static partial Regex AnchorLine();

    [GeneratedRegex("^## (CL\\d{4}): (.+)$")]
    private static partial Regex HeadingLine();

    [GeneratedRegex("^Severity: \\*\\*(\\w+)\\*\\*")]
    private static partial Regex SeverityLine();
}
