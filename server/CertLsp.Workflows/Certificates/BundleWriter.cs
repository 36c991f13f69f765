using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertLsp.Workflows.Files;

namespace CertLsp.Workflows.Certificates;

/// <summary>The files of one device's bundle, ready to install.</summary>
public sealed record Bundle(string ChainPem, string Pkcs12, string? PassphraseFile, bool Written);

/// <summary>
/// Writes per-device bundles for local keys into a private folder (0700, git-ignored; files 0600): the certificate with its issuer
/// as PEM ("&lt;device&gt;.chain.pem") and a PKCS#12 with the private key ("&lt;device&gt;.p12", PBES2 AES-256), protected by the given
/// passphrase or, without one, a generated passphrase written beside it ("&lt;device&gt;.p12.pass"), with the key files' PBKDF2 iteration
/// count (<see cref="KeyStore.KdfIterations"/>). The passphrase is never returned.
/// </summary>
public static class BundleWriter
{
    /// <summary>The chain file of a device in a bundle folder ("&lt;device&gt;.chain.pem").</summary>
    public static string ChainPath(string folder, string device) => Path.Combine(folder, SafeNames.For(device) + ".chain.pem");

    /// <summary>
    /// Device-held keys: only "&lt;device&gt;.chain.pem" (public data, no key to bundle): the operational certificate, then the issuers
    /// in install order, exactly what the device gets. It lets a later install work from the ledger without the CA's answer.
    /// Returns whether it was written (false: it already held this).
    /// </summary>
    public static bool WriteChain(string folder, string device, DeviceCertificates certificates)
    {
        string path = ChainPath(folder, device);
        string chain = certificates.Operational + string.Concat(certificates.Issuers);
        if (File.Exists(path) && File.ReadAllText(path) == chain) return false;
        AtomicFile.EnsurePrivateFolder(folder);
        AtomicFile.Write(path, Encoding.ASCII.GetBytes(chain), AtomicFile.OwnerOnly, syncFolder: true);
        return true;
    }

    public static Bundle Write(string folder, string device, X509Certificate2 certificate, X509Certificate2 issuer,
        Func<AsymmetricAlgorithm> loadKey, string? passphrase)
    {
        AtomicFile.EnsurePrivateFolder(folder);
        string stem = Path.Combine(folder, SafeNames.For(device));
        string chainPath = ChainPath(folder, device), p12Path = stem + ".p12", passPath = stem + ".p12.pass";
        string chain = certificate.ExportCertificatePem() + "\n" + issuer.ExportCertificatePem() + "\n";
        bool generated = string.IsNullOrEmpty(passphrase);
        if (File.Exists(chainPath) && File.ReadAllText(chainPath) == chain && File.Exists(p12Path) && (!generated || File.Exists(passPath)))
        {
            return new Bundle(chainPath, p12Path, generated ? passPath : null, false);
        }

        string secret = generated ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_')
            : passphrase!;
        using var key = loadKey();
        using var withKey = key switch
        {
            RSA rsa => certificate.CopyWithPrivateKey(rsa),
            ECDsa ec => certificate.CopyWithPrivateKey(ec),
            _ => throw new KeyStoreException($"unsupported key type {key.GetType().Name}"),
        };
        var collection = new X509Certificate2Collection { withKey, issuer };
        // PBES2 AES-256 with as many PBKDF2 iterations as the key files (Pkcs12ExportPbeParameters.Pbes2Aes256Sha256 uses 2,000).
        byte[] p12 = collection.ExportPkcs12(KeyStore.Encryption, secret);
        try
        {
            if (generated) AtomicFile.Write(passPath, Encoding.ASCII.GetBytes(secret + "\n"), AtomicFile.OwnerOnly, syncFolder: false);
            AtomicFile.Write(p12Path, p12, AtomicFile.OwnerOnly, syncFolder: false);
            AtomicFile.Write(chainPath, Encoding.ASCII.GetBytes(chain), AtomicFile.OwnerOnly, syncFolder: false);
            AtomicFile.SyncFolder(folder);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(p12);
        }
        return new Bundle(chainPath, p12Path, generated ? passPath : null, true);
    }
}
