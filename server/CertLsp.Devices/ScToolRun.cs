using CertLsp.Bacnet.Client;
using CertLsp.Core.Manifest;

namespace CertLsp.Devices;

/// <summary>
/// Work on a site's devices over BACnet/SC, the same for the command line and the editor: the tool joins the site's hub with its own
/// certificate (<see cref="ScToolConnection"/>), learns where the devices are (<see cref="ScDeviceDirectory"/>, Who-Is through the
/// hub) and the work runs with that client, which is closed afterwards. When the tool cannot join (no certificate of its own yet, a
/// hub that refuses it or is down) the caller's “unreachable” runs with the reason instead: the tool's own certificate is requested
/// and imported without a hub, so nothing is lost.
/// </summary>
public static class ScToolRun
{
    /// <summary>Whether the devices are reached over BACnet/SC: <paramref name="datalink"/> (“bip” or “sc”) when given, else the
    /// manifest's “tool.datalink: sc”.</summary>
    public static bool Chosen(string? datalink, SiteManifest manifest) =>
        datalink is null ? manifest.Bacnet.SecureConnect?.Tool?.ReachesDevicesOverSc == true : datalink == "sc";

    /// <summary>
    /// Joins the hub as the tool of the manifest at <paramref name="manifestPath"/> (<paramref name="manifest"/>: its reading, the
    /// editor's open buffer; null: the file) and runs <paramref name="work"/> with the client (each request gets
    /// <paramref name="timeoutSeconds"/>); <paramref name="unreachable"/> with the reason when the tool cannot join.
    /// <paramref name="step"/> hears what is being done (“Joining the hub …”), for progress.
    /// </summary>
    public static async Task<T> RunAsync<T>(string manifestPath, SiteManifest? manifest, string? passphrase, double timeoutSeconds,
        Func<BacnetClient, Task<T>> work, Func<string, Task<T>> unreachable, Action<string>? step, CancellationToken cancellationToken)
    {
        ScToolCredentials tool;
        try
        {
            tool = manifest is null ? ScToolConnection.Load(manifestPath, passphrase)
                : ScToolConnection.Load(manifestPath, manifest, passphrase);
        }
        catch (BacnetSetupException e)
        {
            return await unreachable(e.Message).ConfigureAwait(false);
        }
        using (tool)
        {
            step?.Invoke($"Joining the hub {tool.PrimaryHub} as the tool “{tool.Name}”");
            BacnetClient client;
            try
            {
                client = await ScToolConnection.ConnectAsync(tool, timeoutSeconds, cancellationToken).ConfigureAwait(false);
            }
            catch (BacnetSetupException e)
            {
                return await unreachable(e.Message).ConfigureAwait(false);
            }
            await using (client.ConfigureAwait(false))
            {
                return await work(client).ConfigureAwait(false);
            }
        }
    }

    /// <summary>As <see cref="RunAsync{T}"/>, the work also given where the devices are: the I-Ams heard within
    /// <paramref name="timeoutSeconds"/> of a Who-Is through the hub (or once <paramref name="devices"/> answered).</summary>
    public static Task<T> RunOnDevicesAsync<T>(string manifestPath, SiteManifest? manifest, string? passphrase, double timeoutSeconds,
        int devices, Func<BacnetClient, ScDeviceDirectory, Task<T>> work, Func<string, Task<T>> unreachable, Action<string>? step,
        CancellationToken cancellationToken) =>
        RunAsync(manifestPath, manifest, passphrase, timeoutSeconds, async client =>
        {
            step?.Invoke($"Finding the devices: Who-Is through the hub (waiting for {devices})");
            var directory = await ScDeviceDirectory.LearnAsync(client, TimeSpan.FromSeconds(timeoutSeconds), devices, cancellationToken)
                .ConfigureAwait(false);
            step?.Invoke($"{directory.Devices.Count} of {devices} device(s) answered through the hub");
            return await work(client, directory).ConfigureAwait(false);
        }, unreachable, step, cancellationToken);
}
