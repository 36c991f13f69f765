using System.Collections.Immutable;
using CertLsp.Core.Checking;
using CertLsp.Core.Configuration;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Core.Tests.Support;

/// <summary>Runs the checker on a manifest text and states what tests assert: ranges as line/character, fixes applied and
/// re-checked.</summary>
public static class Checks
{
    public const string FilePath = "test.site.yaml";

    public const string LedgerPath = "test.site.ledger";

    public static ImmutableArray<Diagnostic> Run(string text) => ManifestChecker.Check(FilePath, text).ByPath[FilePath];

    /// <summary>Checks a manifest together with the text of its ledger (none when null).</summary>
    public static ImmutableArray<Diagnostic> Run(string text, string? ledger) =>
        ManifestChecker.Check([ManifestDocument.Parse(FilePath, text, ledger is null ? null
            : new LedgerInput(LedgerPath, ledger))]).ByPath[FilePath];

    public const string ConfigPath = "certlsp.json";

    /// <summary>
    /// Every finding of a manifest checked with its ledger and the workspace's certlsp.json (none when null): the manifest's own, then
    /// those made on the ledger (CL0405) and on certlsp.json (CL0701).
    /// </summary>
    public static ImmutableArray<Diagnostic> RunAll(string text, string? ledger = null, string? config = null) =>
        [.. Result(text, ledger, config).All];

    public static CheckResult Result(string text, string? ledger = null, string? config = null) =>
        ManifestChecker.Check([ManifestDocument.Parse(FilePath, text, ledger is null ? null : new LedgerInput(LedgerPath, ledger),
            settings: config is null ? null : CheckSettings.Parse(ConfigPath, config))]);

    public static ImmutableArray<Diagnostic> Errors(string text) => [.. Run(text).Where(d => d.Severity == DiagnosticSeverity.Error)];

    public static ImmutableArray<Diagnostic> OfCode(string text, string code) => [.. Run(text).Where(d => d.Code == code)];

    /// <summary>The one diagnostic of that code (and asserts there is exactly one).</summary>
    public static Diagnostic Single(string text, string code)
    {
        var found = OfCode(text, code);
        Assert.True(found.Length == 1, $"expected one {code}, got {found.Length}:\n{string.Join("\n", Run(text))}");
        return found[0];
    }

    public static void None(string text, string code) => Assert.DoesNotContain(Run(text), d => d.Code == code);

    /// <summary>The zero-based (start line, start character, end line, end character) of a span, through LineIndex.</summary>
    public static (int Line, int Character, int EndLine, int EndCharacter) Range(string text, TextSpan span)
    {
        var range = new LineIndex(text).GetRange(span);
        return (range.Start.Line, range.Start.Character, range.End.Line, range.End.Character);
    }

    public static string At(string text, TextSpan span) => text.Substring(span.Start, span.Length);

    /// <summary>Asserts the diagnostic's range is exactly (line, character)-(endLine, endCharacter) and covers that text.</summary>
    public static void AssertRange(string text, Diagnostic diagnostic, (int, int, int, int) expected, string covered)
    {
        Assert.Equal(expected, Range(text, diagnostic.Span));
        Assert.Equal(covered, At(text, diagnostic.Span));
    }

    /// <summary>
    /// The one diagnostic of that code, asserted to cover exactly <paramref name="range"/> and <paramref name="covered"/>. Rule tests
    /// assert codes and ranges only: the wording of messages is held by the baselines and the docs test, so rewording touches one place.
    /// </summary>
    public static Diagnostic Expect(string text, string code, (int, int, int, int) range, string covered)
    {
        var diagnostic = Single(text, code);
        AssertRange(text, diagnostic, range, covered);
        return diagnostic;
    }

    /// <summary>
    /// Applies a fix of the diagnostic, checks the result again and asserts that the diagnostic is gone and that no error
    /// appeared that was not there before (compared by code and message, counted). Returns the fixed text.
    /// </summary>
    public static string ApplyFix(string text, Diagnostic diagnostic, Fix fix)
    {
        Assert.Contains(fix, diagnostic.Fixes);
        string fixedText = Edits.Apply(FilePath, text, fix);
        AssertFixed(diagnostic, fix, Errors(text), Errors(fixedText), _ => false, fixedText);
        return fixedText;
    }

    /// <summary>
    /// The errors after a fix, compared with those before by code and message (counted): the diagnostic's count went down,
    /// and no other count went up, except for errors <paramref name="expectedNew"/> accepts.
    /// </summary>
    public static void AssertFixed(Diagnostic diagnostic, Fix fix, IEnumerable<Diagnostic> before, IEnumerable<Diagnostic> after,
        Func<Diagnostic, bool> expectedNew, string context)
    {
        var beforeList = before.ToList();
        var afterAll = after.ToList();
        var was = Count(beforeList);
        var afterList = afterAll.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var now = Count(afterList.Where(d => !expectedNew(d)));
        // The fixed diagnostic itself, whatever its severity (a warning's fix must remove the warning too).
        bool Same(Diagnostic d) => d.Code == diagnostic.Code && d.Message == diagnostic.Message;
        Assert.True(afterAll.Count(Same) < Math.Max(1, beforeList.Count(Same)),
            $"the fix “{fix.Title}” left {diagnostic.Code} in place:\n{context}\n{string.Join("\n", afterAll)}");
        foreach (var (k, n) in now)
        {
            Assert.True(n <= was.GetValueOrDefault(k), $"the fix “{fix.Title}” made a new error {k.Code}: {k.Message}\n{context}");
        }
    }

    /// <summary>Applies the diagnostic's only fix (asserting there is exactly one).</summary>
    public static string ApplyOnlyFix(string text, Diagnostic diagnostic) => ApplyFix(text, diagnostic, Assert.Single(diagnostic.Fixes));

    private static Dictionary<(string Code, string Message), int> Count(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).GroupBy(d => (d.Code, d.Message)).ToDictionary(g => g.Key, g =>
            g.Count());
}
