using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertLsp.Core.Certificates;

namespace CertLsp.Cli.Commands;

/// <summary>
/// A throwaway CA for the demo, made in memory (ECDSA P-256): it signs the demo's CSRs as a site's real CA would, and is gone when
/// the demo ends. Never used outside <c>certlsp demo</c>.
/// </summary>
internal sealed class DemoAuthority : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly CertificateIssuer issuer;

    public DemoAuthority()
    {
        Certificate = CertificateIssuer.CreateRoot(new X500DistinguishedName("CN=CertLsp Demo Issuing CA, O=CertLsp Demo (throwaway)"),
            key, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        issuer = new CertificateIssuer(Certificate, key);
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

    /// <summary>The demo hub's certificate (serverAuth and clientAuth, its address in subjectAltName) for a key held in memory.
    /// </summary>
    public X509Certificate2 IssueHub(System.Net.IPAddress address) =>
        SimulateCommand.IssueWithKey(issuer, "CertLsp demo hub", CertificateRole.Hub, [address.ToString()]);

    private string Sign(string csrPem, int validDays)
    {
        // A device certificate as strict peers want it (key identifiers, CA:FALSE, digitalSignature, clientAuth and serverAuth).
        using var signed = issuer.SignCsr(csrPem, CertificateRole.Device, DateTimeOffset.UtcNow.AddMinutes(-5),
            DateTimeOffset.UtcNow.AddDays(validDays));
        return signed.ExportCertificatePem() + "\n";
    }

    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }
}
