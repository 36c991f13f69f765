using System.CommandLine;
using CertLsp.Cli.Output;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Devices;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp import &lt;manifest&gt; &lt;zip, folder or certificate file&gt; [--issuer PEM...] [--crl FILE...] [--strict-crl] [--out DIR]
/// [--bind ADDR] [--datalink bip|sc] [--timeout SECONDS]</c>:
/// verifies what the CA signed and records what passes. For device-held keys (key.source: device) with <c>--bind</c>, each accepted
/// certificate (and each imported earlier but not installed yet) is installed on its device over BACnet/IP (or over BACnet/SC through
/// the site's hub with <c>--datalink sc</c> or <c>tool.datalink: sc</c>) and the outcome recorded;
/// without --bind the installs stay pending. Exit 0 when every certificate passed (and every install succeeded), 1 when some were
/// rejected or an install failed, 2 when the archive was refused.
/// </summary>
public static class ImportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var manifest = new Argument<string>("manifest") { Description = "The site manifest (*.site.yaml)" };
        var source = new Argument<string>("source")
        {
            Description =
            "The CA's zip of signed certificates, a folder, or one certificate file (PEM with its chain, DER, PKCS#7 .p7b)"
        };
        var issuers = new Option<string[]>("--issuer")
        {
            Description = "Issuer (CA) certificate files, besides the manifest's ca.issuers",
            AllowMultipleArgumentsPerToken = true
        };
        var crls = new Option<string[]>("--crl")
        {
            Description = "Certificate revocation lists to check against",
            AllowMultipleArgumentsPerToken = true
        };
        var strictCrl = new Option<bool>("--strict-crl")
        {
            Description =
            "Refuse the import when a CRL given has expired (its nextUpdate is past)"
        };
        var output = new Option<string?>("--out")
        {
            Description =
            "Folder for the bundles (default: certificates/<manifest>/ beside the manifest)"
        };
        var bind = DeviceConnection.BindOption();
        var datalink = DeviceConnection.DatalinkOption();
        var timeout = DeviceConnection.TimeoutOption();
        var command = new Command("import",
            "Verify signed certificates from the CA, record those that pass in the ledger and, for key.source: device with --bind, " +
            "install them on the devices")
        {
            manifest, source, issuers, crls, strictCrl, output, bind, datalink, timeout,
        };
        command.SetAction((r, cancellationToken) => RunAsync(r.GetValue(manifest)!, r.GetValue(source)!, new ImportOptions
        {
            Issuers = [.. (r.GetValue(issuers) ?? []).Select(Path.GetFullPath)],
            RevocationLists = [.. (r.GetValue(crls) ?? []).Select(Path.GetFullPath)],
            StrictCrl = r.GetValue(strictCrl),
            BundleFolder = r.GetValue(output) is { } o ? Path.GetFullPath(o) : null,
            Passphrase = KeyStore.PassphraseFromEnvironment(),
        }, stdout, stderr, r.GetValue(bind), r.GetValue(timeout), cancellationToken, r.GetValue(datalink)));
        return command;
    }

    public static async Task<int> RunAsync(string manifestPath, string source, ImportOptions options, TextWriter stdout, TextWriter stderr,
        string? bind = null, double timeout = DeviceTimeout.DefaultSeconds, CancellationToken cancellationToken = default,
        string? datalink = null)
    {
        if (CommandSupport.ReadManifest(manifestPath, stderr) is not var (path, text)) return Program.CouldNotRun;
        var manifest = ManifestDocument.Parse(path, text).Manifest;
        var bacnet = manifest is { Key.DeviceHeld: true } ? manifest.Bacnet : null;
        if (bacnet is not null && DeviceConnection.OverSc(datalink, manifest!))
        {
            // Over SC each accepted certificate is installed through the hub; a tool that cannot join yet (its own certificate is
            // in this answer) imports everything and leaves the installs pending.
            return await DeviceConnection.RunScAsync(path, timeout, manifest!.Devices.Length, stderr,
                (client, directory) => ImportAsync(path, text, source, options with
                {
                    DeviceTarget = new BacnetCertificateInstaller(client, bacnet.PortNumber, directory),
                }, deviceHeld: true, stdout, stderr, cancellationToken),
                _ => ImportAsync(path, text, source, options, deviceHeld: true, stdout, stderr, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        if (bind is not null && bacnet is null)
        {
            stderr.WriteLine(
                "certlsp: warning: --bind is not used: the site's keys are local (key.source: local), so nothing is installed on the " +
                "devices");
            bind = null;
        }
        if (bind is null) return await ImportAsync(path, text, source, options, deviceHeld: bacnet is not null, stdout, stderr,
            cancellationToken).ConfigureAwait(false);
        return await DeviceConnection.RunAsync(bind, timeout, stderr, client =>
            ImportAsync(path, text, source, options with { DeviceTarget = new BacnetCertificateInstaller(client, bacnet!.PortNumber) },
                deviceHeld: true, stdout, stderr,
                cancellationToken)).ConfigureAwait(false);
    }

    private static async Task<int> ImportAsync(string path, string text, string source, ImportOptions options, bool deviceHeld,
        TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        foreach (var file in options.Issuers.Concat(options.RevocationLists))
        {
            if (!File.Exists(file))
            {
                stderr.WriteLine($"certlsp: {file}: no such file");
                return Program.CouldNotRun;
            }
        }
        ImportResult result;
        try
        {
            result = await CertificateImporter.RunAsync(path, text, source, options, cancellationToken: cancellationToken).ConfigureAwait(
                false);
        }
        catch (LedgerFormatException ex)
        {
            return CommandSupport.LedgerProblem(ex, stderr);
        }
        foreach (var warning in result.Warnings) stderr.WriteLine($"certlsp: warning: {warning}");
        if (result.State == ImportState.Refused)
        {
            stderr.WriteLine($"certlsp: {result.Refusal}");
            return Program.CouldNotRun;
        }
        foreach (var file in result.Files) stdout.WriteLine(
            $"  {Label(file.Verdict),-16} {file.Name}{(file.Device is null ? "" : $" ({file.Device})")}: {file.Reason}");
        foreach (var device in result.NewlyRevoked) stdout.WriteLine(
            $"  revoked          {device}: its certificate is on the CRL; recorded as revoked");
        stdout.WriteLine(
            $"Summary: {result.Count(FileVerdict.Accepted)} accepted, {result.Count(FileVerdict.AlreadyImported)} already imported, " +
            $"{result.Count(FileVerdict.Rejected)} rejected, {result.Count(FileVerdict.Skipped) + result.Count(FileVerdict.Issuer)} " +
            $"other files.");
        if (deviceHeld) ReportInstalls(result, options.DeviceTarget is not null, stdout);
        stdout.WriteLine(result.LedgerChanged ? $"Ledger updated: {DisplayPath.For(result.LedgerPath)}." : "Ledger unchanged.");
        return result.Count(FileVerdict.Rejected) > 0 || result.InstallCount(InstallState.Failed) > 0 ? Program.Findings : Program.Ok;
    }

    /// <summary>Device-held keys: a line per device an install was due for, then the count (or why nothing was installed).</summary>
    private static void ReportInstalls(ImportResult result, bool installing, TextWriter stdout)
    {
        if (!installing)
        {
            if (result.Installs.Length > 0)
                stdout.WriteLine(
                    $"Installs: {result.Installs.Length} certificate(s) wait to be installed on their devices (key.source: device): " +
                    $"installing needs --bind ADDR, the local address to talk BACnet/IP from. The ledger records them as install " +
                    $"pending; install them with certlsp install <manifest> --bind ADDR (or run the same import again with --bind).");
            return;
        }
        if (result.Installs.Length == 0)
        {
            stdout.WriteLine("Installs: none due (every certificate of this import is already installed on its device).");
            return;
        }
        InstallCommand.WriteInstalls(result.Installs, stdout);
    }

    private static string Label(FileVerdict verdict) => verdict switch
    {
        FileVerdict.Accepted => "accepted",
        FileVerdict.AlreadyImported => "already imported",
        FileVerdict.Rejected => "REJECTED",
        FileVerdict.Issuer => "issuer",
        _ => "skipped",
    };
}
