using System.Text.Json;
using CertLsp.Bacnet.Client;
using CertLsp.Devices;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Requests;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Commands;

/// <summary>
/// certlsp.generateCsrs: the core's CsrRequester over the manifest (the open buffer when it is open), device-held keys read over
/// BACnet (the Devices bridge's BacnetCsrSource) from the editor's bind address; progress, cancellation and the result mapped here.
/// </summary>
public sealed class GenerateCsrsCommand : ServerCommand<GenerateCsrsArguments, GenerateCsrsResult>
{
    public override string Name => CertLspCommands.GenerateCsrs;

    public override async Task<GenerateCsrsResult> ExecuteAsync(ServerContext context, GenerateCsrsArguments arguments,
        JsonElement? workDoneToken, CancellationToken cancellationToken)
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
                var other => throw new LocalRpcException($"pending must be “keep” or “overwrite”, not “{other}”")
                {
                    ErrorCode =
                    ErrorCodes.InvalidParams
                },
            },
            Layout = arguments.Layout == "cari" ? ZipLayout.Cari : ZipLayout.Flat,
            Passphrase = KeyStore.PassphraseFromEnvironment(),
        };
        // Device-held keys: each device's CSR is read over BACnet, from the editor's bind address (never a default one), or over
        // BACnet/SC through the site's hub when the manifest's tool reaches the devices so.
        var manifest = parsed.Manifest;
        BacnetClient? client = null;
        if (manifest is { Key.DeviceHeld: true } && ToolOnHub.Reaches(manifest))
        {
            var site = context.Bacnet.Site(path, manifest);
            return await RequestAsync(context, path, text, options, workDoneToken, cancellationToken, (progress, request) =>
                ToolOnHub.RunAsync(path, manifest, progress, findDevices: true, (hub, directory) => request(options with
                {
                    DeviceSource = new BacnetCsrSource(hub, site.Port, (uint)site.GenerateCsrCommand, directory),
                }, null), why => request(options with { DeviceSource = new UnreachableCsrSource(why) }, why)))
                .ConfigureAwait(false);
        }
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
            return await RequestAsync(context, path, text, options, workDoneToken, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The request under progress; with <paramref name="over"/> the request runs inside it (the tool on the hub), with the
    /// options it gives and, when the devices were not reached, why.</summary>
    private static async Task<GenerateCsrsResult> RequestAsync(ServerContext context, string path, string text, CsrRequestOptions options,
        JsonElement? workDoneToken, CancellationToken cancellationToken, Func<WorkDoneProgress,
            Func<CsrRequestOptions, string?, Task<CsrRunResult>>, Task<CsrRunResult>>? over = null)
    {
        using var progress = await WorkDoneProgress.BeginAsync(context, workDoneToken, "Generating CSRs", cancellationToken).ConfigureAwait(
            false);
        var reporter = progress.For<CsrProgress>(p => ($"{p.Device}: {p.Outcome} ({p.Done}/{p.Total})", p.Done, p.Total));
        string? notReached = null;
        Task<CsrRunResult> Request(CsrRequestOptions chosen, string? why)
        {
            notReached = why;
            return CsrRequester.RunAsync(path, text, chosen, reporter, progress.Token);
        }
        CsrRunResult run;
        try
        {
            run = await CommandJobs.RunAsync(context, progress, "CSR generation", path, () =>
                over is null ? Request(options, null) : over(progress, Request)).ConfigureAwait(false);
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
            CsrRunState.PendingConflict => new GenerateCsrsResult(0, 0, 0, [],
                $"{run.Pending.Length} device(s) have a pending CSR: choose keep or overwrite.", true,
                [.. run.Pending.Select(p => p.Tool ? $"tool {p.Device}" : p.Device)]),
            CsrRunState.Refused => new GenerateCsrsResult(0, 0, 0, [], $"No CSRs generated: {run.Refusal}", Refusal: run.Refusal),
            _ => new GenerateCsrsResult(run.Requested, run.NoActionTaken, run.Failed, [.. run.Zips.Select(z => z.Path)],
                $"CSRs: {run.Requested} requested, {run.NoActionTaken} no action taken, {run.Failed} failed, in {run.Zips.Length} zip(s)" +
                    $"{(run.Zips.IsEmpty ? "" : ": " + string.Join(", ", run.Zips.Select(z => z.FileName)))}" +
                    $"{(run.NotDue > 0 ? $"; {run.NotDue} with a valid certificate not requested" : "")}." +
                    (notReached is null ? "" : $" The devices were not reached over BACnet/SC: {notReached}.")),
        };
        await progress.EndAsync(result.Message).ConfigureAwait(false);
        if (run.State != CsrRunState.PendingConflict) // the client asks keep-or-overwrite itself: no second message
        {
            await context.ShowMessageAsync(run.State == CsrRunState.Done && run.Failed == 0 ? MessageType.Info : MessageType.Warning,
                result.Message).ConfigureAwait(false);
        }
        return result;
    }
}
