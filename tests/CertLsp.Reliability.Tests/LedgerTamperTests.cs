using CertLsp.Core.Ledger;
using CertLsp.Core.Tests.Certificates;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Reliability.Tests.Support;
using CertLsp.Workflows.Ledger;
using StreamJsonRpc;
using Xunit.Abstractions;

namespace CertLsp.Reliability.Tests;

/// <summary>
/// A ledger edited by hand, damaged, or left with git conflict markers by a merge: csr, import, status, check and the language
/// server each report it with its line, and none of them writes anything (the ledger's bytes and the folder's files stay as they were).
/// </summary>
[Collection(nameof(ChildProcesses))]
public sealed class LedgerTamperTests(ITestOutputHelper output)
{
    private const int Devices = 4;

    /// <summary>A tampering: the new ledger text and the 1-based line where it must be reported.</summary>
    public sealed record Tampering(string Name, Func<string[], (string Text, int Line)> Apply)
    {
        public override string ToString() => Name;
    }

    private static int IndexOf(string[] lines, string prefix, int nth = 0) =>
        lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith(prefix, StringComparison.Ordinal)).Skip(nth).First().i;

    private static string Join(IEnumerable<string> lines) => string.Join('\n', lines);

    public static TheoryData<Tampering> Tamperings() =>
    [
        new Tampering("hand edit of a CN", lines =>
        {
            int cn = IndexOf(lines, "  cn: ", 1);
            lines[cn] += "x";
            return (Join(lines), IndexOf(lines, "  check: ", 1) + 1);
        }),
        new Tampering("git merge conflict around a block", lines =>
        {
            int start = IndexOf(lines, "device: ", 1), end = IndexOf(lines, "  check: ", 1);
            var block = lines[start..(end + 1)];
            var theirs = block.Select(l => l.StartsWith("  pending-since: ", StringComparison.Ordinal)
                ? "  pending-since: 2030-01-01T00:00:00Z" : l);
            var merged = lines[..start].Concat(["<<<<<<< HEAD", .. block, "=======", .. theirs, ">>>>>>> feature/renewal"]).Concat(
                lines[(end + 1)..]).ToArray();
            return (Join(merged), start + 1);
        }),
        new Tampering("git merge conflict in the header", lines =>
        {
            int through = IndexOf(lines, "requests-through: ");
            var merged = lines[..through].Concat(["<<<<<<< HEAD", lines[through], "=======", "requests-through: 20300101T000000Z",
                ">>>>>>> other"]).Concat(lines[(through + 1)..]).ToArray();
            return (Join(merged), through + 1);
        }),
        new Tampering("truncated in the middle of the last block", lines =>
        {
            int last = IndexOf(lines, "device: ", Devices - 1);
            return (Join(lines[..(last + 3)]), last + 3);
        }),
        new Tampering("a block deleted by hand, its check line kept", lines =>
        {
            int start = IndexOf(lines, "device: ", 2);
            var cut = lines[..(start + 1)].Concat(lines[(start + 3)..]).ToArray();
            return (Join(cut), IndexOf(cut, "  check: ", 2) + 1);
        }),
        new Tampering("a whole block deleted (a bad merge, a restore, a hand edit)", lines =>
        {
            int start = IndexOf(lines, "device: ", 1), end = IndexOf(lines, "  check: ", 1);
            var cut = lines[..(start - 1)].Concat(lines[(end + 1)..]).ToArray();
            return (Join(cut), IndexOf(cut, "blocks: ") + 1);
        }),
        new Tampering("truncated exactly at a block boundary", lines =>
        {
            int last = IndexOf(lines, "device: ", Devices - 1);
            var cut = lines[..(last - 1)];
            return (Join(cut), IndexOf(cut, "blocks: ") + 1);
        }),
    ];

    private static Dictionary<string, byte[]> Files(TempSite site) =>
        Directory.GetFiles(site.Folder, "*", SearchOption.AllDirectories).Where(f =>
            !f.EndsWith(".lock", StringComparison.Ordinal)).ToDictionary(f => f, File.ReadAllBytes);

    private static void AssertUnchanged(Dictionary<string, byte[]> before, TempSite site, string what)
    {
        var after = Files(site);
        Assert.True(before.Keys.Order().SequenceEqual(after.Keys.Order()),
            $"{what} added or removed files: {string.Join(", ", after.Keys.Except(before.Keys).Concat(before.Keys.Except(after.Keys)))}");
        foreach (var (file, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[file]), $"{what} changed {file}");
    }

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task Every_reader_reports_the_line_and_nothing_is_written(Tampering tampering)
    {
        using var site = await Sites.SignedAsync(Devices);
        string signed = Sites.SignedZip(site);
        var (text, line) = tampering.Apply(File.ReadAllText(site.LedgerPath).TrimEnd('\n').Split('\n'));
        File.WriteAllText(site.LedgerPath, text + "\n");
        var error = Assert.Throws<LedgerFormatException>(() => LedgerFile.Load(site.LedgerPath));
        Assert.Equal(line, error.Line);
        output.WriteLine($"{tampering.Name}: line {error.Line}: {error.Reason}");
        var before = Files(site);
        string where = $"{Path.GetFileName(site.LedgerPath)}:{line}:";

        foreach (var args in new[] { ["csr", site.ManifestPath], ["csr", site.ManifestPath, "--overwrite-pending"],
            ["import", site.ManifestPath, signed], ["status", site.ManifestPath], new[] { "check", site.ManifestPath } })
        {
            var (exit, stdout, stderr) = CliProcess.Run(args);
            string command = string.Join(' ', args.Take(1).Concat(args.Skip(2)));
            if (args[0] == "check")
            {
                // check reports it as a finding on the ledger (CL0405, a warning by default), like any other, and runs.
                string finding = $"{Path.GetFileName(site.LedgerPath)}({line},1): warning CL0405: ";
                Assert.True(stdout.Contains(finding, StringComparison.Ordinal),
                    $"check (exit {exit}) does not report {finding}:\n{stdout}\n{stderr}");
            }
            else
            {
                Assert.True(stderr.Contains(where, StringComparison.Ordinal),
                    $"{command} (exit {exit}) does not name {where}:\n{stdout}\n{stderr}");
                Assert.Equal(2, exit);
            }
            AssertUnchanged(before, site, command);
        }

        await using var client = await LspTestClient.StartInitializedAsync(site.Folder);
        string manifestUri = UriPaths.FromPath(site.ManifestPath), ledgerUri = UriPaths.FromPath(site.LedgerPath);
        await client.OpenAsync(manifestUri, site.Text);
        var published = await client.WaitForDiagnosticsAsync(ledgerUri);
        var diagnostic = Assert.Single(published.Diagnostics);
        Assert.Equal(line - 1, diagnostic.Range.Start.Line);
        Assert.Equal("CL0405", diagnostic.Code);
        Assert.Equal(2, diagnostic.Severity);
        foreach (var (command, argument) in new (string, object)[] { (CertLspCommands.GenerateCsrs,
            new { uri = manifestUri, scope = "all", pending = "overwrite" }),
            (CertLspCommands.ImportCertificates, new { uri = manifestUri, path = signed }) })
        {
            var refused = await Assert.ThrowsAsync<RemoteInvocationException>(() =>
                client.Request<object>(Methods.ExecuteCommand, new { command, arguments = new[] { argument } }));
            Assert.Contains(where, refused.Message);
        }
        AssertUnchanged(before, site, "the language server");
    }

    [Fact]
    public async Task A_ledger_repaired_on_disk_withdraws_the_report()
    {
        using var site = await Sites.SignedAsync(Devices);
        string good = File.ReadAllText(site.LedgerPath);
        File.WriteAllText(site.LedgerPath, "<<<<<<< HEAD\n" + good);
        await using var client = await LspTestClient.StartInitializedAsync(site.Folder);
        string manifestUri = UriPaths.FromPath(site.ManifestPath), ledgerUri = UriPaths.FromPath(site.LedgerPath);
        await client.OpenAsync(manifestUri, site.Text);
        Assert.Single((await client.WaitForDiagnosticsAsync(ledgerUri)).Diagnostics);
        File.WriteAllText(site.LedgerPath, good);
        await client.Notify(Methods.DidChangeWatchedFiles, new { changes = new[] { new { uri = ledgerUri, type = 2 } } });
        await client.WaitUntilAsync(ledgerUri, p => p.Diagnostics.Length == 0); // the ledger's report is withdrawn
    }

    /// <summary>
    /// Random damage: 2,000 single-byte changes to a ledger whose header holds both run timestamps (requests-through, run-open);
    /// each is either harmless (a comment, the same byte) or reported with a line, never read as a different ledger: the device
    /// blocks and the header each end with a check line.
    /// </summary>
    [Fact]
    public async Task Random_byte_damage_is_reported_or_harmless_never_misread()
    {
        using var site = await Sites.SignedAsync(Devices);
        var signed = LedgerFile.Load(site.LedgerPath);
        var truth = signed with { RunOpen = signed.RequestsThrough };  // as a killed run leaves it: both timestamps in the header
        byte[] original = System.Text.Encoding.UTF8.GetBytes(LedgerFormat.Write(truth, "site.site.yaml", DateTimeOffset.UtcNow));
        string text0 = System.Text.Encoding.UTF8.GetString(original);
        int headerEnd = text0.IndexOf("\ndevice: ", StringComparison.Ordinal);
        Assert.Contains("\nrun-open: ", text0[..headerEnd]);
        int seed = Soak.Seed(), detected = 0, harmless = 0, inHeader = 0, tries = Soak.Scale(2000);
        var random = new Random(seed);
        for (int n = 0; n < tries; n++)
        {
            var bytes = (byte[])original.Clone();
            int at = random.Next(bytes.Length);
            bytes[at] = (byte)random.Next(256);
            if (bytes[at] == original[at]) { harmless++; continue; }
            if (at < headerEnd) inHeader++;
            string text = System.Text.Encoding.UTF8.GetString(bytes);
            try
            {
                var read = LedgerFormat.Read(site.LedgerPath, text);
                Assert.True(read.RequestsThrough == truth.RequestsThrough && read.RunOpen == truth.RunOpen
                    && read.Entries.Values.SequenceEqual(truth.Entries.Values),
                    $"seed {seed}: byte {at} changed from {original[at]:x2} to {bytes[at]:x2} was read as a different ledger: " +
                        $"{(read.RequestsThrough, read.RunOpen)} vs {(truth.RequestsThrough, truth.RunOpen)}\n{text}");
                harmless++;
            }
            catch (LedgerFormatException ex)
            {
                Assert.InRange(ex.Line, 1, text.Split('\n').Length);
                detected++;
            }
        }
        output.WriteLine(
            $"seed {seed}: {tries} one-byte damages ({inHeader} in the header): {detected} reported with a line, {harmless} harmless " +
            $"(comments, same byte), none misread");
        Assert.True(detected > tries / 2);
        Assert.True(inHeader > 0, "some damage should hit the header");
    }
}
