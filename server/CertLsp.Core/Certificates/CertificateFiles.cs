using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CertLsp.Core.Certificates;

/// <summary>Reads certificates from PEM (one or more CERTIFICATE blocks) or DER, strictly: exact DER, parsed by two parsers.</summary>
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
                if (label.Contains("PRIVATE KEY", StringComparison.Ordinal)) throw new FormatException("it holds a private key, not a certificate (not read)");
                if (!label.SequenceEqual("CERTIFICATE")) throw new FormatException($"a PEM block “{label}” is not a certificate");
                result.Add(FromDer(Convert.FromBase64String(rest[fields.Base64Data].ToString())));
                rest = rest[fields.Location.End..];
            }
            if (result.Count == 0) throw new FormatException("no complete PEM certificate block");
            if (rest.ToString().Contains("-----BEGIN", StringComparison.Ordinal)) throw new FormatException("a PEM block is damaged");
            return result;
        }
        return [FromDer(data.ToArray())];
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
        catch (Exception ex) when (ex is CryptographicException or Org.BouncyCastle.Security.Certificates.CertificateException or IOException or ArgumentException or InvalidCastException)
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

    public static string SerialHex(X509Certificate2 certificate) => certificate.SerialNumber.ToUpperInvariant();

    public static string? CommonName(X509Certificate2 certificate) => certificate.SubjectName.GetSimpleName();
}
