using CertLsp.Core.Editing;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>textDocument/codeLens: per batch "Batch north-wing · 42 devices · Generate CSRs"; per device with a certificate or pending CSR,
/// its status.</summary>
public sealed class CodeLensHandler(ServerContext context)
{
    [JsonRpcMethod(Methods.CodeLens, UseSingleObjectParameterDeserialization = true)]
    public CodeLens[] CodeLenses(CodeLensParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        cancellationToken.ThrowIfCancellationRequested();
        var document = context.Document(context.Workspace.Snapshot, parameters.TextDocument, cancellationToken);
        var parsed = document.Parsed;
        if (parsed.Manifest is not { } manifest) return [];
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
                lenses.Add(new CodeLens(LspConvert.Range(lines, device.Name.Span),
                    new Command($"Certificate: {status}", CertLspCommands.ShowStatus, [new SiteStatusParams(document.Uri)])));
            }
        }
        return [.. lenses];
    }
}
