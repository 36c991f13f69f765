using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CertLsp.Core.Certificates;

/// <summary>A fresh key pair and its PKCS#10 request. The key stays in memory until the key store writes it; dispose when done.</summary>
public sealed class GeneratedRequest(AsymmetricAlgorithm key, byte[] csrDer, string publicKey) : IDisposable
{
    public AsymmetricAlgorithm Key { get; } = key;

    public byte[] CsrDer { get; } = csrDer;

    /// <summary>The CSR in PEM, ending with a newline (as openssl writes it).</summary>
    public string CsrPem { get; } = PemEncoding.WriteString("CERTIFICATE REQUEST", csrDer) + "\n";

    public string PublicKey { get; } = publicKey;

    public void Dispose() => Key.Dispose();
}

/// <summary>Makes key pairs and CSRs with .NET's built-in RSA/ECDsa and CertificateRequest (the fastest correct option measured).</summary>
public static class CsrGenerator
{
    /// <param name="clientOnly">The commissioning tool's request: it asks for keyUsage digitalSignature and extendedKeyUsage clientAuth
    /// (a TLS client only, what a hub requires of a node); devices' requests ask for no extension (the CA's profile decides).</param>
    public static GeneratedRequest Generate(DeviceSubject subject, KeySpec spec, bool clientOnly = false)
    {
        var key = spec.Generate();
        try
        {
            return new GeneratedRequest(key, CreateRequest(subject, key, spec, clientOnly), Fingerprints.OfPublicKey(key));
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The DER PKCS#10 of a subject for an existing key (the attributes field is always present, empty).</summary>
    public static byte[] CreateRequest(DeviceSubject subject, AsymmetricAlgorithm key, KeySpec spec, bool clientOnly = false)
    {
        var name = subject.ToDistinguishedName();
        var request = key switch
        {
            RSA rsa => new CertificateRequest(name, rsa, spec.Hash, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(name, ec, spec.Hash),
            _ => throw new ArgumentException($"unsupported key type {key.GetType().Name}", nameof(key)),
        };
        if (clientOnly)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CertificateUsage.ClientAuth)], false));
        }
        return request.CreateSigningRequest();
    }

    /// <summary>Reads a CSR (PEM or DER) back: its subject's CN and public-key fingerprint. Throws CryptographicException when malformed or
    /// its signature fails.</summary>
    public static (string? CommonName, string PublicKey) Inspect(ReadOnlySpan<byte> data)
    {
        var details = Read(data);
        return (details.CommonName, details.PublicKey);
    }

    /// <summary>Reads a CSR (PEM or DER) with its whole subject and key type. Throws CryptographicException when malformed or its signature
    /// fails.</summary>
    public static CsrDetails Read(ReadOnlySpan<byte> data)
    {
        string text = Encoding.ASCII.GetString(data);
        try
        {
            var request = text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? CertificateRequest.LoadSigningRequestPem(text, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default)
                : CertificateRequest.LoadSigningRequest(data.ToArray(), HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var rdn in request.SubjectName.EnumerateRelativeDistinguishedNames())
            {
                if (rdn.HasMultipleElements || rdn.GetSingleElementValue() is not { } value) continue;
                fields.TryAdd(rdn.GetSingleElementType().Value ?? "", value);
            }
            return new CsrDetails(fields.GetValueOrDefault(X500Names.CommonName), fields, Fingerprints.OfPublicKey(request.PublicKey),
                KeyTypeOf(request.PublicKey));
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or NotSupportedException or ArgumentException or FormatException
            or InvalidOperationException)
        {
            // A damaged CSR (an unknown curve, a broken name): one kind of failure for callers, as for any other unreadable CSR.
            throw new CryptographicException($"not a readable CSR ({ex.Message})", ex);
        }
    }

    private static string KeyTypeOf(PublicKey key)
    {
        if (key.GetRSAPublicKey() is { } rsa) using (rsa) return $"RSA {rsa.KeySize}";
        if (key.GetECDsaPublicKey() is { } ec)
        {
            using (ec)
            {
                string? oid = ec.ExportParameters(false).Curve.Oid.Value;
                return oid switch
                {
                    "1.2.840.10045.3.1.7" => "ECDSA P-256",
                    "1.3.132.0.34" => "ECDSA P-384",
                    "1.3.132.0.35" => "ECDSA P-521",
                    _ => $"ECDSA {oid ?? "unnamed curve"}",
                };
            }
        }
        return $"key algorithm {key.Oid.Value}";
    }
}

/// <summary>What a CSR says: its subject's attributes by OID, the CN, the public-key fingerprint and the key type ("RSA 2048", "ECDSA
/// P-256").</summary>
public sealed record CsrDetails(string? CommonName, IReadOnlyDictionary<string, string> Subject, string PublicKey, string KeyType);

internal static class X500Names
{
    public const string CommonName = "2.5.4.3";

    public static string? GetSimpleName(this X500DistinguishedName name)
    {
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements) continue; // "CN=…+O=…": not a name CertLsp writes or accepts as a device's CN
            if (rdn.GetSingleElementType().Value == CommonName) return rdn.GetSingleElementValue();
        }
        return null;
    }
}
