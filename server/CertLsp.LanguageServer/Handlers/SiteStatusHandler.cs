using System.Globalization;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Ledger;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>certlsp/siteStatus: every device with its certificate status, most urgent first (the core's StatusReport).</summary>
public sealed class SiteStatusHandler(ServerContext context)
{
    [JsonRpcMethod(CertLspCommands.SiteStatus, UseSingleObjectParameterDeserialization = true)]
    public SiteStatusResult SiteStatus(SiteStatusParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        cancellationToken.ThrowIfCancellationRequested();
        return Status(context, parameters.Uri);
    }

    public static SiteStatusResult Status(ServerContext context, string uri)
    {
        var snapshot = context.Workspace.Snapshot;
        var document = snapshot.Find(uri)?.Parsed ?? snapshot.Check.Document(uri)
            ?? throw new LocalRpcException($"the manifest {uri} is not open") { ErrorCode = ErrorCodes.InvalidParams };
        var diagnostics = snapshot.Check.ByPath.TryGetValue(document.Path, out var list) ? list : [];
        if (document.Manifest is not { } manifest) return new SiteStatusResult("", new SiteCounts(0, diagnostics.Length, 0, 0), []);
        var rows = StatusReport.For(manifest, document.Ledger ?? SiteLedger.Empty, DateTimeOffset.UtcNow);
        var byName = manifest.Devices.Where(d => d.Name is not null).GroupBy(d => d.Name!.Value).ToDictionary(g => g.Key, g => g.First());
        DeviceVerification? Verified(string device) => document.Ledger?.Find(device)?.Verification;
        var devices = rows.Select(r => new DeviceStatusResult(
            r.Device,
            r.CommonName,
            r.Status == CertificateStatus.Valid && r.ExpiresSoon ? "expiring" : r.Status.ToString().ToLowerInvariant(),
            LspConvert.Range(document.Lines, byName[r.Device].Name!.Span),
            r.NotAfter?.ToString("o", CultureInfo.InvariantCulture),
            r.DaysLeft,
            r.PendingSince?.ToString("o", CultureInfo.InvariantCulture),
            r.Install?.ToString().ToLowerInvariant(),
            r.InstallError,
            Verified(r.Device) is { } verified ? DeviceVerification.Name(verified.Result) : null,
            Verified(r.Device)?.Describe())).ToArray();
        return new SiteStatusResult(
            manifest.Site?.Value ?? "",
            new SiteCounts(manifest.Devices.Length, diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error),
                diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning), rows.Count(r => r.Status == CertificateStatus.Pending)),
            devices);
    }
}
