using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;

namespace CertLsp.Devices;

/// <summary>
/// The ledger's side of <c>certlsp verify</c>, shared by the CLI and the editor: what to verify for each manifest device (the
/// certificate the ledger recorded and, for keys CertLsp holds, how to load that certificate with its key from the key store), and
/// recording the last verification of each device in its ledger block (atomically, under the run lock). Nothing about a key is
/// recorded or reported.
/// </summary>
public static class VerificationLedger
{
    /// <summary>One target per manifest device, in manifest order.</summary>
    /// <param name="passphrase">The key store's passphrase (<see cref="KeyStore.PassphraseVariable"/>), when its keys are encrypted.
    /// </param>
    public static IReadOnlyList<VerifyTarget> Targets(string manifestPath, SiteManifest manifest, SiteLedger ledger, string? passphrase)
    {
        var keys = KeyStore.ForManifest(manifestPath, passphrase);
        var bundles = CertificateInstaller.DefaultBundleFolder(manifestPath);
        return [.. manifest.Devices.Select(d =>
        {
            var recorded = ledger.Find(d.DisplayName)?.Certificate;
            return new VerifyTarget(d.DisplayName, d.InstanceNumber, recorded?.Fingerprint)
            {
                LocalCredential = manifest.Key.DeviceHeld || recorded is null ? null
                    : () => LoadCredential(keys, bundles, d.DisplayName, recorded),
            };
        })];
    }

    /// <summary>The recorded certificate of a local key (its chain file's first certificate) with the key from the key store;
    /// throws <see cref="KeyStoreException"/> saying what is missing.</summary>
    private static X509Certificate2 LoadCredential(KeyStore keys, string bundles, string device, IssuedCertificate recorded)
    {
        var chain = BundleWriter.ChainPath(bundles, device);
        if (!File.Exists(chain)) throw new KeyStoreException($"no certificate file {chain} (certlsp import writes it)");
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(chain));
        if (Fingerprints.Of(certificate.RawData) != recorded.Fingerprint)
            throw new KeyStoreException($"{chain} does not hold the certificate the ledger recorded");
        using var key = keys.Load(device, recorded.PublicKey);
        return key switch
        {
            RSA rsa => certificate.CopyWithPrivateKey(rsa),
            ECDsa ec => certificate.CopyWithPrivateKey(ec),
            _ => throw new KeyStoreException($"the key of “{device}” is of a kind a TLS handshake cannot use"),
        };
    }

    /// <summary>Records each report in its device's ledger block; null when written (or nothing changed), else why the ledger was
    /// not updated. Devices without a ledger block are not recorded (they have no certificate to verify). A ledger that cannot be
    /// trusted throws <see cref="LedgerFormatException"/> and is left as it is.</summary>
    public static string? Record(string manifestPath, IReadOnlyList<DeviceVerificationReport> reports, DateTimeOffset now)
    {
        var ledgerPath = LedgerFile.PathFor(manifestPath);
        using var runLock = RunLock.TryTake(ledgerPath);
        if (runLock is null) return "another certlsp run is working on this manifest: the verification was not recorded in the ledger";
        AtomicFile.RemoveLeftovers(Path.GetDirectoryName(ledgerPath)!, Path.GetFileName(ledgerPath));
        var ledger = LedgerFile.Load(ledgerPath);
        foreach (var report in reports)
        {
            if (ledger.Find(report.Device) is { } entry) ledger = ledger.With(entry with { Verification = report.ToLedger(now) });
        }
        LedgerFile.Save(ledgerPath, ledger, Path.GetFileName(manifestPath), now);
        return null;
    }
}
