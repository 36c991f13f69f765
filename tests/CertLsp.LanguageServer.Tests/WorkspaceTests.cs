using CertLsp.LanguageServer.Protocol;

namespace CertLsp.LanguageServer.Tests;

/// <summary>Workspace rules: CN uniqueness across every manifest of the folder, including files changed on disk.</summary>
public sealed class WorkspaceTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-ws-").FullName;

    private static string Manifest(string site, string device) => $"""
        site: {site}
        subject: {"{"} country: US, state: S, locality: L, organization: O, organizationalUnit: U {"}"}
        devices:
          - name: {device}

        """;

    [Fact]
    public async Task Duplicate_cns_across_manifests_are_found_and_follow_disk_changes()
    {
        string other = Path.Combine(folder, "north.site.yaml");
        File.WriteAllText(other, Manifest("North", "AHU-1"));
        string mine = Path.Combine(folder, "south.site.yaml");
        File.WriteAllText(mine, Manifest("South", "ahu-1"));
        string uri = new Uri(mine).AbsoluteUri;

        await using var client = await LspTestClient.StartInitializedAsync(folder);
        await client.OpenAsync(uri, File.ReadAllText(mine));
        // The folder is indexed in the background: wait until the cross-file duplicate shows.
        var published = await client.WaitUntilAsync(uri, p => p.Diagnostics.Any(d => d.Code == "CL0201"));
        var duplicate = Assert.Single(published.Diagnostics, d => d.Code == "CL0201");
        var related = Assert.Single(duplicate.RelatedInformation!);
        Assert.Equal(new Uri(other).AbsoluteUri, related.Location.Uri);
        Assert.Equal(3, related.Location.Range.Start.Line);

        var definition = await client.Request<Location[]>(Methods.Definition, new { textDocument = new { uri }, position = duplicate.Range.Start });
        Assert.Equal(new Uri(other).AbsoluteUri, Assert.Single(definition).Uri);

        // The other file changes on disk: the duplicate is gone.
        File.WriteAllText(other, Manifest("North", "AHU-7"));
        await client.Notify(Methods.DidChangeWatchedFiles, new { changes = new[] { new { uri = new Uri(other).AbsoluteUri, type = FileChangeType.Changed } } });
        await client.WaitUntilAsync(uri, p => p.Diagnostics.All(d => d.Code != "CL0201"));

        // ... and comes back when a new file appears, then goes when it is deleted.
        string third = Path.Combine(folder, "east.site.yaml");
        File.WriteAllText(third, Manifest("East", "AHU-1"));
        await client.Notify(Methods.DidChangeWatchedFiles, new { changes = new[] { new { uri = new Uri(third).AbsoluteUri, type = FileChangeType.Created } } });
        await client.WaitUntilAsync(uri, p => p.Diagnostics.Any(d => d.Code == "CL0201"));
        File.Delete(third);
        await client.Notify(Methods.DidChangeWatchedFiles, new { changes = new[] { new { uri = new Uri(third).AbsoluteUri, type = FileChangeType.Deleted } } });
        await client.WaitUntilAsync(uri, p => p.Diagnostics.All(d => d.Code != "CL0201"));
    }

    [Fact]
    public async Task Two_open_documents_see_each_other()
    {
        await using var client = await LspTestClient.StartInitializedAsync();
        await client.OpenAsync("file:///a/one.site.yaml", Manifest("One", "X-1"));
        await client.OpenAsync("file:///a/two.site.yaml", Manifest("Two", "x-1"));
        var one = await client.WaitUntilAsync("file:///a/one.site.yaml", p => p.Diagnostics.Any(d => d.Code == "CL0201"));
        Assert.Equal("file:///a/two.site.yaml", one.Diagnostics.Single(d => d.Code == "CL0201").RelatedInformation![0].Location.Uri);
        // Editing the second clears the finding in the first.
        await client.ChangeAsync("file:///a/two.site.yaml", 2, LspTestClient.Full(Manifest("Two", "x-2")));
        await client.WaitUntilAsync("file:///a/one.site.yaml", p => p.Diagnostics.All(d => d.Code != "CL0201"));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
