using System.Text.RegularExpressions;

namespace CertLsp.Core.Tests.Layering;

/// <summary>
/// Plain <c>dotnet test</c> must pass where a test's precondition is missing (no network namespace, no openssl, no tshark,
/// no npm peers): such a test carries <c>[NeedsFact(Needs.X)]</c> or <c>[NeedsTheory(Needs.X)]</c> and is skipped with the
/// reason. Checked on the test sources: a test declared with a plain <c>[Fact]</c> or <c>[Theory]</c> whose body uses what a
/// need stands for is reported with its file and line.
/// </summary>
public sealed partial class TestNeedsTests
{
    /// <summary>What a test body uses, and the need it implies.</summary>
    private static readonly (string Uses, string Need)[] Signs =
    [
        ("LoopbackNamespace.Require()", "Needs.Namespace"),
        ("OpenSsl.Run(", "Needs.OpenSsl"),
        ("OpenSslCa.Run(", "Needs.OpenSsl"),
        ("new OpenSslCa(", "Needs.OpenSsl"),
        ("new OpenSslSite(", "Needs.OpenSsl"),
        ("Tshark.", "Needs.Tshark"),
        ("NodeTool.Run(", "Needs.NpmPeers"),           // NodeTool.RunProcess runs other programs (git, mkfifo)
        ("NodeTool.RequirePackage(", "Needs.NpmPeers"),
    ];

    [GeneratedRegex(@"^\s*\[(Fact|Theory|NeedsFact|NeedsTheory)\b[^\n]*", RegexOptions.Multiline)]
    private static partial Regex TestAttribute();

    [Fact]
    public void Every_test_that_uses_a_namespace_or_a_tool_says_so_with_its_need()
    {
        var problems = new List<string>();
        int plainTests = 0;
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Combine("tests"), "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(RepoPaths.Root, file).Replace('\\', '/');
            if (relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal)) continue;
            string text = File.ReadAllText(file);
            var attributes = TestAttribute().Matches(text);
            for (int i = 0; i < attributes.Count; i++)
            {
                var attribute = attributes[i];
                if (attribute.Groups[1].Value is not ("Fact" or "Theory")) continue;
                plainTests++;
                // The test: from its attribute to the next test's attribute (or the end of the file).
                int end = i + 1 < attributes.Count ? attributes[i + 1].Index : text.Length;
                string test = text[attribute.Index..end];
                foreach (var (uses, need) in Signs.Where(s => test.Contains(s.Uses, StringComparison.Ordinal)))
                {
                    int line = text.AsSpan(0, attribute.Index).Count('\n') + 2;
                    problems.Add(
                        $"{relative}:{line}: uses {uses} under a plain [{attribute.Groups[1].Value}]: mark it " +
                        $"[Needs{attribute.Groups[1].Value}({need})]");
                }
            }
        }
        Assert.True(plainTests > 100, $"only {plainTests} plain tests found: is the repository root right?");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
