using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CertLsp.Core.Certificates;

/// <summary>
/// Reads certificates from PEM (one or more CERTIFICATE blocks: a leaf followed by its chain, "fullchain"), DER, or a PKCS#7
/// certificate bundle (.p7b/.p7c, DER or PEM "PKCS7", as <c>openssl crl2pkcs7 -nocrl</c> and Active Directory Certificate Services
/// make), strictly: each certificate exact DER, parsed by two parsers.
/// </summary>
public static class CertificateFiles
{
    /// <summary>Every certificate in a file. Throws <see cref="FormatException"/> with a reason a field engineer understands.</summary>
    public static IReadOnlyList<X509Certificate2> ReadAll(ReadOnlySpan<byte> data)
    {
        if (LooksLikePem(data))
        {
            string text = Encoding.Latin1.GetString(data);
            var result = new List<X509Certificate2>();
            var rest = text.AsSpan();
            while (PemEncoding.TryFind(rest, out var fields))
            {
                var label = rest[fields.Label];
                if (label.Contains("PRIVATE KEY", StringComparison.Ordinal)) throw new FormatException(
                    "it holds a private key, not a certificate (not read)");
                byte[] der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
                if (label.SequenceEqual("PKCS7")) result.AddRange(FromPkcs7(der)
                    ?? throw new FormatException("a PEM block “PKCS7” is not a PKCS#7 certificate bundle"));
                else if (label.SequenceEqual("CERTIFICATE")) result.Add(FromDer(der));
                else throw new FormatException($"a PEM block “{label}” is not a certificate");
                rest = rest[fields.Location.End..];
            }
            if (result.Count == 0) throw new FormatException("no complete PEM certificate block");
            if (rest.ToString().Contains("-----BEGIN", StringComparison.Ordinal)) throw new FormatException("a PEM block is damaged");
            return result;
        }
        return FromPkcs7(data.ToArray()) ?? [FromDer(data.ToArray())];
    }

    private const string SignedDataOid = "1.2.840.113549.1.7.2";

    /// <summary>
    /// The certificates of a PKCS#7 SignedData (RFC 5652 §5.1: ContentInfo, then version, digestAlgorithms, encapContentInfo,
    /// [0] certificates), or null when the bytes are not a SignedData ContentInfo. CRLs and signers in it are not used.
    /// </summary>
    private static IReadOnlyList<X509Certificate2>? FromPkcs7(byte[] data)
    {
        List<byte[]> ders = [];
        try
        {
            var contentInfo = new AsnReader(data, AsnEncodingRules.BER).ReadSequence();
            if (contentInfo.PeekTag() != Asn1Tag.ObjectIdentifier || contentInfo.ReadObjectIdentifier() != SignedDataOid) return null;
            var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadSequence();
            signedData.ReadInteger();
            signedData.ReadSetOf();
            signedData.ReadSequence();
            var certificatesTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (signedData.HasData && signedData.PeekTag().HasSameClassAndValue(certificatesTag))
            {
                var certificates = signedData.ReadSetOf(skipSortOrderValidation: true, expectedTag: certificatesTag);
                while (certificates.HasData) ders.Add(certificates.ReadEncodedValue().ToArray());
            }
        }
        catch (AsnContentException)
        {
            return null;
        }
        if (ders.Count == 0) throw new FormatException("a PKCS#7 bundle without certificates");
        return [.. ders.Select(FromDer)];
    }

    public static X509Certificate2 ReadOne(ReadOnlySpan<byte> data)
    {
        var all = ReadAll(data);
        if (all.Count != 1)
        {
            foreach (var c in all) c.Dispose();
            throw new FormatException($"it holds {all.Count} certificates; one operational certificate per file is expected");
        }
        return all[0];
    }

    public static bool LooksLikePem(ReadOnlySpan<byte> data) => data.IndexOf("-----BEGIN "u8) >= 0;

    private static X509Certificate2 FromDer(byte[] der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            reader.ReadSequence();
            if (reader.HasData) throw new FormatException("bytes after the certificate");
        }
        catch (AsnContentException ex)
        {
            throw new FormatException($"not a DER certificate ({ex.Message})", ex);
        }
        try
        {
            _ = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(der) ?? throw new FormatException("not a certificate");
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (Exception ex) when (ex is CryptographicException or Org.BouncyCastle.Security.Certificates.CertificateException
            or IOException or ArgumentException or InvalidCastException)
        {
            throw new FormatException($"not a well-formed X.509 certificate ({ex.Message})", ex);
        }
    }

    /// <summary>True when <paramref name="issuer"/>'s key made <paramref name="certificate"/>'s signature (and the names chain).</summary>
    public static bool IsSignedBy(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData)) return false;
        try
        {
            var bc = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(certificate.RawData);
            var bcIssuer = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(issuer.RawData);
            bc.Verify(bcIssuer.GetPublicKey());
            return true;
        }
        catch (Exception ex) when (ex is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.SignatureException
            or Org.BouncyCastle.Security.Certificates.CertificateException or InvalidCastException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>A CA certificate: basicConstraints CA:TRUE.</summary>
    public static bool IsAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    public static string SerialHex(X509Certificate2 certificate) => certificate.SerialNumber.ToUpperInvariant();

    public static string? CommonName(X509Certificate2 certificate) => certificate.SubjectName.GetSimpleName();
}
