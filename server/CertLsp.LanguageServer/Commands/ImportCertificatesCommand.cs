using System.Text.Json;
using CertLsp.Bacnet.Client;
using CertLsp.Devices;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Certificates;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Commands;

/// <summary>
/// certlsp.importCertificates: the core's CertificateImporter over the CA's zip or folder; for devices that hold their keys the
/// accepted certificates are installed from the editor's bind address, or over BACnet/SC through the site's hub when the manifest's
/// tool reaches the devices so (“tool.datalink: sc”); without either they stay install pending.
/// </summary>
public sealed class ImportCertificatesCommand : ServerCommand<ImportCertificatesArguments, ImportCertificatesResult>
{
    public override string Name => CertLspCommands.ImportCertificates;

    public override async Task<ImportCertificatesResult> ExecuteAsync(ServerContext context, ImportCertificatesArguments arguments,
        JsonElement? workDoneToken, CancellationToken cancellationToken)
    {
        var (path, text, _, parsed) = context.ParsedManifest(arguments.Uri);
        if (arguments.Path.Length == 0) throw new LocalRpcException("“path” (the zip or folder the CA sent) is required")
        {
            ErrorCode =
            ErrorCodes.InvalidParams
        };
        var options = new ImportOptions
        {
            Issuers = [.. (arguments.Issuers ?? []).Select(Path.GetFullPath)],
            Passphrase = KeyStore.PassphraseFromEnvironment(),
        };
        // Device-held keys: accepted certificates are installed from the editor's bind address, or over BACnet/SC through the site's
        // hub when the manifest's tool reaches the devices so; without either they stay install pending.
        var manifest = parsed.Manifest;
        bool deviceHeld = manifest is { Key.DeviceHeld: true };
        bool overSc = deviceHeld && ToolOnHub.Reaches(manifest!);
        BacnetClient? client = null;
        string? noInstall = null;
        if (deviceHeld && !overSc)
        {
            try
            {
                (client, var target) = DeviceInstalls.Target(context, path, manifest!,
                    "Installing the certificates on devices that hold their keys (key.source: device)");
                options = options with { DeviceTarget = target };
            }
            catch (BacnetSetupException ex)
            {
                noInstall = ex.Message;
            }
        }
        await using var connection = client; // closed however the request ends, a cancelled progress set-up included
        using var progress = await WorkDoneProgress.BeginAsync(context, workDoneToken, "Importing certificates",
            cancellationToken).ConfigureAwait(false);
        var reporter = progress.For<ImportProgress>(p => ($"{p.File}: {p.Verdict}", p.Done, p.Total));
        options = options with { InstallProgress = DeviceInstalls.Progress(progress) };
        bool installing = options.DeviceTarget is not null;
        Task<ImportResult> Import(ImportOptions chosen) =>
            CertificateImporter.RunAsync(path, text, Path.GetFullPath(arguments.Path), chosen, reporter, progress.Token);
        ImportResult run;
        try
        {
            run = await CommandJobs.RunAsync(context, progress, "The import", path, () => !overSc ? Import(options)
                : ToolOnHub.RunAsync(path, manifest!, progress, findDevices: true, (hub, directory) =>
                {
                    installing = true;
                    return Import(options with
                    {
                        DeviceTarget = new BacnetCertificateInstaller(hub, context.Bacnet.Site(path, manifest!).Port, directory),
                    });
                }, why =>
                {
                    noInstall = $"{ToolOnHub.NotReached(why)}.";
                    return Import(options);
                })).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await progress.EndAsync("cancelled").ConfigureAwait(false);
            throw;
        }
        if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        context.Workspace.LedgerChanged(run.LedgerPath);
        int imported = run.Count(FileVerdict.Accepted), rejected = run.Count(FileVerdict.Rejected);
        var summary = deviceHeld && run.Refusal is null ? DeviceInstalls.Summary(run.Installs) : null;
        string message = run.Refusal is { } refusal
            ? $"Nothing imported: {refusal}"
            : $"Certificates: {imported} imported, {run.Count(FileVerdict.AlreadyImported)} already imported, {rejected} rejected.";
        bool attention = rejected > 0 || run.Refusal is not null;
        if (summary is { Devices.Length: > 0 })
        {
            message += " " + (!installing
                ? $"{summary.Pending} certificate(s) wait to be installed on their devices (key.source: device), recorded as install " +
                    $"pending: {noInstall} Then {DeviceInstalls.InstallLater}."
                : DeviceInstalls.Describe(summary, run.InstallsCancelled));
            attention |= DeviceInstalls.NeedsAttention(summary, run.InstallsCancelled);
            foreach (var device in summary.Devices.Where(d => d.State != "installed")) context.Log(
                $"import {arguments.Uri}: install {device.Device}: {device.State}: {device.Detail}");
        }
        await progress.EndAsync(message).ConfigureAwait(false);
        await context.ShowMessageAsync(attention ? MessageType.Warning : MessageType.Info, message).ConfigureAwait(false);
        if (run.InstallsCancelled && cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
        return new ImportCertificatesResult(imported, rejected, message,
            [.. run.Files.Select(f => new ImportedFileResult(f.Name, f.Verdict.ToString().ToLowerInvariant(), f.Reason, f.Device))],
                run.Refusal, summary, run.InstallsCancelled);
    }
}
