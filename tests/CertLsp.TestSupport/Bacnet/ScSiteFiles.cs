using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;

namespace CertLsp.TestSupport;

/// <summary>One device of a BACnet/SC site written to disk: its manifest name, instance and its certificate (with its key when the
/// site's keys are local).</summary>
public sealed record ScSiteDevice(string Name, uint Instance, X509Certificate2 Certificate);

/// <summary>
/// A BACnet/SC site on disk as <c>certlsp verify</c> reads it (used by tests and bench/CertLsp.Bacnet.Bench): the manifest naming the
/// hub, its issuer file, the ledger recording each device's certificate and, for local keys, each device's key in the key store and
/// its chain file; optionally the commissioning tool's certificate (ledger tool block, key, chain file) so the tool joins the hub as
/// the manifest names it. Keys go to the key store only (0600).
/// </summary>
public static class ScSiteFiles
{
    /// <param name="localKeys">key.source local (each device's key in the key store, so verify makes a handshake with it), else
    /// device (the devices hold their keys).</param>
    /// <param name="tool">The tool's certificate with its key, recorded as the manifest's tool <paramref name="toolName"/>; null:
    /// the manifest names no tool.</param>
    /// <returns>The manifest's path.</returns>
    public static string Write(string folder, string fileName, Uri hub, X509Certificate2 issuer, IReadOnlyList<ScSiteDevice> devices,
        bool localKeys, X509Certificate2? tool = null, string toolName = "ops-tool")
    {
        Directory.CreateDirectory(folder);
        string manifestPath = Path.Combine(folder, fileName);
        string toolSection = tool is null ? "" : $"    tool:\n      name: {toolName}\n";
        File.WriteAllText(manifestPath, $"""
            site: Verify Site
            domain: bms.test.example
            ca: {"{"} profile: bacnet-sc, issuers: [ca/issuer.pem] {"}"}
            key: {"{"} algorithm: ecdsa, curve: P-256, source: {(localKeys ? "local" : "device")} {"}"}
            bacnet:
              secureConnect:
                primaryHub: {hub}
                connectWaitTimeout: 3

            """ + toolSection + "devices:\n" + string.Concat(devices.Select(d => $"  - name: {d.Name}\n    instance: {d.Instance}\n")));
        Directory.CreateDirectory(Path.Combine(folder, "ca"));
        string issuerPem = issuer.ExportCertificatePem() + "\n";
        File.WriteAllText(Path.Combine(folder, "ca", "issuer.pem"), issuerPem);
        var keys = KeyStore.ForManifest(manifestPath, null);
        keys.EnsureFolder();
        var bundles = CertificateInstaller.DefaultBundleFolder(manifestPath);
        var ledger = SiteLedger.Empty;
        foreach (var device in devices)
        {
            ledger = ledger.With(Entry(device.Name, device.Certificate));
            if (localKeys) Store(keys, bundles, device.Name, device.Certificate, issuerPem);
        }
        if (tool is not null)
        {
            ledger = ledger.WithTool(Entry(toolName, tool));
            Store(keys, bundles, ToolFiles.Name(toolName), tool, issuerPem);
        }
        LedgerFile.Save(LedgerFile.PathFor(manifestPath), ledger, fileName, DateTimeOffset.UtcNow);
        return manifestPath;
    }

    private static LedgerEntry Entry(string name, X509Certificate2 certificate) =>
        new(name, $"{name}.bms.test.example", null, new IssuedCertificate(certificate.SerialNumber, certificate.Issuer,
            certificate.NotBefore, certificate.NotAfter, Fingerprints.Of(certificate.RawData),
            Fingerprints.OfPublicKey(certificate.PublicKey)));

    /// <summary>The key in the key store (without syncing the folder for each: a site of a thousand is written at once) and the
    /// chain file, as certlsp import leaves them.</summary>
    private static void Store(KeyStore keys, string bundles, string name, X509Certificate2 certificate, string issuerPem)
    {
        using var key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException($"{name}: local keys need the certificate's private key", nameof(certificate));
        keys.Write(name, Fingerprints.OfPublicKey(certificate.PublicKey), key, syncFolder: false);
        BundleWriter.WriteChain(bundles, name, new DeviceCertificates(certificate.ExportCertificatePem() + "\n", [issuerPem]));
    }
}
