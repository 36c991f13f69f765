using System.CommandLine;
using CertLsp.Cli.Output;
using CertLsp.Core.Ledger;
using CertLsp.Devices;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp install &lt;manifest&gt; (--bind ADDR | --datalink sc) [--out DIR] [--timeout SECONDS]</c>: key.source: device only.
/// Installs on their devices (over BACnet/IP from --bind, or over BACnet/SC through the site's hub as the tool)
/// the certificates the ledger records as imported but not installed (pending or failed), from the chain files import wrote
/// (certificates/&lt;manifest&gt;/, or --out): the CA's answer is not needed again. Exit 0 when every due install succeeded (or none was
/// due), 1 when one failed or could not be tried, 2 when nothing could be done.
/// </summary>
public static class InstallCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var manifest = new Argument<string>("manifest")
        {
            Description =
            "The site manifest (*.site.yaml) of a site whose devices hold their keys (key.source: device)"
        };
        var output = new Option<string?>("--out")
        {
            Description =
            "Folder import wrote the certificates to (default: certificates/<manifest>/ beside the manifest)"
        };
        var bind = DeviceConnection.BindOption();
        var datalink = DeviceConnection.DatalinkOption();
        var timeout = DeviceConnection.TimeoutOption();
        var command = new Command("install",
            "Install on their devices (key.source: device) the certificates the ledger records as imported but not installed")
        {
            manifest, output, bind, datalink, timeout,
        };
        command.SetAction((r, cancellationToken) => RunAsync(r.GetValue(manifest)!, r.GetValue(bind), new InstallOptions
        {
            BundleFolder = r.GetValue(output) is { } o ? Path.GetFullPath(o) : null,
        }, stdout, stderr, r.GetValue(timeout), cancellationToken, r.GetValue(datalink)));
        return command;
    }

    public static async Task<int> RunAsync(string manifestPath, string? bind, InstallOptions options, TextWriter stdout,
        TextWriter stderr, double timeout = DeviceTimeout.DefaultSeconds, CancellationToken cancellationToken = default,
        string? datalink = null)
    {
        if (CommandSupport.ReadManifest(manifestPath, stderr) is not var (path, text)) return Program.CouldNotRun;
        // The core refuses a manifest it cannot read or whose keys are local; the port only matters when it does not.
        var manifest = Core.Checking.ManifestDocument.Parse(path, text).Manifest;
        int port = manifest?.Bacnet.PortNumber ?? 0;
        if (manifest is not null && DeviceConnection.OverSc(datalink, manifest))
        {
            return await DeviceConnection.RunScAsync(path, timeout, manifest.Devices.Length, stderr,
                (client, directory) => InstallAsync(new BacnetCertificateInstaller(client, port, directory)),
                why => Task.FromResult(Program.CouldNotRun), cancellationToken).ConfigureAwait(false);
        }
        if (bind is null)
        {
            stderr.WriteLine("certlsp: name the local address to reach the devices from with --bind (it is never defaulted), or " +
                "--datalink sc to reach them through the site's hub");
            return Program.CouldNotRun;
        }
        return await DeviceConnection.RunAsync(bind, timeout, stderr, client => InstallAsync(new BacnetCertificateInstaller(client, port)))
            .ConfigureAwait(false);

        async Task<int> InstallAsync(BacnetCertificateInstaller installer)
        {
            InstallResult result;
            try
            {
                result = await CertificateInstaller.InstallRecordedAsync(path, text, installer, options,
                    cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (LedgerFormatException ex)
            {
                return CommandSupport.LedgerProblem(ex, stderr);
            }
            if (result.Refusal is { } refusal)
            {
                stderr.WriteLine($"certlsp: {refusal}");
                return Program.CouldNotRun;
            }
            if (result.Installs.IsEmpty) stdout.WriteLine(
                "Installs: none due (the ledger records every imported certificate as installed on its device).");
            else WriteInstalls(result.Installs, stdout);
            stdout.WriteLine(result.LedgerChanged ? $"Ledger updated: {DisplayPath.For(result.LedgerPath)}." : "Ledger unchanged.");
            return result.Count(InstallState.Installed) == result.Installs.Length ? Program.Ok : Program.Findings;
        }
    }

    /// <summary>A line per device an install was due for, then the count (import and install print the same).</summary>
    public static void WriteInstalls(IReadOnlyCollection<DeviceInstallResult> installs, TextWriter stdout)
    {
        stdout.WriteLine("Installs on the devices:");
        foreach (var install in installs) stdout.WriteLine($"  {Label(install.State),-16} {install.Device}: {install.Detail}");
        int pending = installs.Count(i => i.State == InstallState.Pending);
        stdout.WriteLine(
            $"Installs: {installs.Count(i => i.State == InstallState.Installed)} installed, " +
            $"{installs.Count(i => i.State == InstallState.Failed)} failed{(pending > 0 ? $", {pending} not tried" : "")}.");
    }

    private static string Label(InstallState state) => state switch
    {
        InstallState.Installed => "installed",
        InstallState.Failed => "INSTALL FAILED",
        _ => "NOT INSTALLED",
    };
}
