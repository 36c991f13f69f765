using System.Text.Json;
using CertLsp.Bacnet.Client;
using CertLsp.Core.Checking;
using CertLsp.Core.Editing;
using CertLsp.Core.Text;
using CertLsp.Devices;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Commands;

/// <summary>
/// certlsp.discoverDevices: Who-Is from the editor's bind address (or through the site's hub as the tool, when the manifest's tool
/// reaches the devices over BACnet/SC: “tool.datalink: sc”), each answering device's
/// identity, compared with the manifest (Devices: SiteDiscovery, DiscoveryComparison); the core's edits (DiscoveredDevices) sent
/// with workspace/applyEdit; a summary with window/showMessage. This handler maps settings, progress, cancellation and results.
/// </summary>
public sealed class DiscoverDevicesCommand : ServerCommand<DiscoverDevicesArguments, DiscoverDevicesResult>
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(3);

    public override string Name => CertLspCommands.DiscoverDevices;

    public override async Task<DiscoverDevicesResult> ExecuteAsync(ServerContext context, DiscoverDevicesArguments arguments,
        JsonElement? workDoneToken, CancellationToken cancellationToken)
    {
        var (path, _, _, parsed) = context.ParsedManifest(arguments.Uri);
        if (parsed.Manifest is not { } manifest) return await RefuseAsync(context,
            "the manifest's YAML cannot be read: fix it first (see the Problems)").ConfigureAwait(false);
        var site = context.Bacnet.Site(path, manifest);
        bool overSc = ToolOnHub.Reaches(manifest);
        BacnetClient? client = null;
        if (!overSc)
        {
            try
            {
                client = context.Bacnet.ForDiscovery(manifest, site);
            }
            catch (BacnetSetupException ex)
            {
                return await RefuseAsync(context, ex.Message).ConfigureAwait(false);
            }
        }
        await using var connection = client; // closed however the request ends, a cancelled progress set-up included

        var wait = arguments.Timeout is { } seconds && double.IsFinite(seconds) ? TimeSpan.FromSeconds(Math.Clamp(seconds, 0.1, 60))
            : DefaultWait;
        using var progress = await WorkDoneProgress.BeginAsync(context, workDoneToken, "Discovering devices",
            cancellationToken).ConfigureAwait(false);
        var reporter = progress.For<DiscoveryProgress>(p => ($"{p.Answered} device(s) answered; read {p.Read}", p.Read, p.Answered));
        async Task<IReadOnlyList<DiscoveryRow>?> Discover(BacnetClient on)
        {
            progress.Report($"Who-Is{(overSc ? " through the hub" : "")}: waiting {wait.TotalSeconds:0.#} s for answers", 0, 1);
            return await SiteDiscovery.RunAsync(on, wait, null, progress.Token, reporter).ConfigureAwait(false);
        }
        string? notReached = null;
        IReadOnlyList<DiscoveryRow>? found;
        try
        {
            // Over BACnet/SC the tool joins the manifest's hub (its key read from the key folder: off the message loop).
            found = !overSc ? await Discover(client!).ConfigureAwait(false) : await Task.Run(() => ToolOnHub.RunAsync(path, manifest,
                progress, findDevices: false, (hub, _) => Discover(hub), why =>
                {
                    notReached = why;
                    return Task.FromResult<IReadOnlyList<DiscoveryRow>?>(null);
                }), CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            const string cancelled = "Device discovery cancelled; the manifest was not changed.";
            await progress.EndAsync("cancelled").ConfigureAwait(false);
            await context.ShowMessageAsync(MessageType.Warning, cancelled).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested) throw;
            return new DiscoverDevicesResult(0, [], [], [], [], false, cancelled, Cancelled: true);
        }
        if (found is not { } rows)
        {
            await progress.EndAsync("refused").ConfigureAwait(false);
            return await RefuseAsync(context, $"Discover devices: {ToolOnHub.NotReached(notReached!)}. No Who-Is was sent.")
                .ConfigureAwait(false);
        }
        if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false); // the socket is not needed for the edit

        // Compared with, and edited as, the manifest as it is now: the engineer may have typed while the devices answered.
        var (uri, current, version, now) = Current(context, arguments.Uri, parsed);
        var comparison = DiscoveryComparison.Of(now.Manifest is { } edited ? context.Bacnet.Site(path, edited) : site, rows);
        var edits = DiscoveredDevices.Edits(now, comparison.Found, comparison.Moved);
        foreach (var line in comparison.Missing.Concat(comparison.Differences)) context.Log($"discover {uri}: {line}");

        WorkspaceEdit? edit = null;
        bool applied = false;
        string? failure = edits.Refusal;
        if (!edits.IsEmpty)
        {
            edit = Edit(uri, version, new LineIndex(current), edits);
            try
            {
                var answer = await context.Rpc.Request<ApplyWorkspaceEditResult?>(Methods.ApplyEdit,
                    new ApplyWorkspaceEditParams("Discover devices", edit), cancellationToken).ConfigureAwait(false);
                applied = answer?.Applied == true;
                if (!applied) failure = $"the editor did not apply the edit{(answer?.FailureReason is { } reason ? $": {reason}" : "")}";
            }
            catch (RemoteRpcException ex)
            {
                failure = $"the editor cannot apply edits (workspace/applyEdit: {ex.Message})";
            }
        }
        string message = Summary(rows.Count, edits, comparison, failure);
        await progress.EndAsync(message).ConfigureAwait(false);
        await context.ShowMessageAsync(failure is null && comparison.Missing.Count == 0 ? MessageType.Info : MessageType.Warning,
            message).ConfigureAwait(false);
        return new DiscoverDevicesResult(rows.Count, [.. edits.Added], [.. edits.Updated], [.. comparison.Missing],
            [.. comparison.Differences], applied, message, edit, edits.Refusal);
    }

    private static async Task<DiscoverDevicesResult> RefuseAsync(ServerContext context, string why)
    {
        await context.ShowMessageAsync(MessageType.Warning, why).ConfigureAwait(false);
        return new DiscoverDevicesResult(0, [], [], [], [], false, why, Refusal: why);
    }

    /// <summary>The manifest's URI, text, version and reading now: the open buffer, else the file (else the reading before).</summary>
    private static (string Uri, string Text, int? Version, ManifestDocument Parsed) Current(ServerContext context, string uri,
        ManifestDocument before)
    {
        try
        {
            var (_, text, version, parsed) = context.ParsedManifest(uri);
            return (uri, text, version, parsed);
        }
        catch (LocalRpcException)
        {
            return (uri, before.Text, null, before); // the file went away meanwhile
        }
    }

    private static WorkspaceEdit Edit(string uri, int? version, LineIndex lines, DiscoveryEdits edits)
    {
        TextEdit[] lsp = [.. edits.Edits.Select(e => new TextEdit(LspConvert.Range(lines, e.Span), e.NewText))];
        return new WorkspaceEdit(new Dictionary<string, TextEdit[]> { [uri] = lsp },
            [new TextDocumentEdit(new OptionalVersionedTextDocumentIdentifier(uri, version), lsp)]);
    }

    private static string Summary(int answered, DiscoveryEdits edits, DiscoveryComparison comparison, string? failure)
    {
        static string Names(IReadOnlyCollection<string> names) => names.Count == 0 ? ""
            : $" ({string.Join(", ", names.Take(5))}{(names.Count > 5 ? $" and {names.Count - 5} more" : "")})";
        string text =
            $"Discover devices: {answered} answered; {edits.Added.Length} added{Names(edits.Added)}, {edits.Updated.Length} address(es) " +
            $"updated{Names(edits.Updated)}, {comparison.Silent.Count} did not answer{Names(comparison.Silent)}";
        if (comparison.OtherDifferences > 0) text += $", {comparison.OtherDifferences} other difference(s) (see the CertLsp log)";
        return failure is null ? text + "." : $"{text}. The manifest was not changed: {failure}.";
    }
}
