using System.Text.Json;
using CertLsp.Core.Ledger;
using CertLsp.Devices;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;

namespace CertLsp.LanguageServer.Commands;

/// <summary>
/// certlsp.verifySite (“CertLsp: Verify Site over BACnet/SC”): as <c>certlsp verify</c>, the Devices bridge's SiteVerificationRun with
/// the tool joined to the manifest's hub; progress per device, cancellation, the result in the ledger (which status, hover, code lens
/// and the Site certificates view then show) and a summary with window/showMessage.
/// </summary>
public sealed class VerifySiteCommand : ServerCommand<VerifySiteArguments, VerifySiteResult>
{
    public override string Name => CertLspCommands.VerifySite;

    public override async Task<VerifySiteResult> ExecuteAsync(ServerContext context, VerifySiteArguments arguments,
        JsonElement? workDoneToken, CancellationToken cancellationToken)
    {
        double timeout = arguments.Timeout is { } t && double.IsFinite(t) ? Math.Clamp(t, 0.1, DeviceTimeout.MaxSeconds)
            : DeviceTimeout.DefaultSeconds;
        var (path, _, _, parsed) = context.ParsedManifest(arguments.Uri);
        if (parsed.Manifest is not { } manifest) return await RefuseAsync(context,
            "the manifest's YAML cannot be read: fix it first (see the Problems)").ConfigureAwait(false);
        string? passphrase = KeyStore.PassphraseFromEnvironment();
        var connect = context.ToolConnection ?? SiteVerificationRun.AsTool(path, manifest, passphrase, timeout);

        using var progress = await WorkDoneProgress.BeginAsync(context, workDoneToken, "Verifying the site over BACnet/SC",
            cancellationToken).ConfigureAwait(false);
        progress.Report("Joining the hub as the commissioning tool", 0, 1);
        var reporter = progress.For<VerificationProgress>(p => ($"{p.Done} of {p.Total} device(s) checked", p.Done, p.Total));
        SiteVerificationOutcome outcome;
        try
        {
            outcome = await CommandJobs.RunAsync(context, progress, "Verify site", path,
                () => SiteVerificationRun.RunAsync(path, manifest, timeout, passphrase, connect, reporter, progress.Token))
                .ConfigureAwait(false);
        }
        catch (SiteVerificationException ex)
        {
            await progress.EndAsync("refused").ConfigureAwait(false);
            return await RefuseAsync(context, ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            const string cancelled = "Verify site cancelled; the ledger was not changed.";
            await progress.EndAsync("cancelled").ConfigureAwait(false);
            await context.ShowMessageAsync(MessageType.Warning, cancelled).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested) throw;
            return new VerifySiteResult(false, [], cancelled, Cancelled: true);
        }
        context.Workspace.LedgerChanged(LedgerFile.PathFor(path));
        int joined = outcome.Reports.Count(r => r.Result == VerificationResult.Joined);
        string message = $"Verify site: {joined} of {outcome.Reports.Count} device(s) joined the hub with their recorded certificate" +
            (outcome.AllJoined ? "." : $"; not: {string.Join("; ", outcome.Reports.Where(r => r.Result != VerificationResult.Joined)
                .Take(3).Select(r => $"{r.Device}: {r.Reason}"))}{(outcome.Reports.Count - joined > 3 ? "; …" : "")}.") +
            (outcome.LedgerProblem is { } problem ? $" {problem}." : "");
        foreach (var r in outcome.Reports) context.Log(
            $"verify {arguments.Uri}: {r.Device}: {DeviceVerification.Name(r.Result)}: {r.Reason}");
        await progress.EndAsync(message).ConfigureAwait(false);
        await context.ShowMessageAsync(outcome.AllJoined ? MessageType.Info : MessageType.Warning, message).ConfigureAwait(false);
        return new VerifySiteResult(outcome.AllJoined, [.. outcome.Reports.Select(r => new DeviceVerificationEntry(r.Device, r.Instance,
            r.Joined, r.IdentityMatches, r.HubStatus, r.CertificateMatches, r.ReportedFingerprint, r.Handshake,
            DeviceVerification.Name(r.Result), r.Reason))], message, LedgerProblem: outcome.LedgerProblem);
    }

    private static async Task<VerifySiteResult> RefuseAsync(ServerContext context, string why)
    {
        await context.ShowMessageAsync(MessageType.Warning, why).ConfigureAwait(false);
        return new VerifySiteResult(false, [], why, Refusal: why);
    }
}
