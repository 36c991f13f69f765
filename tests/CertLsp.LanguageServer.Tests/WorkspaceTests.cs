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

        var definition = await client.Request<Location[]>(Methods.Definition,
            new { textDocument = new { uri }, position = duplicate.Range.Start });
        Assert.Equal(new Uri(other).AbsoluteUri, Assert.Single(definition).Uri);

        // The other file changes on disk: the duplicate is gone.
        File.WriteAllText(other, Manifest("North", "AHU-7"));
        await client.Notify(Methods.DidChangeWatchedFiles, new
        {
            changes =
            new[] { new { uri = new Uri(other).AbsoluteUri, type = FileChangeType.Changed } }
        });
        await client.WaitUntilAsync(uri, p => p.Diagnostics.All(d => d.Code != "CL0201"));

        // ... and comes back when a new file appears, then goes when it is deleted.
        string third = Path.Combine(folder, "east.site.yaml");
        File.WriteAllText(third, Manifest("East", "AHU-1"));
        await client.Notify(Methods.DidChangeWatchedFiles, new
        {
            changes =
            new[] { new { uri = new Uri(third).AbsoluteUri, type = FileChangeType.Created } }
        });
        await client.WaitUntilAsync(uri, p => p.Diagnostics.Any(d => d.Code == "CL0201"));
        File.Delete(third);
        await client.Notify(Methods.DidChangeWatchedFiles, new
        {
            changes =
            new[] { new { uri = new Uri(third).AbsoluteUri, type = FileChangeType.Deleted } }
        });
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

    private string WriteManifest(string relative, string site, string device)
    {
        string path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Manifest(site, device));
        return path;
    }

    /// <summary>Waits until the background index of the folder holds <paramref name="path"/>; returns the paths it holds.</summary>
    private static async Task<IReadOnlyCollection<string>> IndexedAsync(LspTestClient client, string path, bool present = true)
    {
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        while (client.Server.Context.Workspace.Snapshot.Disk.ContainsKey(path) != present)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} was {(present ? "never" : "still")} indexed");
            await Task.Delay(20);
        }
        return [.. client.Server.Context.Workspace.Snapshot.Disk.Keys];
    }

    /// <summary>`certlsp check . --format json` run in the folder: the findings of one file as “code range message”.</summary>
    private string[] CliFindings(string relativeFile, params string[] extra)
    {
        var (exit, stdout, stderr) = Repository.Run("dotnet", [Repository.CliDll, "check", ".", "--format", "json", .. extra], folder);
        Assert.True(exit is 0 or 1, $"exit {exit}: {stderr}");
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        return [.. json.RootElement.EnumerateArray().Where(d => d.GetProperty("file").GetString() == relativeFile).Select(d =>
        {
            var r = d.GetProperty("range");
            string Position(string which) =>
                $"{r.GetProperty(which).GetProperty("line").GetInt32()}:{r.GetProperty(which).GetProperty("character").GetInt32()}";
            return $"{d.GetProperty("code").GetString()} {Position("start")}-{Position("end")} {d.GetProperty("message").GetString()}";
        }).Order(StringComparer.Ordinal)];
    }

    private static string[] EditorFindings(PublishDiagnosticsParams published) =>
        [.. published.Diagnostics.Select(d =>
            $"{d.Code} {d.Range.Start.Line}:{d.Range.Start.Character}-{d.Range.End.Line}:{d.Range.End.Character} {d.Message}").Order(
            StringComparer.Ordinal)];

    [Fact]
    public async Task A_folder_left_out_by_certlspignore_is_not_indexed_and_certlsp_check_agrees_with_the_editor()
    {
        string site = WriteManifest("site/north.site.yaml", "North", "AHU-1");
        string fixture = WriteManifest("tests/fixtures/copy.site.yaml", "Copy", "AHU-1");
        string built = WriteManifest("bin/Release/old.site.yaml", "Old", "AHU-1");
        string other = WriteManifest("site/south.site.yaml", "South", "AHU-2");
        File.WriteAllText(Path.Combine(folder, ".certlspignore"), "# test fixtures are not sites\ntests/fixtures/\n");
        string uri = new Uri(site).AbsoluteUri;

        await using var client = await LspTestClient.StartInitializedAsync(folder);
        await client.OpenAsync(uri, File.ReadAllText(site));
        var indexed = await IndexedAsync(client, other);
        Assert.DoesNotContain(fixture, indexed);
        Assert.DoesNotContain(built, indexed);
        var published = (await client.SettledDiagnosticsAsync(uri))!;
        Assert.DoesNotContain(published.Diagnostics, d => d.Code == "CL0201");
        Assert.Equal(CliFindings("site/north.site.yaml"), EditorFindings(published));
        Assert.Empty(CliFindings("tests/fixtures/copy.site.yaml"));

        // The ignore file goes: the fixture is indexed and its duplicate CN shows, in the editor and in certlsp check alike.
        string ignore = Path.Combine(folder, ".certlspignore");
        File.Delete(ignore);
        await client.Notify(Methods.DidChangeWatchedFiles, new
        {
            changes =
            new[] { new { uri = new Uri(ignore).AbsoluteUri, type = FileChangeType.Deleted } }
        });
        published = await client.WaitUntilAsync(uri, p => p.Diagnostics.Any(d => d.Code == "CL0201"));
        Assert.Contains(fixture, await IndexedAsync(client, fixture));
        Assert.Equal(CliFindings("site/north.site.yaml"), EditorFindings((await client.SettledDiagnosticsAsync(uri))!));

        // The setting (workspace/didChangeConfiguration, as VS Code sends the “certlsp” section) leaves it out again, as --exclude does.
        await client.Notify(Methods.DidChangeConfiguration,
            new { settings = new { certlsp = new { manifests = new { exclude = new[] { "fixtures" } } } } });
        await client.WaitUntilAsync(uri, p => p.Diagnostics.All(d => d.Code != "CL0201"));
        await IndexedAsync(client, fixture, present: false);
        Assert.Equal(CliFindings("site/north.site.yaml", "--exclude", "fixtures"),
            EditorFindings((await client.SettledDiagnosticsAsync(uri))!));
    }

    [Fact]
    public async Task The_exclude_globs_of_initialization_options_are_applied_and_an_excluded_open_manifest_is_checked_alone()
    {
        string site = WriteManifest("north.site.yaml", "North", "AHU-1");
        string fixture = WriteManifest("fixtures/copy.site.yaml", "Copy", "AHU-1");
        string uri = new Uri(site).AbsoluteUri;
        await using var client = await LspTestClient.StartInitializedAsync(folder,
            initializationOptions: new { exclude = new[] { "fixtures/" } });
        await client.OpenAsync(uri, File.ReadAllText(site));
        Assert.DoesNotContain(fixture, await IndexedAsync(client, site));
        Assert.DoesNotContain((await client.SettledDiagnosticsAsync(uri))!.Diagnostics, d => d.Code == "CL0201");

        // Opening the fixture checks it (its own findings), but it and the workspace still do not see each other's CNs.
        string fixtureUri = new Uri(fixture).AbsoluteUri;
        await client.OpenAsync(fixtureUri, File.ReadAllText(fixture) + "  - name: ahu-1\n");
        var own = await client.WaitUntilAsync(fixtureUri, p => p.Diagnostics.Any(d => d.Code == "CL0201"));
        Assert.All(own.Diagnostics.Where(d => d.Code == "CL0201"), d =>
            Assert.Equal(fixtureUri, Assert.Single(d.RelatedInformation!).Location.Uri));
        Assert.DoesNotContain((await client.SettledDiagnosticsAsync(uri))!.Diagnostics, d => d.Code == "CL0201");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
