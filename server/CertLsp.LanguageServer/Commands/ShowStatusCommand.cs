using System.Text.Json;
using CertLsp.LanguageServer.Handlers;
using CertLsp.LanguageServer.Protocol;

namespace CertLsp.LanguageServer.Commands;

/// <summary>certlsp.showStatus (the device lenses' command): the site's status as certlsp/siteStatus answers it, and a one-line
/// summary.</summary>
public sealed class ShowStatusCommand : ServerCommand<SiteStatusParams, SiteStatusResult>
{
    public override string Name => CertLspCommands.ShowStatus;

    public override async Task<SiteStatusResult> ExecuteAsync(ServerContext context, SiteStatusParams arguments,
        JsonElement? workDoneToken, CancellationToken cancellationToken)
    {
        var status = SiteStatusHandler.Status(context, arguments.Uri);
        await context.ShowMessageAsync(MessageType.Info,
            $"{status.Site}: {status.Counts.Devices} devices, {status.Devices.Count(d => d.Status == "valid")} valid, " +
            $"{status.Counts.Pending} pending, {status.Devices.Count(d => d.Status is "expired" or "expiring" or "revoked")} need " +
            $"attention").ConfigureAwait(false);
        return status;
    }
}
