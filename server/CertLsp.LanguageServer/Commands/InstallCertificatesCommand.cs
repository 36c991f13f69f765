using System.Text.Json;
using CertLsp.Bacnet.Client;
using CertLsp.Devices;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Certificates;

namespace CertLsp.LanguageServer.Commands;

/// <summary>
/// certlsp.installCertificates: installs on their devices (key.source: device) the certificates the ledger records as imported but
/// not installed, from the editor's bind address, or over BACnet/SC through the site's hub when the manifest's tool reaches the devices
/// so (“tool.datalink: sc”) (the core's CertificateInstaller.InstallRecordedAsync with the Devices bridge's BacnetCertificateInstaller,
/// as <c>certlsp install --bind</c> or <c>--datalink sc</c>).
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
        bool overSc = ToolOnHub.Reaches(manifest);
        BacnetClient? client = null;
        IDeviceCertificateTarget? target = null;
        if (!overSc)
        {
            try
            {
                (client, target) = DeviceInstalls.Target(context, path, manifest,
                    "Installing certificates on devices that hold their keys (key.source: device)");
            }
            catch (BacnetSetupException ex)
            {
                return await RefuseAsync(context, ex.Message).ConfigureAwait(false);
            }
        }
        await using var connection = client; // closed however the request ends, a cancelled progress set-up included

        using var progress = await WorkDoneProgress.BeginAsync(context, workDoneToken, "Installing certificates on devices",
            cancellationToken).ConfigureAwait(false);
        async Task<InstallResult?> Install(IDeviceCertificateTarget on) => await CertificateInstaller.InstallRecordedAsync(path, text, on,
            new InstallOptions(), DeviceInstalls.Progress(progress), progress.Token).ConfigureAwait(false);
        string? notReached = null;
        InstallResult? done;
        try
        {
            done = await CommandJobs.RunAsync(context, progress, "Installing certificates", path, () => !overSc ? Install(target!)
                : ToolOnHub.RunAsync(path, manifest, progress, findDevices: true,
                    (hub, directory) => Install(new BacnetCertificateInstaller(hub, context.Bacnet.Site(path, manifest).Port, directory)),
                    why =>
                    {
                        notReached = why;
                        return Task.FromResult<InstallResult?>(null);
                    })).ConfigureAwait(false);
        }
        catch (OperationCanceledException) // cancelled while the tool joined the hub or found the devices: nothing was sent yet
        {
            const string cancelled = "Installing certificates cancelled before any device was written; the ledger was not changed.";
            await progress.EndAsync("cancelled").ConfigureAwait(false);
            await context.ShowMessageAsync(MessageType.Warning, cancelled).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested) throw;
            return new InstallCertificatesResult(0, 0, 0, [], cancelled, Cancelled: true);
        }
        if (done is not { } run)
        {
            await progress.EndAsync("refused").ConfigureAwait(false);
            return await RefuseAsync(context, $"Nothing was installed: {ToolOnHub.NotReached(notReached!)}. The ledger keeps the " +
                $"certificates as not installed; {DeviceInstalls.InstallLater} once the tool can join the hub.").ConfigureAwait(false);
        }
        if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
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
