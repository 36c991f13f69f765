using System.Text.Json;
using CertLsp.Bacnet.Client;
using CertLsp.Core.Certificates;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Core.Requests;
using CertLsp.Devices;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>
/// workspace/executeCommand: generate CSRs (device-held keys read over BACnet), import certificates (installed on devices that hold
/// their keys when a bind address is set), show status, discover devices (<see cref="DiscoverDevicesHandler"/>) and install recorded
/// certificates (<see cref="InstallCertificatesHandler"/>). The work is the core's and the Devices bridge's (CsrRequester,
/// BacnetCsrSource, CertificateImporter, BacnetCertificateInstaller, StatusReport); this handler maps arguments, progress,
/// cancellation and results.
/// </summary>
public sealed class ExecuteCommandHandler(ServerContext context)
{
    private readonly DiscoverDevicesHandler discovery = new(context);
    private readonly InstallCertificatesHandler installs = new(context);

    [JsonRpcMethod(Methods.ExecuteCommand, UseSingleObjectParameterDeserialization = true)]
    public async Task<object?> ExecuteAsync(ExecuteCommandParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        var argument = parameters.Arguments is { Length: > 0 } args ? args[0] : default;
        switch (parameters.Command)
        {
            case CertLspCommands.GenerateCsrs:
                return await GenerateCsrsAsync(Arguments<GenerateCsrsArguments>(argument), parameters.WorkDoneToken, cancellationToken).ConfigureAwait(false);
            case CertLspCommands.ImportCertificates:
                return await ImportAsync(Arguments<ImportCertificatesArguments>(argument), parameters.WorkDoneToken, cancellationToken).ConfigureAwait(false);
            case CertLspCommands.DiscoverDevices:
                return await discovery.DiscoverAsync(Arguments<DiscoverDevicesArguments>(argument), parameters.WorkDoneToken, cancellationToken).ConfigureAwait(false);
            case CertLspCommands.InstallCertificates:
                return await installs.InstallAsync(Arguments<InstallCertificatesArguments>(argument), parameters.WorkDoneToken, cancellationToken).ConfigureAwait(false);
            case CertLspCommands.ShowStatus:
                var status = SiteStatusHandler.Status(context, Arguments<SiteStatusParams>(argument).Uri);
                await context.ShowMessageAsync(MessageType.Info, $"{status.Site}: {status.Counts.Devices} devices, {status.Devices.Count(d => d.Status == "valid")} valid, {status.Counts.Pending} pending, {status.Devices.Count(d => d.Status is "expired" or "expiring" or "revoked")} need attention").ConfigureAwait(false);
                return status;
            default:
                throw new LocalRpcException($"unknown command “{parameters.Command}”; this server runs {string.Join(", ", CertLspCommands.Server)}") { ErrorCode = ErrorCodes.InvalidParams };
        }
    }

    [JsonRpcMethod(CertLspCommands.WorkDoneProgressCancel, UseSingleObjectParameterDeserialization = true)]
    public void CancelProgress(WorkDoneProgressCancelParams parameters) => WorkDoneProgress.CancelFromClient(parameters.Token);

    private static T Arguments<T>(JsonElement argument)
    {
        try
        {
            if (argument.ValueKind == JsonValueKind.Object && argument.Deserialize<T>(CertLspServer.SerializerOptions()) is { } value) return value;
        }
        catch (JsonException ex)
        {
            throw new LocalRpcException($"invalid command arguments: {ex.Message}") { ErrorCode = ErrorCodes.InvalidParams };
        }
        throw new LocalRpcException($"the command takes one object argument ({typeof(T).Name})") { ErrorCode = ErrorCodes.InvalidParams };
    }

