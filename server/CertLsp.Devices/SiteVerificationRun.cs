using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Yaml;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;

namespace CertLsp.Devices;

/// <summary>Why a verification could not run at all (no hub in the manifest, no issuer, the tool could not connect): exit code 2.
/// </summary>
public sealed class SiteVerificationException(string message) : Exception(message);

/// <summary>What a verification run found, and why the ledger was not updated (null when it was).</summary>
public sealed record SiteVerificationOutcome(IReadOnlyList<DeviceVerificationReport> Reports, string? LedgerProblem)
{
    public bool AllJoined => SiteVerification.AllJoined(Reports);
}

/// <summary>Connects the commissioning tool to the hub (its own key and certificate), for the run to use and dispose.</summary>
public delegate Task<BacnetClient> ToolConnect(SiteVerificationOptions options, CancellationToken cancellationToken);

/// <summary>
/// One <c>certlsp verify</c>, the same for the CLI and the editor: the manifest's hubs and issuers, the ledger's recorded certificates
/// and the key store's local keys (<see cref="VerificationLedger.Targets"/>), the tool connected to the hub, <see
/// cref="SiteVerification"/>, and the result recorded in the ledger.
/// </summary>
public static class SiteVerificationRun
{
    /// <summary>The hubs of “bacnet.secureConnect”, the hub verifier (the tool's “issuers”, else “ca.issuers”) and the site's issuers
    /// for the devices' certificates; throws <see cref="SiteVerificationException"/> when the manifest does not say them.</summary>
    public static SiteVerificationOptions Options(string manifestPath, SiteManifest manifest, double timeoutSeconds)
    {
        if (manifest.Bacnet.SecureConnect is not { } sc)
            throw new SiteVerificationException("the manifest has no “bacnet.secureConnect” section: there is no hub to verify against");
        var primary = Hub(sc.PrimaryHub, "primaryHub") ?? throw new SiteVerificationException(
            "the manifest names no “bacnet.secureConnect.primaryHub”");
        var folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var siteIssuers = Issuers(folder, manifest.Ca.Issuers, "ca.issuers");
        var hubIssuers = sc.Tool is { IssuersPair: not null } tool ? Issuers(folder, tool.Issuers, "bacnet.secureConnect.tool.issuers")
            : siteIssuers;
        if (hubIssuers.IsEmpty)
            throw new SiteVerificationException("no issuer certificate to verify the hub with (“ca.issuers” or the tool's “issuers”)");
        return new SiteVerificationOptions
        {
            PrimaryHub = primary,
            FailoverHub = Hub(sc.FailoverHub, "failoverHub"),
            VerifyHub = new ScPeerVerifier(hubIssuers).CheckHub,
            Issuers = !siteIssuers.IsEmpty ? new ScPeerVerifier(siteIssuers) : null,
            WhoIsWait = TimeSpan.FromSeconds(timeoutSeconds),
            ConnectWait = sc.ConnectWait,
        };
    }

    private static Uri? Hub(YamlScalar? value, string key)
    {
        if (value is null || value.Value.Length == 0) return null;
        return Uri.TryCreate(value.Value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeWss ? uri
            : throw new SiteVerificationException($"“bacnet.secureConnect.{key}” “{value.Value}” is not a wss:// URI");
    }

    private static ImmutableArray<X509Certificate2> Issuers(string folder, ImmutableArray<YamlScalar> paths, string key)
    {
        var issuers = ImmutableArray.CreateBuilder<X509Certificate2>();
        foreach (var value in paths)
        {
            var path = ManifestPaths.Resolve(folder, value.Value);
            try
            {
                issuers.AddRange(CertificateFiles.ReadAll(File.ReadAllBytes(path)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                throw new SiteVerificationException($"the issuer certificate {path} ({key}) cannot be read: {e.Message}");
            }
        }
        return issuers.ToImmutable();
    }

    /// <summary>Verifies every device of the manifest and records the result in the ledger. Throws
    /// <see cref="SiteVerificationException"/> when it cannot run, <see cref="LedgerFormatException"/> for a ledger that cannot be
    /// trusted (left as it is), <see cref="OperationCanceledException"/> when cancelled (nothing recorded).</summary>
    /// <param name="passphrase">The key store's passphrase (<see cref="KeyStore.PassphraseVariable"/>), for local keys.</param>
    public static async Task<SiteVerificationOutcome> RunAsync(string manifestPath, SiteManifest manifest, double timeoutSeconds,
        string? passphrase, ToolConnect connect, IProgress<VerificationProgress>? progress, CancellationToken cancellationToken)
    {
        var ledger = LedgerFile.Load(LedgerFile.PathFor(manifestPath));
        var options = Options(manifestPath, manifest, timeoutSeconds);
        var targets = VerificationLedger.Targets(manifestPath, manifest, ledger, passphrase);
        var client = await connect(options, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<DeviceVerificationReport> reports;
        await using (client.ConfigureAwait(false))
        {
            reports = await SiteVerification.RunAsync(client, targets, options, progress, cancellationToken).ConfigureAwait(false);
        }
        var problem = VerificationLedger.Record(manifestPath, reports, DateTimeOffset.UtcNow);
        return new SiteVerificationOutcome(reports, problem);
    }
}
