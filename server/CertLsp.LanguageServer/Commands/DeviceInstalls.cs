using CertLsp.Bacnet.Client;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Devices;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Certificates;

namespace CertLsp.LanguageServer.Commands;

/// <summary>
/// What certlsp.installCertificates and certlsp.importCertificates share for installs on devices that hold their keys
/// (key.source: device): the device target from the settings, the progress text and the summary.
/// </summary>
internal static class DeviceInstalls
{
    /// <summary>
    /// What the user does to install later: the server names its own command, never the client's title for it (the client words
    /// its palette; the server's messages go to every editor).
    /// </summary>
    public const string InstallLater = $"install them with {CertLspCommands.InstallCertificates}";

    /// <summary>A client from the editor's bind address and the installer on it; a <see cref="BacnetSetupException"/> says what to
    /// set.</summary>
    public static (BacnetClient Client, IDeviceCertificateTarget Target) Target(ServerContext context, string path, SiteManifest manifest,
        string purpose)
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
        return new InstallSummary(devices.Count(d => d.State == "installed"), devices.Count(d => d.State == "failed"),
            devices.Count(d => d.State == "pending"), devices);
    }

    /// <summary>"Installs on the devices: 2 installed, 1 failed (dev-0002), …", and what to do about the rest.</summary>
    public static string Describe(InstallSummary summary, bool cancelled)
    {
        static string Names(IEnumerable<DeviceInstallEntry> devices) =>
            devices.Take(5).Select(d => d.Device).Aggregate((a, b) => $"{a}, {b}") + (devices.Count() > 5 ? ", …" : "");
        string failed = summary.Failed == 0 ? "0 failed"
            : $"{summary.Failed} failed ({Names(summary.Devices.Where(d => d.State == "failed"))})";
        string pending = summary.Pending == 0 ? ""
            : $", {summary.Pending} not installed ({Names(summary.Devices.Where(d => d.State == "pending"))})";
        string text = $"Installs on the devices{(cancelled ? " cancelled" : "")}: {summary.Installed} installed, {failed}{pending}.";
        if (cancelled) return $"{text} The ledger records the rest as not installed; {InstallLater} to finish.";
        return summary.Failed + summary.Pending > 0 ? $"{text} See the CertLsp log for each device's reason; {InstallLater} to try again."
            : text;
    }

    public static bool NeedsAttention(InstallSummary summary, bool cancelled) => cancelled || summary.Failed + summary.Pending > 0;

    private static string State(InstallState state) => state.ToString().ToLowerInvariant();
}
