using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CertLsp.Cli.Commands;

/// <summary>
/// A throwaway CA for the demo, made in memory (ECDSA P-256): it signs the demo's CSRs as a site's real CA would, and is gone when
/// the demo ends. Never used outside <c>certlsp demo</c>.
/// </summary>
internal sealed class DemoAuthority : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public DemoAuthority()
    {
        var request = new CertificateRequest("CN=CertLsp Demo Issuing CA, O=CertLsp Demo (throwaway)", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Certificate { get; }

    public string Pem => Certificate.ExportCertificatePem() + "\n";

    /// <summary>Signs every CSR of the CSR zips into a zip of certificates (flat, one per device, plus the issuer), as a CA
    /// answers.</summary>
    public int SignZips(IEnumerable<string> csrZips, string answerZip, int validDays)
    {
        int count = 0;
        using var output = ZipFile.Open(answerZip, ZipArchiveMode.Create);
        foreach (var zipPath in csrZips)
        {
            using var zip = ZipFile.OpenRead(zipPath);
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".pem", StringComparison.Ordinal)
                && !e.FullName.Contains("issuer/", StringComparison.Ordinal)))
            {
                using var reader = new StreamReader(entry.Open(), Encoding.ASCII);
                string certificate = Sign(reader.ReadToEnd(), validDays);
                using var writer = new StreamWriter(output.CreateEntry(
                    Path.GetFileName(entry.FullName).Replace(".pem", ".crt", StringComparison.Ordinal)).Open(), Encoding.ASCII);
                writer.Write(certificate);
                count++;
            }
        }
        using (var issuer = new StreamWriter(output.CreateEntry("issuer/iss-1.pem").Open(), Encoding.ASCII)) issuer.Write(Pem);
        return count;
    }

    private string Sign(string csrPem, int validDays)
    {
        var request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.5.5.7.3.1")],
            false));
        // The CSR's key may be RSA while the CA's is ECDSA: sign with the CA's own generator.
        using var signed = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(key),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(validDays), RandomNumberGenerator.GetBytes(16));
        return signed.ExportCertificatePem() + "\n";
    }

    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }
}