    private async Task<GenerateCsrsResult> GenerateCsrsAsync(GenerateCsrsArguments arguments, JsonElement? workDoneToken, CancellationToken cancellationToken)
    {
        var (path, text, _, parsed) = context.ParsedManifest(arguments.Uri);
        var options = new CsrRequestOptions
        {
            Devices = arguments.Scope == "devices" ? arguments.Devices ?? [] : null,
            Batch = arguments.Scope == "batch" ? arguments.Batch : null,
            Renew = arguments.Renew == true,
            Pending = arguments.Pending switch
            {
                "keep" => PendingPolicy.Keep,
                "overwrite" => PendingPolicy.Overwrite,
                null => PendingPolicy.Stop,
                var other => throw new LocalRpcException($"pending must be “keep” or “overwrite”, not “{other}”") { ErrorCode = ErrorCodes.InvalidParams },
            },
            Layout = arguments.Layout == "cari" ? ZipLayout.Cari : ZipLayout.Flat,
            Passphrase = Environment.GetEnvironmentVariable("CERTLSP_KEY_PASSPHRASE"),
        };
        // Device-held keys: each device's CSR is read over BACnet, from the editor's bind address (never a default one).
        var manifest = parsed.Manifest;
        BacnetClient? client = null;
        if (manifest is { Key.DeviceHeld: true })
        {
            var site = context.Bacnet.Site(path, manifest);
            try
            {
                client = context.Bacnet.ForDevices("Generate CSRs for devices that hold their keys (key.source: device)");
            }
            catch (BacnetSetupException ex)
            {
                await context.ShowMessageAsync(MessageType.Warning, ex.Message).ConfigureAwait(false);
                return new GenerateCsrsResult(0, 0, 0, [], $"No CSRs generated: {ex.Message}", Refusal: ex.Message);
            }
            options = options with { DeviceSource = new BacnetCsrSource(client, site.Port, (uint)site.GenerateCsrCommand) };
        }
        await using (client)
        {
            return await RequestAsync(path, text, options, workDoneToken, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<GenerateCsrsResult> RequestAsync(string path, string text, CsrRequestOptions options, JsonElement? workDoneToken, CancellationToken cancellationToken)
    {
        using var progress = await WorkDoneProgress.BeginAsync(context, workDoneToken, "Generating CSRs", cancellationToken).ConfigureAwait(false);
        var reporter = progress.For<CsrProgress>(p => ($"{p.Device}: {p.Outcome} ({p.Done}/{p.Total})", p.Done, p.Total));
        CsrRunResult run;
        try
        {
            run = await RunJobAsync(context, progress, "CSR generation", path, () => CsrRequester.RunAsync(path, text, options, reporter, progress.Token)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await progress.EndAsync("cancelled").ConfigureAwait(false);
            context.Workspace.LedgerChanged(LedgerFile.PathFor(path));
            const string cancelled = "CSR generation cancelled; what was finished is recorded, run it again to complete the job.";
            await context.ShowMessageAsync(MessageType.Warning, cancelled).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested) throw;
            return new GenerateCsrsResult(0, 0, 0, [], cancelled, Cancelled: true);
        }
        context.Workspace.LedgerChanged(run.LedgerPath);
        GenerateCsrsResult result = run.State switch
        {
            CsrRunState.PendingConflict => new GenerateCsrsResult(0, 0, 0, [], $"{run.Pending.Length} device(s) have a pending CSR: choose keep or overwrite.", true, [.. run.Pending.Select(p => p.Device)]),
            CsrRunState.Refused => new GenerateCsrsResult(0, 0, 0, [], $"No CSRs generated: {run.Refusal}", Refusal: run.Refusal),
            _ => new GenerateCsrsResult(run.Requested, run.NoActionTaken, run.Failed, [.. run.Zips.Select(z => z.Path)],
                $"CSRs: {run.Requested} requested, {run.NoActionTaken} no action taken, {run.Failed} failed, in {run.Zips.Length} zip(s){(run.Zips.IsEmpty ? "" : ": " + string.Join(", ", run.Zips.Select(z => z.FileName)))}{(run.NotDue > 0 ? $"; {run.NotDue} with a valid certificate not requested" : "")}."),
        };
        await progress.EndAsync(result.Message).ConfigureAwait(false);
        if (run.State != CsrRunState.PendingConflict) // the client asks keep-or-overwrite itself: no second message
        {
            await context.ShowMessageAsync(run.State == CsrRunState.Done && run.Failed == 0 ? MessageType.Info : MessageType.Warning, result.Message).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>
    /// Runs a command's job in the core under its progress and answers the failures every command shares: a ledger that cannot be
    /// trusted ends the progress "refused" and fails the request; a full disk or a read-only folder is reported
    /// (<see cref="WriteFailedAsync"/>). What a cancelled job leaves is each command's to say.
    /// </summary>
    internal static async Task<T> RunJobAsync<T>(ServerContext context, WorkDoneProgress progress, string what, string manifestPath, Func<Task<T>> job)
    {
        try
        {
            return await job().ConfigureAwait(false);
        }
        catch (LedgerFormatException ex)
        {
            await progress.EndAsync("refused").ConfigureAwait(false);
            throw new LocalRpcException($"the ledger cannot be trusted: {ex.Message}") { ErrorCode = ErrorCodes.RequestFailed };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw await WriteFailedAsync(context, what, manifestPath, ex, progress).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A full disk or a read-only folder stopped a command: every write is atomic, so what was finished is recorded and nothing
    /// is half-written. The user is told (an error message and the request's error), the ledger is re-read, the server serves on.
    /// </summary>
    internal static async Task<LocalRpcException> WriteFailedAsync(ServerContext context, string what, string manifestPath, Exception ex, WorkDoneProgress progress)
    {
        await progress.EndAsync("failed").ConfigureAwait(false);
        context.Workspace.LedgerChanged(LedgerFile.PathFor(manifestPath));
        string message = $"{what} stopped: {ex.Message}. What was finished is recorded and nothing half-written was left; run it again once the disk has room or the folder is writable.";
        await context.ShowMessageAsync(MessageType.Error, message).ConfigureAwait(false);
        return new LocalRpcException(message) { ErrorCode = ErrorCodes.RequestFailed };
    }

    private async Task<ImportCertificatesResult> ImportAsync(ImportCertificatesArguments arguments, JsonElement? workDoneToken, CancellationToken cancellationToken)
    {
        var (path, text, _, parsed) = context.ParsedManifest(arguments.Uri);
        if (string.IsNullOrEmpty(arguments.Path)) throw new LocalRpcException("“path” (the zip or folder the CA sent) is required") { ErrorCode = ErrorCodes.InvalidParams };
        var options = new ImportOptions
        {
            Issuers = [.. (arguments.Issuers ?? []).Select(Path.GetFullPath)],
            Passphrase = Environment.GetEnvironmentVariable("CERTLSP_KEY_PASSPHRASE"),
        };
        // Device-held keys: accepted certificates are installed from the editor's bind address; without one they stay install pending.
        var manifest = parsed.Manifest;
        bool deviceHeld = manifest is { Key.DeviceHeld: true };
        BacnetClient? client = null;
        string? noInstall = null;
        if (deviceHeld)
        {
            try
            {
                (client, var target) = installs.Target(path, manifest!, "Installing the certificates on devices that hold their keys (key.source: device)");
                options = options with { DeviceTarget = target };
            }
            catch (BacnetSetupException ex)
            {
                noInstall = ex.Message;
            }
        }
        await using var connection = client; // closed however the request ends, a cancelled progress set-up included
        using var progress = await WorkDoneProgress.BeginAsync(context, workDoneToken, "Importing certificates", cancellationToken).ConfigureAwait(false);
        var reporter = progress.For<ImportProgress>(p => ($"{p.File}: {p.Verdict}", p.Done, p.Total));
        options = options with { InstallProgress = InstallCertificatesHandler.Progress(progress) };
        ImportResult run;
        try
        {
            run = await RunJobAsync(context, progress, "The import", path,
                () => CertificateImporter.RunAsync(path, text, Path.GetFullPath(arguments.Path), options, reporter, progress.Token)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await progress.EndAsync("cancelled").ConfigureAwait(false);
            throw;
        }
        if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        context.Workspace.LedgerChanged(run.LedgerPath);
        int imported = run.Count(FileVerdict.Accepted), rejected = run.Count(FileVerdict.Rejected);
        var summary = deviceHeld && run.Refusal is null ? InstallCertificatesHandler.Summary(run.Installs) : null;
        string message = run.Refusal is { } refusal
            ? $"Nothing imported: {refusal}"
            : $"Certificates: {imported} imported, {run.Count(FileVerdict.AlreadyImported)} already imported, {rejected} rejected.";
        bool attention = rejected > 0 || run.Refusal is not null;
        if (summary is { Devices.Length: > 0 })
        {
            message += " " + (options.DeviceTarget is null
                ? $"{summary.Pending} certificate(s) wait to be installed on their devices (key.source: device), recorded as install pending: {noInstall} Then {InstallCertificatesHandler.InstallLater}."
                : InstallCertificatesHandler.Describe(summary, run.InstallsCancelled));
            attention |= InstallCertificatesHandler.NeedsAttention(summary, run.InstallsCancelled);
            foreach (var device in summary.Devices.Where(d => d.State != "installed")) context.Log($"import {arguments.Uri}: install {device.Device}: {device.State}: {device.Detail}");
        }
        await progress.EndAsync(message).ConfigureAwait(false);
        await context.ShowMessageAsync(attention ? MessageType.Warning : MessageType.Info, message).ConfigureAwait(false);
        if (run.InstallsCancelled && cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
        return new ImportCertificatesResult(imported, rejected, message,
            [.. run.Files.Select(f => new ImportedFileResult(f.Name, f.Verdict.ToString().ToLowerInvariant(), f.Reason, f.Device))], run.Refusal, summary, run.InstallsCancelled);
    }
}
