using System.Text.Json;
using CertLsp.Bacnet.Client;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Devices;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Certificates;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>
/// certlsp.installCertificates (through workspace/executeCommand): installs on their devices (key.source: device) the certificates
/// the ledger records as imported but not installed, from the editor's bind address (the core's CertificateInstaller.InstallRecorded
/// with the Devices bridge's BacnetCertificateInstaller, as <c>certlsp install --bind</c>). Also what the import command shares for its
/// own installs: the device target from the settings, the progress text and the summary.
/// </summary>
public sealed class InstallCertificatesHandler(ServerContext context)
{
    /// <summary>What the user runs to install later (the VS Code command's title, and the server command).</summary>
    public const string InstallLater = $"run “CertLsp: Install Certificates on Devices” ({CertLspCommands.InstallCertificates})";

    public async Task<InstallCertificatesResult> InstallAsync(InstallCertificatesArguments arguments, JsonElement? workDoneToken, CancellationToken cancellationToken)
    {
        var (path, text, _, parsed) = context.ParsedManifest(arguments.Uri);
        var manifest = parsed.Manifest;
        if (manifest is null) return await RefuseAsync("the manifest's YAML cannot be read: fix it first (see the Problems)").ConfigureAwait(false);
        if (!manifest.Key.DeviceHeld) return await RefuseAsync("the site's keys are local (key.source: local): nothing is installed on the devices; Import writes their bundles.").ConfigureAwait(false);
        BacnetClient client;
        IDeviceCertificateTarget target;
        try
        {
            (client, target) = Target(path, manifest, "Installing certificates on devices that hold their keys (key.source: device)");
        }
        catch (BacnetSetupException ex)
        {
            return await RefuseAsync(ex.Message).ConfigureAwait(false);
        }
        await using var connection = client; // closed however the request ends, a cancelled progress set-up included

        using var progress = await WorkDoneProgress.BeginAsync(context, workDoneToken, "Installing certificates on devices", cancellationToken).ConfigureAwait(false);
        var run = await ExecuteCommandHandler.RunJobAsync(context, progress, "Installing certificates", path,
            () => Task.Run(() => CertificateInstaller.InstallRecorded(path, text, target, new InstallOptions(), Progress(progress), progress.Token), CancellationToken.None)).ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
        context.Workspace.LedgerChanged(run.LedgerPath);
        if (run.Refusal is { } refusal)
        {
            await progress.EndAsync("refused").ConfigureAwait(false);
            return await RefuseAsync(refusal).ConfigureAwait(false);
        }
        var summary = Summary(run.Installs);
        string message = run.Installs.IsEmpty
            ? "Installs: none due; the ledger records every imported certificate as installed on its device."
            : Describe(summary, run.Cancelled);
        await progress.EndAsync(message).ConfigureAwait(false);
        await context.ShowMessageAsync(NeedsAttention(summary, run.Cancelled) ? MessageType.Warning : MessageType.Info, message).ConfigureAwait(false);
        foreach (var device in summary.Devices.Where(d => d.State != "installed")) context.Log($"install {arguments.Uri}: {device.Device}: {device.State}: {device.Detail}");
        if (run.Cancelled && cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
        return new InstallCertificatesResult(summary.Installed, summary.Failed, summary.Pending, summary.Devices, message, Cancelled: run.Cancelled);
    }

    /// <summary>A client from the editor's bind address and the installer on it; a <see cref="BacnetSetupException"/> says what to set.</summary>
    public (BacnetClient Client, IDeviceCertificateTarget Target) Target(string path, SiteManifest manifest, string purpose)
    {
        var site = context.Bacnet.Site(path, manifest);
        var client = context.Bacnet.ForDevices(purpose);
        return (client, new BacnetCertificateInstaller(client, site.Port));
    }

    /// <summary>Work-done progress per device as its install finishes.</summary>
    public static IProgress<InstallProgress> Progress(WorkDoneProgress progress) =>
        progress.For<InstallProgress>(p => ($"{p.Device}: {State(p.State)} ({p.Done}/{p.Total})", p.Done, p.Total));

    public static InstallSummary Summary(IEnumerable<DeviceInstallResult> installs)
    {
        DeviceInstallEntry[] devices = [.. installs.Select(i => new DeviceInstallEntry(i.Device, State(i.State), i.Detail))];
        return new InstallSummary(devices.Count(d => d.State == "installed"), devices.Count(d => d.State == "failed"), devices.Count(d => d.State == "pending"), devices);
    }

    /// <summary>"Installs on the devices: 2 installed, 1 failed (dev-0002), …", and what to do about the rest.</summary>
    public static string Describe(InstallSummary summary, bool cancelled)
    {
        static string Names(IEnumerable<DeviceInstallEntry> devices) =>
            devices.Take(5).Select(d => d.Device).Aggregate((a, b) => $"{a}, {b}") + (devices.Count() > 5 ? ", …" : "");
        string failed = summary.Failed == 0 ? "0 failed" : $"{summary.Failed} failed ({Names(summary.Devices.Where(d => d.State == "failed"))})";
        string pending = summary.Pending == 0 ? "" : $", {summary.Pending} not installed ({Names(summary.Devices.Where(d => d.State == "pending"))})";
        string text = $"Installs on the devices{(cancelled ? " cancelled" : "")}: {summary.Installed} installed, {failed}{pending}.";
        if (cancelled) return $"{text} The ledger records the rest as not installed; {InstallLater} to finish.";
        return summary.Failed + summary.Pending > 0 ? $"{text} See the CertLsp log for each device's reason; {InstallLater} to try again." : text;
    }

    public static bool NeedsAttention(InstallSummary summary, bool cancelled) => cancelled || summary.Failed + summary.Pending > 0;

    private static string State(InstallState state) => state.ToString().ToLowerInvariant();

    private async Task<InstallCertificatesResult> RefuseAsync(string why)
    {
        await context.ShowMessageAsync(MessageType.Warning, why).ConfigureAwait(false);
        return new InstallCertificatesResult(0, 0, 0, [], why, Refusal: why);
    }
}
