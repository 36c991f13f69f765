using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertLsp.Bacnet.Simulator;

/// <summary>What a device checks before it activates an operational certificate.</summary>
internal static class CertificateCheck
{
    /// <summary>Parses a certificate held in a File object: PEM (as all implementations seen write) or DER.</summary>
    public static X509Certificate2? Parse(byte[] content)
    {
        if (content.Length == 0) return null;
        try
        {
            var der = content;
            var text = System.Text.Encoding.ASCII.GetString(content);
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                if (!PemEncoding.TryFind(text, out var fields)) return null;
                der = Convert.FromBase64String(text[fields.Base64Data]);
            }
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Null when the certificate is acceptable, else why not.</summary>
    public static string? Validate(X509Certificate2 certificate, byte[] expectedPublicKey, IEnumerable<X509Certificate2> issuers,
        DateTimeOffset now)
    {
        if (!certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(expectedPublicKey))
            return "the certificate's public key is not the device's key";
        if (now < certificate.NotBefore || now > certificate.NotAfter) return "the certificate is outside its validity period";
        foreach (var issuer in issuers)
        {
            if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData)) continue;
            if (SignedBy(certificate, issuer)) return null;
        }
        return "the certificate is not signed by an installed issuer certificate";
    }

    private static bool SignedBy(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        try
        {
            var outer = new AsnReader(certificate.RawData, AsnEncodingRules.DER).ReadSequence();
            var tbs = outer.ReadEncodedValue().ToArray();
            var algorithm = outer.ReadSequence().ReadObjectIdentifier();
            var signature = outer.ReadBitString(out _);
            var hash = algorithm switch
            {
                "1.2.840.10045.4.3.2" or "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
                "1.2.840.10045.4.3.3" or "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
                "1.2.840.10045.4.3.4" or "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
                _ => (HashAlgorithmName?)null,
            };
            if (hash is null) return false;
            if (algorithm.StartsWith("1.2.840.10045", StringComparison.Ordinal))
            {
                using var ec = issuer.GetECDsaPublicKey();
                return ec is not null && ec.VerifyData(tbs, signature, hash.Value, DSASignatureFormat.Rfc3279DerSequence);
            }
            using var rsa = issuer.GetRSAPublicKey();
            return rsa is not null && rsa.VerifyData(tbs, signature, hash.Value, RSASignaturePadding.Pkcs1);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            return false;
        }
    }
}
