using System.Collections.Concurrent;
using CertLsp.Core.Ledger;
using CertLsp.LanguageServer.Protocol;
using CertLsp.Workflows.Review;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// Code review in the editor over a temporary git repository holding the riverside example and its ledger: the rename lens (exact
/// range, CRLF, non-ASCII), the trust rule (no git at all until the workspace is trusted, the lens after trust is granted), no git
/// per keystroke, and certlsp.reviewChanges (markdown of the open text, clear refusals).
/// </summary>
public sealed class ReviewEditorTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-review-").FullName;

    /// <summary>Every git run of the server, as its arguments.</summary>
    private readonly ConcurrentQueue<string> gitCalls = new();

    /// <summary>Set when the server asks the client for the lenses again (workspace/codeLens/refresh).</summary>
    private readonly TaskCompletionSource refreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private string ManifestPath => Path.Combine(folder, "riverside.site.yaml");

    private string Uri => new Uri(ManifestPath).AbsoluteUri;

    private static string Example => File.ReadAllText(Path.Combine(Repository.Root, "examples", "riverside-campus",
        "riverside.site.yaml")).ReplaceLineEndings("\n");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private async Task Git(params string[] args)
    {
        var result = await GitRevisions.RunProcessAsync(folder,
            ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", .. args], CancellationToken.None);
        Assert.True(result.Exit == 0, $"git {string.Join(' ', args)}: {System.Text.Encoding.UTF8.GetString(result.Error)}");
    }

    /// <summary>
    /// The example committed with its ledger: AHU-2 holds a valid certificate, MAC00108D0B94AE waits for one (pending CSR), VAV-101
    /// has nothing yet.
    /// </summary>
    private async Task CommitExample()
    {
        File.WriteAllText(ManifestPath, Example);
        var ledger = SiteLedger.Empty
            .With(new LedgerEntry("AHU-2", "AHU-2.bms.riverside.example", null,
                new IssuedCertificate("2002", "CN=Site Issuer", Now.AddDays(-10), Now.AddDays(300), "sha256:c2", "sha256:k2")))
            .With(new LedgerEntry("MAC00108D0B94AE", "MAC00108D0B94AE.bms.riverside.example",
                new PendingRequest("sha256:k1", Now.AddDays(-1), "riverside-1.zip"), null));
        File.WriteAllText(Path.Combine(folder, "riverside.site.ledger"), LedgerFormat.Write(ledger, "riverside.site.yaml", Now));
        await Git("init", "-q");
        await Git("add", "-A");
        await Git("commit", "-q", "-m", "riverside");
    }

    /// <summary>A server whose git runs are recorded; trusted or not as initialize says, with or without codeLens refresh
    /// support.</summary>
    private async Task<LspTestClient> Start(bool? trusted, bool declareReviewCommand = false)
    {
        var client = LspTestClient.Start(rpc => rpc.AddLocalRpcMethod(Methods.CodeLensRefresh, new Func<object?>(() =>
        {
            refreshed.TrySetResult();
            return null;
        })));
        client.Server.Context.Git = new GitRevisions((directory, arguments, cancellationToken) =>
        {
            gitCalls.Enqueue(string.Join(' ', arguments));
            return GitRevisions.RunProcessAsync(directory, arguments, cancellationToken);
        });
        await client.Request<InitializeResult>(Methods.Initialize, new
        {
            processId = (int?)null,
            rootUri = new Uri(folder).AbsoluteUri,
            capabilities = new { workspace = new { codeLens = new { refreshSupport = true } } },
            initializationOptions = new
            {
                workspaceTrusted = trusted, clientCommands = declareReviewCommand
                ? new[] { CertLspCommands.ReviewChangesPrompt } : []
            },
        });
        await client.Notify(Methods.Initialized, new { });
        return client;
    }

    private async Task<CodeLens[]> RenameLenses(LspTestClient client) =>
        [.. (await client.Request<CodeLens[]>(Methods.CodeLens, new { textDocument = new { uri = Uri } })).Where(l =>
            l.Command!.Title.StartsWith("renamed from", StringComparison.Ordinal))];

    private static string RenameAhu2(string text) => text.Replace("  - name: AHU-2\n", "  - name: Lüftung-🌀\n", StringComparison.Ordinal);

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public async Task A_renamed_device_gets_its_lens_only_once_the_workspace_is_trusted_and_no_git_runs_before(string newline)
    {
        await CommitExample();
        await using var client = await Start(trusted: null); // a client that says nothing about trust
        string text = ("# Geänderte Anlage: Lüftung umbenannt\n" + RenameAhu2(Example)).ReplaceLineEndings(newline);
        await client.OpenAsync(Uri, text);
        Assert.Empty(await RenameLenses(client));
        Assert.False(refreshed.Task.IsCompleted);
        var refused = await client.Request<ReviewChangesResult>(Methods.ExecuteCommand,
            new { command = CertLspCommands.ReviewChanges, arguments = new[] { new { uri = Uri } } });
        Assert.Equal(ServerContext.UntrustedRefusal, refused.Refusal);
        Assert.Empty(gitCalls); // untrusted: not one git run, for lenses or the command

        await client.Notify(Methods.DidChangeConfiguration, new { settings = new { workspaceTrusted = true } });
        await refreshed.Task.WaitAsync(TimeSpan.FromSeconds(20)); // the client is asked for the lenses again
        var lens = Assert.Single(await RenameLenses(client));
        Assert.Equal("renamed from AHU-2: its valid certificate (CN AHU-2.bms.riverside.example) will not match; a new CSR is needed",
            lens.Command!.Title);
        // The comment line moved the devices down one; the range covers the new name exactly, in UTF-16 (the emoji is two units).
        Assert.Equal(new Protocol.Range(new Position(25, 10), new Position(25, 20)), lens.Range);
        Assert.Equal(CertLspCommands.ReviewChanges, lens.Command.CommandName);
        Assert.NotEmpty(gitCalls);
    }

    [Fact]
    public async Task The_lens_wording_follows_the_ledger_and_typing_runs_no_git_until_HEAD_moves()
    {
        await CommitExample();
        await using var client = await Start(trusted: true, declareReviewCommand: true);
        string text = RenameAhu2(Example).Replace("  - name: MAC00108D0B94AE\n", "  - name: MAC-Lobby\n", StringComparison.Ordinal)
            .Replace("  - name: VAV-101\n", "  - name: VAV-101-East\n", StringComparison.Ordinal);
        await client.OpenAsync(Uri, text);
        var titles = (await RenameLenses(client)).Select(l => l.Command!.Title).ToArray();
        Assert.Equal([
            "renamed from MAC00108D0B94AE: its pending CSR (CN MAC00108D0B94AE.bms.riverside.example) will no longer match; a new CSR is " +
                "needed",
            "renamed from AHU-2: its valid certificate (CN AHU-2.bms.riverside.example) will not match; a new CSR is needed",
            "renamed from VAV-101: nothing issued yet; its first CSR will carry CN VAV-101-East.bms.riverside.example",
        ], titles);
        Assert.All(await RenameLenses(client), l => Assert.Equal(CertLspCommands.ReviewChangesPrompt, l.Command!.CommandName));

        int calls = gitCalls.Count;
        for (int version = 2; version <= 6; version++)
        {
            await client.ChangeAsync(Uri, version, LspTestClient.Replace(0, 0, 0, 0, "#"));
            Assert.Equal(3, (await RenameLenses(client)).Length);
        }
        Assert.Equal(calls, gitCalls.Count); // five keystrokes, five lens requests: no git
        Assert.Equal(1, client.Server.Context.Heads.Reads);

        // The renames committed: HEAD moved, so its version is read again and nothing is renamed against it any more.
        File.WriteAllText(ManifestPath, text);
        await Git("commit", "-q", "-a", "-m", "renames");
        Assert.Empty(await RenameLenses(client));
        Assert.Equal(2, client.Server.Context.Heads.Reads);
    }

    [Fact]
    public async Task Review_changes_gives_the_markdown_of_the_open_text_against_the_base()
    {
        await CommitExample();
        await using var client = await Start(trusted: true);
        // The file on disk stays as committed: the review is of the open text.
        await client.OpenAsync(Uri, RenameAhu2(Example) + "  - name: FCU-7\n    instance: 10301\n    address: 127.0.0.7\n");
        var result = await client.Request<ReviewChangesResult>(Methods.ExecuteCommand,
            new { command = CertLspCommands.ReviewChanges, arguments = new[] { new { uri = Uri } } });
        Assert.Null(result.Refusal);
        Assert.Equal("HEAD", result.Base);
        Assert.True(result.NewRequests == 2, result.Markdown);
        Assert.True(result.CertificateImpact);
        Assert.StartsWith("1 manifest changed: 2 new certificate requests, 1 issued or pending certificate voided", result.Headline,
            StringComparison.Ordinal);
        var lines = result.Markdown.Split('\n');
        Assert.Equal("### CertLsp review HEAD → working tree", lines[0]);
        Assert.Contains($"**{result.Headline}**", lines);
        // added, removed, renamed, new requests, voided
        Assert.Contains(lines, l => l.StartsWith("| `riverside.site.yaml` | modified | 1 | 0 | 1 | 2 | 1 |", StringComparison.Ordinal));
        Assert.Contains("- AHU-2 → Lüftung-🌀 (CN AHU-2.bms.riverside.example → Lüftung-🌀.bms.riverside.example)", lines);
    }

    [Fact]
    public async Task Outside_git_or_with_a_missing_base_the_review_says_why_and_the_server_goes_on()
    {
        File.WriteAllText(ManifestPath, Example);
        await using var client = await Start(trusted: true);
        await client.OpenAsync(Uri, RenameAhu2(Example));
        var noRepository = await client.Request<ReviewChangesResult>(Methods.ExecuteCommand,
            new { command = CertLspCommands.ReviewChanges, arguments = new[] { new { uri = Uri } } });
        Assert.Contains("is not in a git repository", noRepository.Refusal, StringComparison.Ordinal);
        Assert.Empty(noRepository.Markdown);
        Assert.Empty(await RenameLenses(client)); // no repository: no rename lenses, no error

        await CommitExample();
        var missing = await client.Request<ReviewChangesResult>(Methods.ExecuteCommand,
            new { command = CertLspCommands.ReviewChanges, arguments = new[] { new { uri = Uri, @base = "no-such-branch" } } });
        Assert.Equal("the revision “no-such-branch” is not in this clone", missing.Refusal);
        var option = await client.Request<ReviewChangesResult>(Methods.ExecuteCommand,
            new { command = CertLspCommands.ReviewChanges, arguments = new[] { new { uri = Uri, @base = "--output=/tmp/x" } } });
        Assert.Equal("the revision “--output=/tmp/x” is not in this clone", option.Refusal);
        var fine = await client.Request<ReviewChangesResult>(Methods.ExecuteCommand,
            new { command = CertLspCommands.ReviewChanges, arguments = new[] { new { uri = Uri, @base = " " } } });
        Assert.Equal(("HEAD", null), (fine.Base, fine.Refusal));
    }
}
