using CertLsp.Core.Checking;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CsCheck;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// After any sequence of incremental edits, the server's text equals the text the client holds, and its diagnostics
/// equal those of a fresh check of that text.
/// </summary>
public sealed class DifferentialTests
{
    private static readonly string[] Fragments =
    [
        "", "x", "\n", "\r\n", "  ", "- ", ": ", "name: A\n", "  - name: AHU-1\n    instance: 7\n", "country: uk", "country: US",
        "é", "😀", "東京", "\t", "#", "[", "]", "{", "}", "'", "\"", "*a", "&a ", "---\n", "domain: bad..name\n", "instance: 4194303",
        "batch: b\n", "address: 127.0.0.300\n", "subject: { state: S }\n",
    ];

    private static readonly string[] Starts =
    [
        File.ReadAllText(Path.Combine(Repository.Root, "examples", "riverside-campus", "riverside.site.yaml")),
        File.ReadAllText(Path.Combine(Repository.Root, "examples", "harbor-tower", "harbor-tower.site.yaml")),
        File.ReadAllText(Path.Combine(Repository.Root, "examples", "harbor-tower", "harbor-tower.site.yaml")).Replace("\n", "\r\n",
            StringComparison.Ordinal),
    ];


    private sealed record Edit(double Start, double Length, string Text);

    private static readonly Gen<Edit> EditGen = Gen.Select(Gen.Double[0, 1], Gen.Double[0, 0.05], Gen.OneOf(Fragments), (s, l, t) =>
        new Edit(s, l, t));

    [Fact]
    public void Incremental_edits_give_the_diagnostics_of_a_fresh_check()
    {
        int edits = 0;
        Gen.Select(Gen.Int[0, Starts.Length - 1], EditGen.Array[1, 40], (start, list) => (start, list))
            .Sample(sample =>
            {
                edits += sample.list.Length;
                Run(Starts[sample.start], sample.list).GetAwaiter().GetResult();
            }, iter: 150, threads: 1);
        Assert.True(edits > 2000, $"only {edits} edits were tried");
    }

    private static async Task Run(string start, Edit[] edits)
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        const string uri = "file:///diff.site.yaml";
        await client.OpenAsync(uri, start);
        string text = start;
        int version = 1;
        foreach (var edit in edits)
        {
            int from = Snap(text, (int)(edit.Start * text.Length));
            int to = Snap(text, Math.Min(text.Length, from + (int)(edit.Length * text.Length)));
            var a = TextEdits.PositionOf(text, from);
            var b = TextEdits.PositionOf(text, to);
            text = text[..from] + edit.Text + text[to..];
            await client.Notify(Methods.DidChange, new
            {
                textDocument = new { uri, version = ++version }, contentChanges =
                new[] { LspTestClient.Replace(a.Line, a.Character, b.Line, b.Character, edit.Text) }
            });
        }
        var published = await client.WaitForDiagnosticsAsync(uri, version);
        Assert.Equal(text, client.Server.Context.Workspace.Snapshot.Find(uri)!.Text);

        var fresh = ManifestChecker.Check(uri, text);
        var lines = fresh.Documents[0].Lines;
        var expected = fresh.ByPath[uri].Take(DiagnosticPublisher.MaxPerDocument)
            .Select(d => $"{d.Code} {LspConvert.Range(lines, d.Span)} {d.Message}");
        var actual = published.Diagnostics.Select(d => $"{d.Code} {d.Range} {d.Message}");
        Assert.Equal(expected, actual);
    }

    /// <summary>Never cut a surrogate pair or a CRLF in two (an editor would not).</summary>
    private static int Snap(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        if (offset > 0 && offset < text.Length && ((char.IsHighSurrogate(text[offset - 1]) && char.IsLowSurrogate(text[offset]))
            || (text[offset - 1] == '\r' && text[offset] == '\n'))) offset--;
        return offset;
    }
}
