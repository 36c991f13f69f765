using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Tests;

/// <summary>Commands on a manifest on disk: generate CSRs (progress, pending choice, keep/overwrite), import, status, lenses and source
/// actions.</summary>
public sealed class CommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-cmd-").FullName;

    private string ManifestPath => Path.Combine(folder, "site.site.yaml");

    private string Uri => new Uri(ManifestPath).AbsoluteUri;

    private string WriteManifest(int devices, string key = "{ algorithm: ecdsa, curve: P-256, source: local }")
    {
        var text = new System.Text.StringBuilder(
            $"site: Cmd Site\ndomain: bms.test.example\nca:\n  profile: bacnet-sc\n  issuers: [ca.pem]\nsubject:\n  country: DE\n  " +
            $"state: Bayern\n  locality: München\n  organization: Test GmbH\n  organizationalUnit: FM\nkey: {key}\ndevices:\n");
        for (int i = 1; i <= devices; i++) text.Append(
            $"  - name: dev-{i:D2}\n    instance: {1000 + i}\n    batch: {(i <= 2 ? "north" : "south")}\n");
        File.WriteAllText(ManifestPath, text.ToString());
        return text.ToString();
    }

    private static Task<T> Execute<T>(LspTestClient client, string command, object argument, object? token = null) =>
        client.Request<T>(Methods.ExecuteCommand, new { command, arguments = new[] { argument }, workDoneToken = token });

    [Fact]
    public async Task Generate_csrs_writes_zips_reports_progress_and_updates_diagnostics()
    {
        string text = WriteManifest(3);
        await using var client = await LspTestClient.StartInitializedAsync(folder);
        await client.OpenAsync(Uri, text);
        var result = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri = Uri, scope = "all" }, "tok-1");
        Assert.Equal((3, 0, 0), (result.Requested, result.NoActionTaken, result.Failed));
        var zip = Assert.Single(result.Zips);
        Assert.True(File.Exists(zip));
        using (var archive = ZipFile.OpenRead(zip)) Assert.Equal(3,
            archive.Entries.Count(e => e.FullName.EndsWith(".pem", StringComparison.Ordinal)));
        var kinds = client.Progress.Select(p => p.GetProperty("kind").GetString()).ToList();
        Assert.Equal("begin", kinds[0]);
        Assert.Equal("end", kinds[^1]);
        Assert.Contains(client.Messages, m => m.Message.Contains("3 requested", StringComparison.Ordinal));

        // The ledger now records pending CSRs: the open manifest shows CL0401 on each device, with keep/overwrite fixes.
        var published = await client.WaitUntilAsync(Uri, p => p.Diagnostics.Count(d => d.Code == "CL0401") == 3);
        var pending = published.Diagnostics.First(d => d.Code == "CL0401");
        var actions = await client.Request<CodeAction[]>(Methods.CodeAction,
            new
            {
                textDocument = new { uri = Uri }, range = pending.Range, context =
            new { diagnostics = Array.Empty<object>(), only = new[] { "quickfix" } }
            });
        Assert.Equal(2, actions.Length);
        Assert.All(actions, a => Assert.Equal(CertLspCommands.GenerateCsrs, a.Command!.CommandName));

        // Asking again without a choice does nothing and says which devices are pending.
        var again = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri = Uri, scope = "all" });
        Assert.True(again.NeedsPendingChoice);
        Assert.Equal(["dev-01", "dev-02", "dev-03"], again.PendingDevices!.Order());
        Assert.Single(Directory.GetFiles(folder, "CertificateSigningRequests_*.zip"));

        var keep = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs,
            new { uri = Uri, scope = "all", pending = "keep" });
        Assert.Equal((0, 3), (keep.Requested, keep.NoActionTaken));
        var overwrite = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs,
            new { uri = Uri, scope = "devices", devices = new[] { "dev-02" }, pending = "overwrite" });
        Assert.Equal((1, 0), (overwrite.Requested, overwrite.NoActionTaken));
    }

    [Fact]
    public async Task Source_actions_and_lenses_offer_requests_for_all_the_batch_and_the_selection()
    {
        string text = WriteManifest(3);
        await using var client = await LspTestClient.StartInitializedAsync(folder);
        await client.OpenAsync(Uri, text);
        var at = TextEdits.PositionOf(text, text.IndexOf("dev-02", StringComparison.Ordinal));
        var range = new { start = at, end = at };
        var actions = await client.Request<CodeAction[]>(Methods.CodeAction,
            new
            {
                textDocument = new { uri = Uri }, range, context =
            new { diagnostics = Array.Empty<object>(), only = new[] { "source" } }
            });
        // no CA answer beside it yet
        Assert.Equal(["Generate CSRs: all 3 devices: requests dev-01, dev-02, dev-03",
            "Generate CSRs: batch north (2 devices): requests dev-01, dev-02", "Generate CSRs: device dev-02: requests dev-02"],
            actions.Select(a => a.Title));
        var batch = actions[1].Command!;
        var arguments = JsonSerializer.SerializeToElement(batch.Arguments![0], CertLspServer.SerializerOptions());
        Assert.Equal("batch", arguments.GetProperty("scope").GetString());
        Assert.Equal("north", arguments.GetProperty("batch").GetString());

        var lenses = await client.Request<CodeLens[]>(Methods.CodeLens, new { textDocument = new { uri = Uri } });
        Assert.Equal(["Batch north · 2 devices · Generate CSRs", "Batch south · 1 devices · Generate CSRs"],
            lenses.Select(l => l.Command!.Title));

        // Run the batch lens's command as an editor would.
        var result = await client.Request<GenerateCsrsResult>(Methods.ExecuteCommand,
            new { command = batch.CommandName, arguments = batch.Arguments });
        Assert.Equal(2, result.Requested);
        await client.WaitUntilAsync(Uri, p => p.Diagnostics.Count(d => d.Code == "CL0401") == 2);
        actions = await client.Request<CodeAction[]>(Methods.CodeAction,
            new
            {
                textDocument = new { uri = Uri }, range, context =
            new { diagnostics = Array.Empty<object>(), only = new[] { "source.certlsp.generateCsrs" } }
            });
        // Keeping the pending ones of the batch would request nothing: not offered. For all devices it requests the third one.
        Assert.DoesNotContain(actions, a => a.Title.StartsWith("Generate CSRs: batch north (2 devices), keeping",
            StringComparison.Ordinal));
        Assert.Contains("Generate CSRs: all 3 devices, keeping 2 pending: requests dev-03", actions.Select(a => a.Title));
        Assert.Contains("Generate CSRs: batch north (2 devices), overwriting 2 pending (voids them): requests dev-01, dev-02",
            actions.Select(a => a.Title));
        lenses = await client.Request<CodeLens[]>(Methods.CodeLens, new { textDocument = new { uri = Uri } });
        Assert.Contains(lenses, l => l.Command!.Title.StartsWith("Certificate: CSR pending since ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Import_records_signed_certificates_and_status_shows_them()
    {
        string text = WriteManifest(2);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=LSP Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(3));
        File.WriteAllText(Path.Combine(folder, "ca.pem"), ca.ExportCertificatePem());

        await using var client = await LspTestClient.StartInitializedAsync(folder);
        await client.OpenAsync(Uri, text);
        var generated = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri = Uri, scope = "all" });

        // The CA signs every CSR of the zip; its answer is a zip of certificates.
        string answer = Path.Combine(folder, "signed.zip");
        using (var signed = ZipFile.Open(answer, ZipArchiveMode.Create))
        using (var requests = ZipFile.OpenRead(generated.Zips[0]))
        {
            int serial = 100;
            foreach (var entry in requests.Entries)
            {
                using var reader = new StreamReader(entry.Open());
                var csr = CertificateRequest.LoadSigningRequestPem(reader.ReadToEnd(), HashAlgorithmName.SHA256);
                csr.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
                csr.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
                csr.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                    [new Oid(Core.Certificates.CertificateUsage.ClientAuth), new Oid(Core.Certificates.CertificateUsage.ServerAuth)],
                    false));
                using var cert = csr.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(400), [(byte)serial++]);
                using var writer = new StreamWriter(signed.CreateEntry(Path.ChangeExtension(entry.Name, ".crt")).Open());
                writer.Write(cert.ExportCertificatePem());
            }
        }
        // A client that runs no command of its own (Neovim, Emacs) is offered the CA's zip beside the manifest, not the CSR zip, and
        // every action and lens it gets runs a command the server executes.
        var commands = CertLspServer.Capabilities().ExecuteCommandProvider!.Commands; // what initialize advertises (LifecycleTests)
        var all = await client.Request<CodeAction[]>(Methods.CodeAction,
            new
            {
                textDocument = new { uri = Uri }, range = new
                {
                    start = new { line = 0, character = 0 }, end =
            new { line = 40, character = 0 }
                }, context = new { diagnostics = Array.Empty<object>() }
            });
        var lenses = await client.Request<CodeLens[]>(Methods.CodeLens, new { textDocument = new { uri = Uri } });
        Assert.All(all.Select(a => a.Command).Concat(lenses.Select(l => l.Command)).OfType<Command>(), c =>
            Assert.Contains(c.CommandName, commands));
        var import = Assert.Single(all, a => a.Kind == CodeActionKind.SourceImport);
        Assert.Equal("Import signed certificates from signed.zip", import.Title);
        var imported = await client.Request<ImportCertificatesResult>(Methods.ExecuteCommand,
            new { command = import.Command!.CommandName, arguments = import.Command.Arguments, workDoneToken = "tok-import" });
        Assert.True(imported.Imported == 2, string.Join("\n", imported.Files.Select(f => $"{f.Name}: {f.Verdict} {f.Reason}")));
        Assert.Equal(0, imported.Rejected);

        var status = await client.Request<SiteStatusResult>(CertLspCommands.SiteStatus, new { uri = Uri });
        Assert.Equal("Cmd Site", status.Site);
        Assert.All(status.Devices, d => Assert.Equal("valid", d.Status));
        Assert.All(status.Devices, d => Assert.InRange(d.DaysLeft!.Value, 398, 400));
        Assert.Equal("dev-01", TextEdits.Slice(text, status.Devices.Single(d => d.Name == "dev-01").Range));

        await client.WaitUntilAsync(Uri, p => p.Diagnostics.All(d => d.Code != "CL0401"));
        var at = TextEdits.PositionOf(text, text.IndexOf("dev-01", StringComparison.Ordinal) + 1);
        var hover = await client.Request<Hover>(Methods.Hover, new { textDocument = new { uri = Uri }, position = at });
        Assert.Contains("Certificate: valid until ", hover.Contents.Value, StringComparison.Ordinal);

        // Both certificates are valid for 400 days: the actions say that a plain request makes nothing and offer a renewal that names
        // the devices; the batch lens says they are left out; the command requests nothing without renew, both with it.
        var actions = await client.Request<CodeAction[]>(Methods.CodeAction,
            new
            {
                textDocument = new { uri = Uri }, range = new { start = at, end = at }, context =
            new { diagnostics = Array.Empty<object>(), only = new[] { "source.certlsp.generateCsrs" } }
            });
        Assert.DoesNotContain(actions, a => a.Title.StartsWith("Generate CSRs: all 2 devices: ", StringComparison.Ordinal));
        var renewal = Assert.Single(actions, a => a.Title == "Generate CSRs: all 2 devices, renewing 2 valid: requests dev-01, dev-02");
        Assert.Contains(actions, a => a.Title == "Generate CSRs: device dev-01: requests dev-01");
        lenses = await client.Request<CodeLens[]>(Methods.CodeLens, new { textDocument = new { uri = Uri } });
        Assert.Contains(lenses, l => l.Command!.Title == "Batch north · 2 devices · Generate CSRs (2 valid, not requested)");
        var plain = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri = Uri, scope = "all" });
        Assert.Equal(0, plain.Requested);
        Assert.Contains("2 with a valid certificate not requested", plain.Message);
        var renewed = await client.Request<GenerateCsrsResult>(Methods.ExecuteCommand,
            new { command = renewal.Command!.CommandName, arguments = renewal.Command.Arguments });
        Assert.Equal(2, renewed.Requested);
    }

    [Fact]
    public async Task Generate_csrs_requests_the_tools_certificate_and_its_lens_shows_where_it_stands()
    {
        string text = WriteManifest(2).Replace("devices:\n",
            "bacnet:\n  secureConnect:\n    primaryHub: wss://127.0.0.2:47843\n    tool:\n      name: ops-tool\ndevices:\n",
            StringComparison.Ordinal);
        File.WriteAllText(ManifestPath, text);
        await using var client = await LspTestClient.StartInitializedAsync(folder);
        await client.OpenAsync(Uri, text);
        var lenses = await client.Request<CodeLens[]>(Methods.CodeLens, new { textDocument = new { uri = Uri } });
        var lens = Assert.Single(lenses, l => l.Command!.Title.StartsWith("Tool certificate: ", StringComparison.Ordinal));
        Assert.Equal("Tool certificate: none requested yet", lens.Command!.Title);
        Assert.Equal(text.Split('\n').ToList().FindIndex(l => l.Trim() == "tool:"), lens.Range.Start.Line);

        // The editor's Generate CSRs is the same workflow: the tool's CSR rides with the devices'.
        var result = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs, new { uri = Uri, scope = "all" });
        Assert.Equal((3, 0, 0), (result.Requested, result.NoActionTaken, result.Failed));
        using (var archive = ZipFile.OpenRead(Assert.Single(result.Zips)))
            Assert.Contains(archive.Entries, e => e.FullName == "ops-tool.bms.test.example.pem");
        await client.WaitUntilAsync(Uri, p => p.Diagnostics.Count(d => d.Code == "CL0401") == 2);
        lenses = await client.Request<CodeLens[]>(Methods.CodeLens, new { textDocument = new { uri = Uri } });
        Assert.Contains(lenses, l => l.Command!.Title.StartsWith("Tool certificate: CSR pending since ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("initializationOptions")]
    [InlineData("experimental")]
    [InlineData("none")]
    public async Task The_import_prompt_is_offered_only_to_a_client_that_said_it_runs_it(string declared)
    {
        string text = WriteManifest(2);
        await using var client = LspTestClient.Start();
        string[] runs = ["certlsp.importCertificatesPrompt"];
        await client.Request<InitializeResult>(Methods.Initialize, new
        {
            rootUri = new Uri(folder).AbsoluteUri,
            capabilities = declared == "experimental" ? (object)new { experimental = new { clientCommands = runs } } : new { },
            initializationOptions = declared == "initializationOptions" ? new { clientCommands = runs } : null,
        });
        await client.Notify(Methods.Initialized, new { });
        await client.OpenAsync(Uri, text);
        var actions = await client.Request<CodeAction[]>(Methods.CodeAction,
            new
            {
                textDocument = new { uri = Uri }, range = new
                {
                    start = new { line = 0, character = 0 }, end =
            new { line = 0, character = 0 }
                }, context = new { diagnostics = Array.Empty<object>(), only = new[] { "source" } }
            });
        var imports = actions.Where(a => a.Kind == CodeActionKind.SourceImport).ToList();
        if (declared == "none")
        {
            Assert.Empty(imports); // no zip beside the manifest: nothing to import, and nothing it cannot run
        }
        else
        {
            var prompt = Assert.Single(imports);
            Assert.Equal(("Import signed certificates…", "certlsp.importCertificatesPrompt"), (prompt.Title, prompt.Command!.CommandName));
        }
    }

    [Fact]
    public async Task A_cancelled_request_stops_and_a_rerun_finishes_the_job()
    {
        string text = WriteManifest(40, "{ algorithm: rsa, size: 2048, source: local }");
        await using var client = await LspTestClient.StartInitializedAsync(folder);
        await client.OpenAsync(Uri, text);
        using var cancel = new CancellationTokenSource();
        var call = client.Rpc.InvokeWithParameterObjectAsync<GenerateCsrsResult>(Methods.ExecuteCommand,
            new
            {
                command = CertLspCommands.GenerateCsrs, arguments = new[] { new { uri = Uri, scope = "all" } }, workDoneToken =
                "tok-cancel"
            }, cancel.Token);
        // Cancel as soon as the run has begun: 40 RSA keys are seconds of work, so it is always cut short.
        await client.ProgressAsync("begin");
        cancel.Cancel(); // sends $/cancelRequest
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        // Whatever the cancelled run left, a re-run completes it: every device ends up requested exactly once.
        var rerun = await Execute<GenerateCsrsResult>(client, CertLspCommands.GenerateCsrs,
            new { uri = Uri, scope = "all", pending = "keep" });
        var status = await client.Request<SiteStatusResult>(CertLspCommands.SiteStatus, new { uri = Uri });
        Assert.All(status.Devices, d => Assert.Equal("pending", d.Status));
        Assert.Equal(40, rerun.Requested + rerun.NoActionTaken);
    }

    [Fact]
    public async Task Unknown_commands_and_bad_arguments_are_invalid_params()
    {
        await using var client = await LspTestClient.StartInitializedAsync(folder);
        var unknown = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() => Execute<object>(client, "certlsp.nothing", new { }));
        Assert.Equal(ErrorCodes.InvalidParams, (int)unknown.ErrorCode);
        var bad = await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() =>
            Execute<object>(client, CertLspCommands.GenerateCsrs, new { uri = "untitled:1" }));
        Assert.Equal(ErrorCodes.InvalidParams, (int)bad.ErrorCode);
    }

    public void Dispose()
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
