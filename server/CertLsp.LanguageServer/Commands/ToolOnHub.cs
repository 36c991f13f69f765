using CertLsp.Bacnet.Client;
using CertLsp.Core.Manifest;
using CertLsp.Devices;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Certificates;

namespace CertLsp.LanguageServer.Commands;

/// <summary>
/// What Generate CSRs, Import, Install and Discover share when the manifest says the tool reaches the devices over BACnet/SC
/// (“bacnet.secureConnect.tool.datalink: sc”; the editor has no setting for it): the Devices bridge's <see cref="ScToolRun"/> with the
/// tool's key passphrase (CERTLSP_KEY_PASSPHRASE), the device timeout and the steps as the command's progress. The bind setting is
/// not used then.
/// </summary>
internal static class ToolOnHub
{
    public static bool Reaches(SiteManifest manifest) => ScToolRun.Chosen(null, manifest);

    /// <summary>The work with the tool on the hub and, with <paramref name="findDevices"/>, where the manifest's devices are (else
    /// null); <paramref name="unreachable"/> with the reason when the tool cannot join.</summary>
    public static Task<T> RunAsync<T>(string path, SiteManifest manifest, WorkDoneProgress progress, bool findDevices,
        Func<BacnetClient, ScDeviceDirectory?, Task<T>> work, Func<string, Task<T>> unreachable)
    {
        string? passphrase = KeyStore.PassphraseFromEnvironment();
        void Step(string what) => progress.Report(what, 0, 1);
        return findDevices
            ? ScToolRun.RunOnDevicesAsync(path, manifest, passphrase, DeviceTimeout.DefaultSeconds, manifest.Devices.Length,
                (client, directory) => work(client, directory), unreachable, Step, progress.Token)
            : ScToolRun.RunAsync(path, manifest, passphrase, DeviceTimeout.DefaultSeconds, client => work(client, null), unreachable, Step,
                progress.Token);
    }

    /// <summary>Why nothing reached the devices: “the devices are not reached over BACnet/SC: …”.</summary>
    public static string NotReached(string why) => $"the devices are not reached over BACnet/SC: {why}";
}
