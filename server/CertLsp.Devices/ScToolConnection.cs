using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Core.Certificates;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;

namespace CertLsp.Devices;

/// <summary>
/// What the commissioning tool joins a site's BACnet/SC hub with, read from the site: its certificate (the one its ledger tool block
/// records, from its bundle) with its private key (from the key store), the hubs and timings of “bacnet.secureConnect”, and the
/// issuer certificates the hub's certificate is verified against (the tool's own “issuers”, else the site's “ca.issuers”).
/// Dispose it to release the key.
/// </summary>
/// <param name="Certificate">The tool's operational certificate, with its private key.</param>
/// <param name="Name">The tool's name (“bacnet.secureConnect.tool.name”).</param>
public sealed record ScToolCredentials(X509Certificate2 Certificate, Uri PrimaryHub, Uri? FailoverHub,
    IReadOnlyList<X509Certificate2> Issuers, string Name, TimeSpan ConnectWait, TimeSpan Heartbeat, TimeSpan MinimumReconnect,
    TimeSpan MaximumReconnect) : IDisposable
{
    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var issuer in Issuers) issuer.Dispose();
    }
}

/// <summary>
/// The commissioning tool's end of BACnet/SC, the same for the command line and the editor: <see cref="Load"/> reads the tool's
/// credentials from the site (never the operating system's certificate store), <see cref="ConnectAsync"/> joins a hub with them and
/// gives a <see cref="BacnetClient"/> on that connection, so the device workflows run over SC as they do over BACnet/IP.
/// </summary>
public static class ScToolConnection
{
    /// <summary>
    /// The tool's credentials from the manifest at <paramref name="manifestPath"/>, its ledger, its key folder and its bundle folder.
    /// Throws <see cref="BacnetSetupException"/> saying what is missing: no “bacnet.secureConnect” or tool, a hub that is not wss://,
    /// no issued certificate (or an expired or revoked one) in the tool's ledger block, its bundle or key file, the issuers.
    /// </summary>
    /// <param name="passphrase">The key folder's passphrase, when its keys are encrypted (CERTLSP_KEY_PASSPHRASE in the CLI).</param>
    public static ScToolCredentials Load(string manifestPath, string? passphrase = null, TimeProvider? clock = null)
    {
        manifestPath = Path.GetFullPath(manifestPath);
        string text;
        try
        {
            text = File.ReadAllText(manifestPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BacnetSetupException($"cannot read {manifestPath}: {e.Message}");
        }
        if (ManifestDocument.Parse(manifestPath, text).Manifest is not { } manifest)
            throw new BacnetSetupException($"{manifestPath} cannot be read as a site manifest (run certlsp check)");
        return Load(manifestPath, manifest, passphrase, clock);
    }

    /// <summary>As <see cref="Load(string, string?, TimeProvider?)"/> with the manifest already read (the editor's open buffer).
    /// </summary>
    public static ScToolCredentials Load(string manifestPath, SiteManifest manifest, string? passphrase, TimeProvider? clock = null)
    {
        manifestPath = Path.GetFullPath(manifestPath);
        if (manifest.Bacnet.SecureConnect is not { } sc)
            throw new BacnetSetupException("the manifest has no bacnet.secureConnect: it names no hub to join");
        if (sc.Tool is not { Name.Value: { Length: > 0 } name } tool)
            throw new BacnetSetupException(
                "bacnet.secureConnect names no tool (tool.name): the tool has no certificate to join the hub with");
        var primary = ScSiteSettings.HubUri(sc.PrimaryHub, "primaryHub")
            ?? throw new BacnetSetupException("bacnet.secureConnect has no primaryHub");
        var failover = ScSiteSettings.HubUri(sc.FailoverHub, "failoverHub");

        SiteLedger ledger;
        try
        {
            ledger = LedgerFile.Load(LedgerFile.PathFor(manifestPath));
        }
        catch (LedgerFormatException e)
        {
            throw new BacnetSetupException($"the ledger cannot be trusted: {e.Message}");
        }
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var issued = ledger.FindTool(name)?.Certificate ?? throw new BacnetSetupException(
            $"the tool “{name}” has no certificate in the ledger: request it with certlsp csr and import what the CA signs");
        if (issued.IsRevoked) throw new BacnetSetupException($"the tool “{name}”'s certificate (serial {issued.Serial}) is revoked");
        if (now > issued.NotAfter)
            throw new BacnetSetupException($"the tool “{name}”'s certificate expired on {LedgerFormat.Time(issued.NotAfter)}");

        var certificate = ToolCertificate(manifestPath, name, issued);
        var issuers = Issuers(manifestPath, manifest, tool);
        try
        {
            AsymmetricAlgorithm key;
            try
            {
                key = KeyStore.ForManifest(manifestPath, passphrase).Load(ToolFiles.Name(name), issued.PublicKey);
            }
            catch (KeyStoreException e)
            {
                throw new BacnetSetupException($"the tool “{name}”'s private key: {e.Message}");
            }
            using (key)
            {
                var withKey = key switch
                {
                    RSA rsa => certificate.CopyWithPrivateKey(rsa),
                    ECDsa ec => certificate.CopyWithPrivateKey(ec),
                    _ => throw new BacnetSetupException($"the tool “{name}”'s key is of an unsupported type"),
                };
                return new ScToolCredentials(withKey, primary, failover, issuers, name, sc.ConnectWait, sc.Heartbeat, sc.MinimumReconnect,
                    sc.MaximumReconnect);
            }
        }
        catch
        {
            foreach (var issuer in issuers) issuer.Dispose();
            throw;
        }
        finally
        {
            certificate.Dispose();
        }
    }

    /// <summary>
    /// Joins the primary hub, else the failover hub, as the tool (TLS 1.3 with its certificate; the hub's certificate checked by
    /// <see cref="ScPeerVerifier.CheckHub"/> against the site's issuers) and returns a client on that connection once connected; each
    /// request then gets <paramref name="timeoutSeconds"/> (<see cref="DeviceTimeout"/>). Disposing the client disconnects from the hub.
    /// Throws <see cref="BacnetSetupException"/> with the connector's error text when neither hub accepts within the connect wait of
    /// each.
    /// </summary>
    public static async Task<BacnetClient> ConnectAsync(ScToolCredentials tool, double timeoutSeconds, CancellationToken ct)
    {
        if (DeviceTimeout.Check(timeoutSeconds) is { } bad) throw new BacnetSetupException(bad);
        var verifier = new ScPeerVerifier(tool.Issuers);
        var link = new ScDatalink(new ScConnectorOptions
        {
            PrimaryHub = tool.PrimaryHub,
            FailoverHub = tool.FailoverHub,
            Certificate = tool.Certificate,
            VerifyHub = verifier.CheckHub,
            ConnectWaitTimeout = tool.ConnectWait,
            HeartbeatTimeout = tool.Heartbeat,
            MinimumReconnectTime = tool.MinimumReconnect,
            MaximumReconnectTime = tool.MaximumReconnect,
        });
        try
        {
            // Every hub gets its connect wait (and a little for the orderly steps around it); the first round decides.
            var hubs = tool.FailoverHub is null ? 1 : 2;
            var limit = tool.ConnectWait * hubs + TimeSpan.FromSeconds(2);
            bool joined = await link.Connector.WaitUntilAsync(c => c.State != ScHubConnectionStatus.NoHubConnection || RoundFailed(c, tool),
                limit, ct).ConfigureAwait(false);
            if (!joined || link.Connector.State == ScHubConnectionStatus.NoHubConnection)
                throw new BacnetSetupException($"the tool “{tool.Name}” could not join a hub: {Refusals(link.Connector, tool)}");
            return BacnetClient.Start(link, DeviceTimeout.Apply(new BacnetClientOptions(), timeoutSeconds), ownsDatalink: true);
        }
        catch
        {
            await link.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Every hub was tried once and failed.</summary>
    private static bool RoundFailed(ScHubConnector connector, ScToolCredentials tool) =>
        connector.PrimaryStatus.State == ScConnectionState.FailedToConnect
        && (tool.FailoverHub is null || connector.FailoverStatus.State == ScConnectionState.FailedToConnect);

    private static string Refusals(ScHubConnector connector, ScToolCredentials tool)
    {
        static string Of(Uri hub, ScHubConnectionReport report) => report.State == ScConnectionState.FailedToConnect
            ? $"{hub}: {report.ErrorDetails ?? report.Error?.ToString() ?? "failed"}"
            : $"{hub}: no answer within the connect wait";
        var parts = new List<string> { Of(tool.PrimaryHub, connector.PrimaryStatus) };
        if (tool.FailoverHub is { } failover) parts.Add(Of(failover, connector.FailoverStatus));
        return string.Join("; ", parts);
    }

    /// <summary>The tool's certificate from its bundle: the first of its chain file, and it must be the one the ledger records.</summary>
    private static X509Certificate2 ToolCertificate(string manifestPath, string name, IssuedCertificate issued)
    {
        string chain = BundleWriter.ChainPath(CertificateInstaller.DefaultBundleFolder(manifestPath), ToolFiles.Name(name));
        IReadOnlyList<X509Certificate2> read;
        try
        {
            read = CertificateFiles.ReadAll(File.ReadAllBytes(chain));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new BacnetSetupException($"the tool “{name}”'s certificate file {chain} cannot be read ({e.Message}): import it again");
        }
        foreach (var other in read.Skip(1)) other.Dispose();
        var certificate = read.FirstOrDefault() ?? throw new BacnetSetupException($"{chain} holds no certificate: import it again");
        if (Fingerprints.Of(certificate.RawData) == issued.Fingerprint) return certificate;
        certificate.Dispose();
        throw new BacnetSetupException($"{chain} is not the certificate the ledger records for the tool “{name}”: import it again");
    }

    /// <summary>The issuer certificates the hub's certificate is verified against: the tool's own, else the site's.</summary>
    private static List<X509Certificate2> Issuers(string manifestPath, SiteManifest manifest, ToolSettings tool)
    {
        var (named, key) = tool.IssuersPair is not null ? (tool.Issuers, "bacnet.secureConnect.tool.issuers")
            : (manifest.Ca.Issuers, "ca.issuers");
        var issuers = ScSiteSettings.ReadIssuers(Path.GetDirectoryName(manifestPath)!, named, key);
        if (issuers.Count == 0) throw new BacnetSetupException(
            "no issuer certificate to verify the hub with (ca.issuers, or bacnet.secureConnect.tool.issuers)");
        return issuers;
    }
}
