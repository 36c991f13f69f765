using System.Globalization;
using CertLsp.Core.Checking;
using CertLsp.SiteGen;

namespace CertLsp.Bench;

/// <summary>
/// The time the warm check takes on each hostile input of tests/CertLsp.Core.Tests/HostileInput (the tests bound only the
/// memory it allocates): median wall and CPU ms, allocation and, for the large inputs, ms per MB, so that growth with size
/// shows when two sizes are run.
/// </summary>
public static class HostileBench
{
    public static void Run(int megabytes, int rounds, TextWriter output)
    {
        int bytes = megabytes * 1024 * 1024;
        var inputs = new List<(string Name, string Text)>
        {
            ($"valid manifest, {megabytes} MB", HostileYaml.ValidManifest(bytes, out _)),
            ($"one line of {megabytes} MB", HostileYaml.LongLine(bytes)),
            ($"unclosed quotes, {megabytes} MB", HostileYaml.UnclosedQuotes(bytes)),
            ("binary garbage, 200,000 characters", HostileYaml.BinaryGarbage(200_000)),
            ("billion laughs", HostileYaml.BillionLaughs()),
            ("1,000 shared aliases", HostileYaml.SharedAliases()),
            ("aliases stacking nesting", HostileYaml.StackedAliases()),
        };
        inputs.AddRange(HostileYaml.DeepDocuments().Select(d => ($"deep: {d.Kind}", d.Text)));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"input",-40} {"MB",7} {"median ms",10} {"CPU ms",9} {"alloc MB",9} {"ms/MB",8}"));
        foreach (var (name, text) in inputs)
        {
            var m = Stages.Measure(() => ManifestChecker.Check([ManifestDocument.Parse("hostile.site.yaml", text)]), rounds);
            double mb = text.Length / (1024.0 * 1024.0);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-40} {mb,7:F2} {m.WallMs,10:F1} {m.CpuMs,9:F1} {m.AllocatedBytes / (1024.0 * 1024.0),9:F1} {m.WallMs / mb,8:F1}"));
        }
    }
}
