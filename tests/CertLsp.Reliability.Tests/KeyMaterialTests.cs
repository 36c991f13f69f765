using System.Diagnostics;
using System.Text.Json;
using CertLsp.Core.Tests.Certificates;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Reliability.Tests.Support;
using CertLsp.Workflows.Certificates;
using Xunit.Abstractions;

namespace CertLsp.Reliability.Tests;

/// <summary>
/// Private keys never leave the key folder: every output of a whole job — each command's stdout and stderr in every format, a killed
/// run's output and what it left, the ledger, the zips entry by entry, the bundles, the language server's log, messages, progress,
/// diagnostics and answers — is searched for the PEM markers and for the raw private numbers (RSA d, p, q; EC d) of every key the job
/// made, as bytes, hex and base64. RSA and ECDSA, with and without a key passphrase. (The other fault tests scan their own outputs too.)
/// </summary>
[Collection(nameof(ChildProcesses))]
public sealed class KeyMaterialTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("{ algorithm: ecdsa, curve: P-256, source: local }", null)]
    [InlineData("{ algorithm: rsa, size: 2048, source: local }", null)]
    [InlineData("{ algorithm: ecdsa, curve: P-256, source: local }", "correct horse battery staple")]
    public async Task No_output_of_a_whole_job_holds_private_key_material(string key, string? passphrase)
    {
        using var site = new TempSite(TempSite.Manifest(4, key));
        var ca = new TestCa();
        File.WriteAllText(site.File_("ca.pem"), ca.Pem);
        var texts = new List<string>();
        (int Exit, string Stdout, string Stderr) Cli(params string[] args)
        {
            var info = CliProcess.Info(args);
            if (passphrase is not null) info.Environment[KeyStore.PassphraseVariable] = passphrase;
            var run = CliProcess.Run(info);
            texts.Add(run.Stdout);
            texts.Add(run.Stderr);
            return run;
        }

        // A killed run first (its output and whatever it left), then the job.
        var killInfo = CliProcess.Info("csr", site.ManifestPath);
        if (passphrase is not null) killInfo.Environment[KeyStore.PassphraseVariable] = passphrase;
        using (var killed = Process.Start(killInfo)!)
        {
            var o = killed.StandardOutput.ReadToEndAsync();
            var e = killed.StandardError.ReadToEndAsync();
            var keys = KeyStore.ForManifest(site.ManifestPath, passphrase);
            var clock = Stopwatch.StartNew();
            while (!killed.HasExited && !keys.Files().Any() && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(1);
            if (!killed.HasExited) killed.Kill();
            killed.WaitForExit();
            texts.Add(await o + await e);
        }
        var first = Cli("csr", site.ManifestPath);
        Assert.True(first.Exit == 0, first.Stdout + first.Stderr);
        Assert.Equal(1, Cli("csr", site.ManifestPath).Exit); // pending CSRs: stops and says so
        foreach (var format in new[] { "text", "json", "sarif" }) Cli("check", site.ManifestPath, "--format", format);
        foreach (var format in new[] { "text", "json" }) Cli("status", site.ManifestPath, "--format", format);
        string signed = site.File_("signed.zip");
        File.WriteAllBytes(signed, TempSite.MakeZip([.. site.Zips.SelectMany(TempSite.Entries)
            .Select(e => (Path.GetFileNameWithoutExtension(e.Key) + ".crt", System.Text.Encoding.ASCII.GetBytes(ca.Sign(e.Value))))]));
        Assert.Equal(0, Cli("import", site.ManifestPath, signed).Exit);
        Cli("import", site.ManifestPath, signed);
        Cli("status", site.ManifestPath);
        Cli("check", site.ManifestPath, "--format", "sarif");

        // The language server: a session with every kind of answer.
        string previous = Environment.GetEnvironmentVariable(KeyStore.PassphraseVariable) ?? "";
        Environment.SetEnvironmentVariable(KeyStore.PassphraseVariable, passphrase);
        try
        {
            await using var client = await LspTestClient.StartInitializedAsync(site.Folder);
            string uri = UriPaths.FromPath(site.ManifestPath);
            texts.Add(JsonSerializer.Serialize(await client.OpenAsync(uri, site.Text)));
            var at = new { line = 15, character = 12 };
            foreach (var (method, parameters) in new (string, object)[]
            {
                (Methods.Hover, new { textDocument = new { uri }, position = at }),
                (Methods.CodeLens, new { textDocument = new { uri } }),
                (Methods.DocumentSymbol, new { textDocument = new { uri } }),
                (Methods.CodeAction, new { textDocument = new { uri }, range = new { start = at, end = at }, context =
                    new { diagnostics = Array.Empty<object>() } }),
                (CertLspCommands.SiteStatus, new { uri }),
                (Methods.ExecuteCommand, new { command = CertLspCommands.ShowStatus, arguments = new[] { new { uri } } }),
                (Methods.ExecuteCommand, new { command = CertLspCommands.GenerateCsrs, arguments =
                    new[] { new { uri, scope = "all", pending = "overwrite" } }, workDoneToken = "t1" }),
                (Methods.ExecuteCommand, new { command = CertLspCommands.ImportCertificates, arguments =
                    new[] { new { uri, path = signed } }, workDoneToken = "t2" }),
            })
            {
                texts.Add((await client.Request<JsonElement>(method, parameters)).ToString());
            }
            texts.Add(JsonSerializer.Serialize(await client.SettledDiagnosticsAsync(uri)));
            texts.Add(client.Log.ToString());
            texts.AddRange(client.Messages.Select(m => m.Message));
            texts.AddRange(client.Progress.Select(p => p.ToString()));
        }
        finally
        {
            Environment.SetEnvironmentVariable(KeyStore.PassphraseVariable, previous.Length == 0 ? null : previous);
        }

        // The key folder and its quarantine folder (keys of the killed run that no ledger entry names: kept, never deleted) hold keys by
        // design.
        var store = KeyStore.ForManifest(site.ManifestPath, passphrase);
        string keyFolder = store.Folder + Path.DirectorySeparatorChar, quarantine = store.QuarantineFolder + Path.DirectorySeparatorChar;
        if (Directory.Exists(store.QuarantineFolder))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                File.GetUnixFileMode(store.QuarantineFolder));
            Assert.All(Directory.GetFiles(store.QuarantineFolder, "*.key.pem"), f =>
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        }
        var files = Directory.GetFiles(site.Folder, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(keyFolder, StringComparison.Ordinal) && !f.StartsWith(quarantine, StringComparison.Ordinal)).ToList();
        PrivateKeyScan.AssertAbsent(site, files, texts, passphrase);
        output.WriteLine(
            $"{key}{(passphrase is null ? "" : ", encrypted")}: {KeyStore.ForManifest(site.ManifestPath, passphrase).Files().Count()} " +
            $"keys searched for in {files.Count} files and {texts.Count} outputs ({texts.Sum(t => t.Length):N0} characters)");
    }
}
