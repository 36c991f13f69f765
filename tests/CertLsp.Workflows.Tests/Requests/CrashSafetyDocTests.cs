using System.Reflection;
using System.Text.RegularExpressions;
using CertLsp.Workflows.Requests;

namespace CertLsp.Workflows.Tests.Requests;

/// <summary>
/// docs/certificates.md's crash-safety list and <see cref="CsrRequester"/> name the same steps in the same order: each step of the
/// list is a method of the requester, and its RunAsync calls them in the list's order. Renaming or reordering one without the other fails.
/// </summary>
public sealed partial class CrashSafetyDocTests
{
    [Fact]
    public void The_documented_steps_are_the_requesters_methods_called_in_that_order()
    {
        string doc = File.ReadAllText(RepoPaths.Combine("docs", "certificates.md"));
        int section = doc.IndexOf("### Crash safety", StringComparison.Ordinal);
        Assert.True(section >= 0, "docs/certificates.md has no “### Crash safety” section");
        string list = doc[section..doc.IndexOf("\n\n", doc.IndexOf("\n1. ", section, StringComparison.Ordinal), StringComparison.Ordinal)];
        var steps = StepPattern().Matches(list).Select(m => m.Groups["step"].Value).ToList();
        Assert.Equal(["Reconcile", "Plan", "Generate", "Commit", "Close"], steps);

        var methods = typeof(CsrRequester).GetMethods(BindingFlags.NonPublic | BindingFlags.Static).Select(m => m.Name).ToHashSet(
            StringComparer.Ordinal);
        var names = steps.Select(s => methods.Contains(s) ? s : s + "Async").ToList();
        Assert.All(names, n => Assert.Contains(n, methods));

        string source = File.ReadAllText(RepoPaths.Combine("server", "CertLsp.Workflows", "Requests", "CsrRequester.cs"));
        int run = source.IndexOf("public static async Task<CsrRunResult> RunAsync(", StringComparison.Ordinal);
        string body = source[run..source.IndexOf("\n    }\n", run, StringComparison.Ordinal)];
        var calls = names.Select(n => body.IndexOf($" {n}(", StringComparison.Ordinal)).ToList();
        Assert.All(calls, at => Assert.True(at > 0, "RunAsync does not call every step"));
        Assert.Equal(calls.Order(), calls);
    }

    /// <summary>A numbered item whose first words are the step in bold: "1. **Reconcile.**", "3. **Generate**, for each zip".</summary>
    [GeneratedRegex(@"^\d+\. \*\*(?<step>\w+)\.?\*\*", RegexOptions.Multiline)]
    private static partial Regex StepPattern();
}
