using CertLsp.Core.Checking;
using CertLsp.Core.Yaml;

namespace CertLsp.Bench;

/// <summary>
/// Writes everything a check produces for some manifests (every diagnostic with its span, message, related locations
/// and fix edits, and the YAML tree with spans, styles and types), so two builds of the core can be compared by a diff:
/// an optimization must leave this output unchanged.
/// </summary>
public static class Dump
{
    public static void Run(IEnumerable<string> files, TextWriter output)
    {
        var documents = files.Select(f => ManifestDocument.Parse(f, File.ReadAllText(f))).ToList();
        var result = ManifestChecker.Check(documents);
        foreach (var document in result.Documents)
        {
            output.WriteLine($"== {document.Path}");
            foreach (var d in result.ByPath[document.Path])
            {
                output.WriteLine($"{d.Path}{d.Span} {d.Severity} {d.Code}: {d.Message}");
                foreach (var r in d.Related) output.WriteLine($"  related {r.Location.Path}{r.Location.Span}: {r.Message}");
                foreach (var f in d.Fixes)
                {
                    output.WriteLine($"  fix \"{f.Title}\" preferred={f.IsPreferred}");
                    foreach (var e in f.Edits) output.WriteLine(
                        $"    {e.Path}{e.Span} \"{e.NewText.Replace("\n", "\\n", StringComparison.Ordinal)}\"");
                }
            }
            Tree(document.Yaml.Root, 0, output);
        }
    }

    private static void Tree(YamlNode? node, int depth, TextWriter output)
    {
        string indent = new(' ', depth * 2);
        switch (node)
        {
            case null:
                output.WriteLine($"{indent}(no root)");
                break;
            case YamlScalar s:
                output.WriteLine($"{indent}scalar{s.Span} {s.Style} {s.Type} \"{s.Value.Replace("\n", "\\n", StringComparison.Ordinal)}\"");
                break;
            case YamlMapping m:
                output.WriteLine($"{indent}mapping{m.Span} flow={m.IsFlow} pairs={m.Pairs.Length}");
                foreach (var pair in m.Pairs)
                {
                    output.WriteLine(
                        $"{new string(' ', 2 * (depth + 1))}key{pair.Key.Span} " +
                        $"\"{pair.Key.Value.Replace("\n", "\\n", StringComparison.Ordinal)}\"");
                    Tree(pair.Value, depth + 2, output);
                }
                break;
            case YamlSequence q:
                output.WriteLine($"{indent}sequence{q.Span} flow={q.IsFlow} items={q.Items.Length}");
                foreach (var item in q.Items) Tree(item, depth + 1, output);
                break;
        }
    }
}
