using System.Diagnostics;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Core.Tests.HostileInput;

/// <summary>
/// Checks a text and asserts the work stayed bounded: wall-clock time and bytes allocated on this thread.
/// The bounds are generous (a loaded 2-core machine): they catch a hang or a blow-up, they are not a benchmark.
/// </summary>
public static class Bounded
{
    public const string Path = "hostile.site.yaml";

    public sealed record Outcome(ManifestDocument Document, IReadOnlyList<Diagnostic> Diagnostics, TimeSpan Elapsed, long AllocatedBytes)
    {
        public LineRange RangeOf(Diagnostic d) => Document.Lines.GetRange(d.Span);

        public Diagnostic Single(string code) => Assert.Single(Diagnostics, d => d.Code == code);
    }

    /// <remarks>
    /// The time bounds catch hangs and super-linear blow-ups (minutes or hours on these inputs), not slowness: they are
    /// several times the time taken on a 2-core machine busy with other builds.
    /// </remarks>
    public static Outcome Check(string text, long maxAllocatedBytes = 64L << 20, double maxSeconds = 15)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var document = ManifestDocument.Parse(Path, text);
        var result = ManifestChecker.Check([document]);
        var diagnostics = result.ByPath[Path];
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(clock.Elapsed.TotalSeconds < maxSeconds, $"checking took {clock.Elapsed.TotalSeconds:F1} s (bound {maxSeconds} s)");
        Assert.True(allocated < maxAllocatedBytes, $"checking allocated {allocated:N0} bytes (bound {maxAllocatedBytes:N0})");
        foreach (var d in diagnostics)
        {
            Assert.True(d.Span.Start >= 0 && d.Span.Length >= 0 && d.Span.End <= text.Length,
                $"{d.Code} span {d.Span} lies outside the text of {text.Length} characters");
        }
        return new Outcome(document, diagnostics, clock.Elapsed, allocated);
    }
}
