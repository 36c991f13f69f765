using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using Xunit;

namespace CertLsp.Core.Tests.Ledger;

/// <summary>
/// docs/diagnostics.md's examples of the ledger codes are true: each Bad manifest, checked with its "Bad ledger:", yields the code;
/// each Good manifest, checked with its "Good ledger:", yields neither the code nor any error.
/// </summary>
public sealed class LedgerDocExampleTests
{
    private static readonly string[] Tested = ["CL0202", "CL0205", "CL0401", "CL0402", "CL0403", "CL0404"];

    public static TheoryData<string> Codes() => [.. Tested];

    private static string Doc()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CertLsp.sln"))) return File.ReadAllText(Path.Combine(dir.FullName, "docs", "diagnostics.md"));
        }
        throw new InvalidOperationException("docs/diagnostics.md not found");
    }

    /// <summary>The fenced block after the line <paramref name="label"/> in a code's section.</summary>
    public static string Block(string doc, string code, string label)
    {
        var lines = doc.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int start = Array.IndexOf(lines, $"<a id=\"{code.ToLowerInvariant()}\"></a>");
        Assert.True(start >= 0, $"{code} has no section");
        int end = Array.FindIndex(lines, start + 1, l => l.StartsWith("<a id=", StringComparison.Ordinal));
        if (end < 0) end = lines.Length;
        int at = Array.IndexOf(lines, label, start, end - start);
        Assert.True(at >= 0, $"{code} has no “{label}”");
        int open = Array.FindIndex(lines, at + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        int close = Array.FindIndex(lines, open + 1, l => l == "```");
        return string.Join("\n", lines[(open + 1)..close]) + "\n";
    }

    private static IReadOnlyList<Diagnostic> Check(string manifest, string ledger)
    {
        var document = ManifestDocument.Parse("doc.site.yaml", manifest, new LedgerInput("doc.site.ledger", ledger));
        Assert.Null(document.LedgerError);
        return [.. ManifestChecker.Check([document]).All];
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void The_bad_example_with_its_ledger_yields_its_code(string code)
    {
        string doc = Doc();
        var found = Check(Block(doc, code, "Bad:"), Block(doc, code, "Bad ledger:"));
        Assert.True(found.Any(d => d.Code == code), $"the Bad example of {code} yields:\n{string.Join("\n", found)}");
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void The_good_example_with_its_ledger_yields_neither_its_code_nor_an_error(string code)
    {
        string doc = Doc();
        var found = Check(Block(doc, code, "Good:"), Block(doc, code, "Good ledger:"));
        Assert.DoesNotContain(found, d => d.Code == code || d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Every_ledger_code_of_the_catalog_is_tested_here()
    {
        string[] ledgerCodes = ["CL0202", "CL0205", .. DiagnosticCatalog.All.Select(d => d.Code).Where(c => c.StartsWith("CL04", StringComparison.Ordinal))];
        Assert.Equal(ledgerCodes.Order(), Tested.Order());
        Assert.Contains("<a id=\"cl0404\"></a>\n## CL0404: " + DiagnosticBuilder.CL0404.Title, Doc().Replace("\r\n", "\n", StringComparison.Ordinal));
    }
}
