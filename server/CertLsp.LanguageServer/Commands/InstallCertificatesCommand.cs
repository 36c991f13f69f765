using System.Text.Json;
using CertLsp.Bacnet.Client;
using CertLsp.Devices;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Certificates;

namespace CertLsp.LanguageServer.Commands;

/// <summary>
/// certlsp.installCertificates: installs on their devices (key.source: device) the certificates the ledger records as imported but
/// not installed, from the editor's bind address (the core's CertificateInstaller.InstallRecordedAsync with the Devices bridge's
/// BacnetCertificateInstaller, as <c>certlsp install --bind</c>).
/// </summary>
public sealed class InstallCertificatesCommand : ServerCommand<InstallCertificatesArguments, InstallCertificatesResult>
{
    public override string Name => CertLspCommands.InstallCertificates;

    public override async Task<InstallCertificatesResult> ExecuteAsync(ServerContext context, InstallCertificatesArguments arguments,
        JsonElement? workDoneToken, CancellationToken cancellationToken)
    {
        var (path, text, _, parsed) = context.ParsedManifest(arguments.Uri);
        var manifest = parsed.Manifest;
        if (manifest is null) return await RefuseAsync(context,
            "the manifest's YAML cannot be read: fix it first (see the Problems)").ConfigureAwait(false);
        if (!manifest.Key.DeviceHeld) return await RefuseAsync(context,
            "the site's keys are local (key.source: local): nothing is installed on the devices; Import writes their " +
            "bundles.").ConfigureAwait(false);
        BacnetClient client;
        IDeviceCertificateTarget target;
        try
        {
            (client, target) = DeviceInstalls.Target(context, path, manifest,
                "Installing certificates on devices that hold their keys (key.source: device)");
        }
        catch (BacnetSetupException ex)
        {
            return await RefuseAsync(context, ex.Message).ConfigureAwait(false);
        }
        await using var connection = client; // closed however the request ends, a cancelled progress set-up included

        using var progress = await WorkDoneProgress.BeginAsync(context, workDoneToken, "Installing certificates on devices",
            cancellationToken).ConfigureAwait(false);
        var run = await CommandJobs.RunAsync(context, progress, "Installing certificates", path,
            () => CertificateInstaller.InstallRecordedAsync(path, text, target, new InstallOptions(), DeviceInstalls.Progress(progress),
                progress.Token)).ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
        context.Workspace.LedgerChanged(run.LedgerPath);
        if (run.Refusal is { } refusal)
        {
            await progress.EndAsync("refused").ConfigureAwait(false);
            return await RefuseAsync(context, refusal).ConfigureAwait(false);
        }
        var summary = DeviceInstalls.Summary(run.Installs);
        string message = run.Installs.IsEmpty
            ? "Installs: none due; the ledger records every imported certificate as installed on its device."
            : DeviceInstalls.Describe(summary, run.Cancelled);
        await progress.EndAsync(message).ConfigureAwait(false);
        await context.ShowMessageAsync(DeviceInstalls.NeedsAttention(summary, run.Cancelled) ? MessageType.Warning : MessageType.Info,
            message).ConfigureAwait(false);
        foreach (var device in summary.Devices.Where(d => d.State != "installed")) context.Log(
            $"install {arguments.Uri}: {device.Device}: {device.State}: {device.Detail}");
        if (run.Cancelled && cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
        return new InstallCertificatesResult(summary.Installed, summary.Failed, summary.Pending, summary.Devices, message,
            Cancelled: run.Cancelled);
    }

    private static async Task<InstallCertificatesResult> RefuseAsync(ServerContext context, string why)
    {
        await context.ShowMessageAsync(MessageType.Warning, why).ConfigureAwait(false);
        return new InstallCertificatesResult(0, 0, 0, [], why, Refusal: why);
    }
}
