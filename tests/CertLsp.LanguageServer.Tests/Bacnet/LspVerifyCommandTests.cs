using CertLsp.Core.Ledger;
using CertLsp.LanguageServer.Protocol;
using CertLsp.Workflows.Ledger;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// “CertLsp: Verify Site over BACnet/SC” (certlsp.verifySite) in-process over LSP against a BACnet/SC site the test runs in its network
/// namespace: the result, progress, the summary, the ledger records, and the site status (the Site certificates view), hover and code
/// lens showing the last verification.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class LspVerifyCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-lspverify-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [NeedsFact(Needs.Namespace)]
    public async Task Verify_site_reports_each_device_records_it_and_status_hover_and_code_lens_show_it()
    {
        await using var site = await ScVerifySite.StartAsync("127.0.24");
        await site.AddDeviceAsync("AHU-1", 2401);
        await site.AddDeviceFromAnotherCaAsync("VAV-9", 2409);
        string manifestPath = site.WriteSite(folder, ("AHU-1", 2401), ("VAV-9", 2409));
        string uri = new Uri(manifestPath).AbsoluteUri;
        await using var client = await LspTestClient.StartInitializedAsync(folder);
        client.Server.Context.ToolConnection = site.ConnectToolAsync;
        string text = await File.ReadAllTextAsync(manifestPath);
        await client.OpenAsync(uri, text);

        var result = await client.Rpc.InvokeWithParameterObjectAsync<VerifySiteResult>(Methods.ExecuteCommand,
            new { command = CertLspCommands.VerifySite, arguments = new[] { new { uri, timeout = 2 } }, workDoneToken = "tok-verify" });

        Assert.Null(result.Refusal);
        Assert.False(result.AllJoined);
        Assert.Equal(["joined", "refused"], result.Devices.Select(d => d.Result));
        Assert.StartsWith("handshake refused: certificate from another CA", result.Devices[1].Reason, StringComparison.Ordinal);
        Assert.StartsWith("Verify site: 1 of 2 device(s) joined the hub with their recorded certificate; not: VAV-9: handshake refused",
            result.Message, StringComparison.Ordinal);
        await client.MessageAsync(m => m.Type == MessageType.Warning && m.Message == result.Message);
        var kinds = client.Progress.Select(p => p.GetProperty("kind").GetString()).ToList();
        Assert.Equal(("begin", "end"), (kinds[0], kinds[^1]));
        Assert.Contains("report", kinds);

        var ledger = LedgerFile.Load(LedgerFile.PathFor(manifestPath));
        Assert.Equal(VerificationResult.Joined, ledger.Find("AHU-1")!.Verification!.Result);
        Assert.Equal(VerificationResult.Refused, ledger.Find("VAV-9")!.Verification!.Result);

        // What the Site certificates view, the hover and the code lens show, from the ledger the server re-read.
        var status = await client.Rpc.InvokeWithParameterObjectAsync<SiteStatusResult>(CertLspCommands.SiteStatus, new { uri });
        var ahu = status.Devices.Single(d => d.Name == "AHU-1");
        Assert.Equal("joined", ahu.Verified);
        Assert.EndsWith("UTC: joined the hub with its certificate", ahu.Verification, StringComparison.Ordinal);
        Assert.Contains("handshake refused: certificate from another CA", status.Devices.Single(d => d.Name == "VAV-9").Verification,
            StringComparison.Ordinal);
        int line = text.Split('\n').ToList().FindIndex(l => l.Contains("name: AHU-1", StringComparison.Ordinal));
        var hover = await client.Rpc.InvokeWithParameterObjectAsync<Hover?>(Methods.Hover,
            new { textDocument = new { uri }, position = new { line, character = 12 } });
        Assert.Contains("BACnet/SC: verified ", hover!.Contents.Value, StringComparison.Ordinal);
        Assert.Contains("joined the hub with its certificate", hover.Contents.Value, StringComparison.Ordinal);
        var lenses = await client.Rpc.InvokeWithParameterObjectAsync<CodeLens[]>(Methods.CodeLens, new { textDocument = new { uri } });
        Assert.Contains(lenses, l => l.Command!.Title.Contains("· joined the hub with its certificate", StringComparison.Ordinal));
        Assert.Contains(lenses, l => l.Command!.Title.Contains("· handshake refused: certificate from another CA",
            StringComparison.Ordinal));
    }
}
