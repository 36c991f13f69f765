using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Core.Tests.HostileInput;

/// <summary>
/// Checks a text and asserts the work stayed bounded: bytes allocated on this thread, a count of work done that a loaded
/// machine does not change. How long it takes is not asserted here: <c>certlsp-bench hostile</c> measures it (bench/results.md).
/// </summary>
public static class Bounded
{
    public const string Path = "hostile.site.yaml";

    public sealed record Outcome(ManifestDocument Document, IReadOnlyList<Diagnostic> Diagnostics, long AllocatedBytes)
    {
        public LineRange RangeOf(Diagnostic d) => Document.Lines.GetRange(d.Span);

        public Diagnostic Single(string code) => Assert.Single(Diagnostics, d => d.Code == code);
    }

    /// <remarks>
    /// The allocation bounds catch super-linear blow-ups (copies of copies, alias expansion): a few times what the check
    /// allocates today, far below what a blow-up on these inputs would.
    /// </remarks>
    public static Outcome Check(string text, long maxAllocatedBytes = 64L << 20)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var document = ManifestDocument.Parse(Path, text);
        var result = ManifestChecker.Check([document]);
        var diagnostics = result.ByPath[Path];
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < maxAllocatedBytes, $"checking allocated {allocated:N0} bytes (bound {maxAllocatedBytes:N0})");
        foreach (var d in diagnostics)
        {
            Assert.True(d.Span.Start >= 0 && d.Span.Length >= 0 && d.Span.End <= text.Length,
                $"{d.Code} span {d.Span} lies outside the text of {text.Length} characters");
        }
        return new Outcome(document, diagnostics, allocated);
    }
}
