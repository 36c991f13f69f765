using CertLsp.Core.Editing;
using CertLsp.Core.Ledger;
using CertLsp.Core.Review;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>
/// textDocument/codeLens: per batch "Batch north-wing · 42 devices · Generate CSRs"; per device with a certificate or pending CSR, its
/// status; on “bacnet.secureConnect.tool”, the tool's certificate status; in a trusted workspace, per device renamed since HEAD, what the
/// rename does to its certificate.
/// </summary>
public sealed class CodeLensHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.CodeLens, UseSingleObjectParameterDeserialization = true)]
    public async Task<CodeLens[]> CodeLenses(CodeLensParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        cancellationToken.ThrowIfCancellationRequested();
        var document = context.Document(context.Workspace.Snapshot, parameters.TextDocument, cancellationToken);
        if (document.Parsed.Manifest is null) return [];
        var lenses = StatusLenses(document, cancellationToken);
        lenses.AddRange(await RenameLensesAsync(document, cancellationToken).ConfigureAwait(false));
        return [.. lenses];
    }

    private static List<CodeLens> StatusLenses(OpenDocument document, CancellationToken cancellationToken)
    {
        var parsed = document.Parsed;
        var manifest = parsed.Manifest!;
        var lines = parsed.Lines;
        var lenses = new List<CodeLens>();
        foreach (var batch in Outline.Batches(manifest))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Says when devices with a valid certificate will be left out (the command requests only the others).
            var (_, _, valid) = SourceActions.Split(manifest, parsed.Ledger, batch.Devices, named: false, DateTimeOffset.UtcNow);
            string title =
                $"Batch {batch.Name} · {batch.Count} devices · Generate " +
                $"CSRs{(valid.Count > 0 ? $" ({valid.Count} valid, not requested)" : "")}";
            var choice = new CsrRequestChoice(title, "batch", batch.Name, [], null);
            lenses.Add(new CodeLens(LspConvert.Range(lines, batch.Span), CodeActionHandler.GenerateCommand(title, document.Uri, choice)));
        }
        if (parsed.Ledger is { } ledger)
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var device in manifest.Devices)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (device.Name is null || ledger.Find(device.Name.Value) is null) continue;
                string? status = CertificateStatusText.For(ledger, device, manifest.Certificates.WarningDayCount, now);
                if (status is null) continue;
                if (CertificateStatusText.Install(ledger, manifest, device, withReason: false) is { } install) status += $" · {install}";
                // the last verification over BACnet/SC: “joined the hub with its certificate”, “handshake refused: …”
                if (ledger.Find(device.Name.Value)?.Verification is { } verified) status += $" · {verified.Reason}";
                lenses.Add(new CodeLens(LspConvert.Range(lines, device.Name.Span),
                    new Command($"Certificate: {status}", CertLspCommands.ShowStatus, [new SiteStatusParams(document.Uri)])));
            }
        }
        // The commissioning tool's own BACnet/SC certificate, on “bacnet.secureConnect.tool”, from its ledger block.
        if (manifest.Bacnet.SecureConnect?.Tool is { Name: not null } tool
            && CertificateStatusText.ForTool(parsed.Ledger ?? SiteLedger.Empty, tool, manifest.Certificates.WarningDayCount,
                DateTimeOffset.UtcNow) is { } toolStatus)
        {
            lenses.Add(new CodeLens(LspConvert.Range(lines, tool.Pair.Key.Span),
                new Command($"Tool certificate: {toolStatus}", CertLspCommands.ShowStatus, [new SiteStatusParams(document.Uri)])));
        }
        return lenses;
    }

    /// <summary>
    /// "renamed from AHU-2: its valid certificate (CN AHU-2.bms…) will not match; a new CSR is needed" on each device renamed since
    /// HEAD (matched as certlsp review matches), worded from the ledger as it is now. Only in a trusted workspace: git runs here.
    /// </summary>
    private async Task<IEnumerable<CodeLens>> RenameLensesAsync(OpenDocument document, CancellationToken cancellationToken)
    {
        if (!context.WorkspaceTrusted || UriPaths.LocalPath(document.Uri) is not { } path) return [];
        Core.Checking.ManifestDocument? head;
        try
        {
            head = await context.Heads.BaseAsync(context.Git, path, cancellationToken).ConfigureAwait(false);
        }
        catch (Workflows.Review.GitRevisionException ex)
        {
            context.LogTrace($"no rename lenses for {document.Uri}: {ex.Message}");
            return [];
        }
        if (head is null) return [];
        var parsed = document.Parsed;
        var ledger = parsed.Ledger ?? head.Ledger ?? SiteLedger.Empty;
        bool review = context.Client.ClientCommands.Contains(CertLspCommands.ReviewChangesPrompt);
        var arguments = new ReviewChangesArguments(document.Uri, "HEAD");
        return SiteReviewer.Renamed(head, parsed, ledger, DateTimeOffset.UtcNow).Select(r => new CodeLens(
            LspConvert.Range(parsed.Lines, r.Device.Name?.Span ?? r.Device.AnchorSpan),
            new Command(ReviewText.RenameLens(r.Impact), review ? CertLspCommands.ReviewChangesPrompt : CertLspCommands.ReviewChanges,
                [arguments])));
    }
}
