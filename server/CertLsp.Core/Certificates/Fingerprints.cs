using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertLsp.Core.Certificates;

/// <summary>SHA-256 fingerprints as the ledger writes them ("sha256:" and lower-case hex).</summary>
public static class Fingerprints
{
    public const string Prefix = "sha256:";

    public static string Of(ReadOnlySpan<byte> der) => Prefix + Convert.ToHexStringLower(SHA256.HashData(der));

    /// <summary>The fingerprint of a public key: the hash of its DER SubjectPublicKeyInfo, the same for the key, its CSR and its
    /// certificate.</summary>
    public static string OfPublicKey(PublicKey key) => Of(key.ExportSubjectPublicKeyInfo());

    public static string OfPublicKey(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => Of(rsa.ExportSubjectPublicKeyInfo()),
        ECDsa ec => Of(ec.ExportSubjectPublicKeyInfo()),
        _ => throw new ArgumentException($"unsupported key type {key.GetType().Name}", nameof(key)),
    };

    /// <summary>A short form for file names: the first 16 hex digits.</summary>
    public static string Short(string fingerprint) => fingerprint.StartsWith(Prefix, StringComparison.Ordinal)
        ? fingerprint[Prefix.Length..][..16] : fingerprint[..16];
}
