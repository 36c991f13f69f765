using System.Globalization;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Ledger;
using CertLsp.Core.Review;
using CertLsp.Core.Rules;
using CertLsp.Core.Yaml;

namespace CertLsp.Bench;

/// <summary>
/// <c>review-stages &lt;devices&gt; &lt;changed&gt; [rounds]</c>: the stopwatch profile of a review's layers, one after another on one
/// thread (median CPU time, allocated bytes and collections of each): the YAML read, the parse and rules without and with the ledger,
/// the ledger read alone, the check, the whole review and its markdown. Which layer a change helps shows here.
/// </summary>
public static class ReviewStages
{
    public static void Run(string baseText, int changed, int rounds, TextWriter output)
    {
        var now = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
        var (headText, _, _, _) = ReviewBench.Change(baseText, changed);
        string ledgerText = ReviewBench.LedgerText(baseText, now);
        var ledger = new LedgerInput("site.site.ledger", ledgerText);
        var before = new ReviewFile("site.site.yaml", baseText, ledger);
        var after = new ReviewFile("site.site.yaml", headText, ledger);
        var document = ManifestDocument.Parse("site.site.yaml", baseText, ledger, now);
        var review = SiteReviewer.Review([before], [after], now);
        var stages = new List<(string Name, Action Body)>
        {
            ("YamlReader.Read", () => YamlReader.Read(baseText, "site.site.yaml")),
            ("Parse without the ledger (YAML, schema, rules)", () => ManifestDocument.Parse("site.site.yaml", baseText)),
            ("LedgerFormat.Read", () => LedgerFormat.Read("site.site.ledger", ledgerText)),
            ("Parse with the ledger", () => ManifestDocument.Parse("site.site.yaml", baseText, ledger, now)),
            ("ManifestChecker.Check of a parsed document", () => ManifestChecker.Check([document])),
            ("StatusReport.For", () => StatusReport.For(document.Manifest!, document.Ledger!, now)),
            ("SiteReviewer.Review", () => SiteReviewer.Review([before], [after], now)),
            ("ReviewText.WriteMarkdown", () => ReviewText.WriteMarkdown(review, "HEAD~1 → HEAD", new StringWriter())),
        };
        var context = new LedgerContext(document.Ledger!, now);
        var builder = new DiagnosticBuilder("site.site.yaml", baseText);
        foreach (var rule in RuleSet.LedgerRules)
        {
            stages.Insert(4, ("  " + rule.GetType().Name, () => rule.Check(document.Manifest!, context, builder, [])));
        }
        output.WriteLine($"{"stage",-48} {"median ms",10} {"CPU ms",8} {"alloc KB",10} {"GC ms/op",9} {"GCs/op g0/1/2",14}");
        foreach (var (name, body) in stages)
        {
            var m = Stages.Measure(body, rounds);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-48} {m.WallMs,10:F2} {m.CpuMs,8:F1} {m.AllocatedBytes / 1024,10:N0} {m.GcPauseMs,9:F2} {m.Collections,14}"));
        }
    }
}
