using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Tests.Support;
using CertLsp.Workflows.Files;

namespace CertLsp.Core.Tests.Baselines;

/// <summary>Every fix any baseline offers, applied and checked again: its diagnostic goes, and no new error comes.</summary>
public sealed class BaselineFixTests
{
    public static TheoryData<string> CasesWithFixes() =>
        [.. BaselineTests.CaseNames().Where(name => BaselineTests.CheckCase(name).All.Any(d => d.Fixes.Any(f => !f.Edits.IsEmpty)))];

    [Theory]
    [MemberData(nameof(CasesWithFixes))]
    public void Every_fix_removes_its_diagnostic_and_adds_no_error(string name)
    {
        var result = BaselineTests.CheckCase(name);
        var texts = result.Documents.ToDictionary(d => d.Path, d => d.Text, StringComparer.Ordinal);
        int applied = 0;
        foreach (var diagnostic in result.All)
        {
            foreach (var fix in diagnostic.Fixes)
            {
                if (fix.Edits.IsEmpty)
                {
                    // A command (CL0401: request keeping / overwriting the pending CSR), not a text edit: nothing to apply here.
                    Assert.NotNull(fix.Command);
                    continue;
                }
                var changed = new Dictionary<string, string>(texts, StringComparer.Ordinal);
                foreach (var file in fix.Edits.GroupBy(e => e.Path))
                {
                    changed[file.Key] = Edits.Apply(texts[file.Key], file);
                }
                var after = ManifestChecker.Check(changed.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                    .Select(kv => ManifestDocument.Parse(kv.Key, kv.Value,
                        BaselineTests.LedgerOf(Path.Combine(RepoPaths.Baselines, name, kv.Key)))));
                Checks.AssertFixed(diagnostic, fix, result.All, after.All, d => IsPlaceholderToFill(d, changed[d.Path]),
                    $"{name}: {string.Join("\n", changed.Values)}");
                applied++;
            }
        }
        Assert.True(applied > 0);
    }

    /// <summary>A fix that adds a missing subject field inserts "" for the engineer to fill; the request to fill it is expected.</summary>
    private static bool IsPlaceholderToFill(Diagnostic d, string text) =>
        d.Code == "CL0101" && Checks.At(text, d.Span) == "\"\"";

    [Fact]
    public void Cases_with_fixes_exist() => Assert.NotEmpty(CasesWithFixes());

    [Fact]
    public void Baseline_manifests_are_read_as_the_command_line_reads_them()
    {
        // The CRLF and tab cases must reach the checker byte for byte (.gitattributes keeps them).
        string crlf = ManifestFiles.Read(Path.Combine(RepoPaths.Baselines, "crlf", "site.site.yaml"));
        Assert.Contains("\r\n", crlf, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", crlf.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("\t", ManifestFiles.Read(Path.Combine(RepoPaths.Baselines, "tabs-in-values", "site.site.yaml")),
            StringComparison.Ordinal);
        Assert.Contains(BaselineTests.CheckCase("crlf").All, d =>
            d.Fixes.SelectMany(f => f.Edits).Any(e => e.NewText.StartsWith("\r\n", StringComparison.Ordinal)));
    }
}
