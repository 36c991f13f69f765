using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Yaml;
using CertLsp.Workflows.Certificates;
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

/// <summary>The commissioning tool on the hub: its client, and what holds its key (released after the client), for the run to
/// dispose.</summary>
public sealed record ToolSession(BacnetClient Client, IDisposable? Credentials = null) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        Credentials?.Dispose();
    }
}

/// <summary>Connects the commissioning tool to the hub (its own key and certificate), for the run to use and dispose.</summary>
public delegate Task<ToolSession> ToolConnect(SiteVerificationOptions options, CancellationToken cancellationToken);

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

    // verify reads an empty value as no hub (the tool's connection refuses it as not wss://).
    private static Uri? Hub(YamlScalar? value, string key) =>
        value is null || value.Value.Length == 0 ? null : Settings(() => ScSiteSettings.HubUri(value, key));

    private static ImmutableArray<X509Certificate2> Issuers(string folder, ImmutableArray<YamlScalar> paths, string key) =>
        [.. Settings(() => ScSiteSettings.ReadIssuers(folder, paths, key))];

    /// <summary>What the manifest says, or why not as a <see cref="SiteVerificationException"/> (verify could not run).</summary>
    private static T Settings<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (BacnetSetupException e)
        {
            throw new SiteVerificationException(e.Message);
        }
    }

    /// <summary>The tool as <paramref name="manifest"/> names it (<see cref="ScToolConnection"/>: its certificate and key from the
    /// ledger, bundle and key folder) joined to the hub; what stops it is a <see cref="SiteVerificationException"/> (could not run).
    /// The manifest is the one being verified (the editor's open buffer, the file the CLI read), never read again.</summary>
    public static ToolConnect AsTool(string manifestPath, SiteManifest manifest, string? passphrase, double timeoutSeconds) =>
        async (_, cancellationToken) =>
    {
        ScToolCredentials? credentials = null;
        try
        {
            credentials = ScToolConnection.Load(manifestPath, manifest, passphrase);
            var client = await ScToolConnection.ConnectAsync(credentials, timeoutSeconds, cancellationToken).ConfigureAwait(false);
            return new ToolSession(client, credentials);
        }
        catch (BacnetSetupException e)
        {
            credentials?.Dispose();
            throw new SiteVerificationException(e.Message);
        }
    };

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
        var session = await connect(options, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<DeviceVerificationReport> reports;
        await using (session.ConfigureAwait(false))
        {
            reports = await SiteVerification.RunAsync(session.Client, targets, options, progress, cancellationToken)
                .ConfigureAwait(false);
        }
        var problem = VerificationLedger.Record(manifestPath, reports, DateTimeOffset.UtcNow);
        return new SiteVerificationOutcome(reports, problem);
    }
}
