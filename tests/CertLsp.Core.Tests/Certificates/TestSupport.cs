using System.IO.Compression;
using System.Text;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

// The suite runs on Linux (it calls openssl and checks Unix permissions).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace CertLsp.Core.Tests.Certificates;

/// <summary>A CA made in the test with BouncyCastle (an implementation independent of the .NET code under test).</summary>
public sealed class TestCa
{
    private static readonly SecureRandom Random = new();
    private long serial = 0x1000;

    public TestCa(string name = "CertLsp Test Issuing CA")
    {
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.X9.ECNamedCurveTable.GetOid("P-256"), Random));
        Keys = generator.GenerateKeyPair();
        Name = new X509Name($"CN={name},O=CertLsp Tests");
        var builder = new X509V3CertificateGenerator();
        builder.SetSerialNumber(BigInteger.One);
        builder.SetIssuerDN(Name);
        builder.SetSubjectDN(Name);
        builder.SetNotBefore(DateTime.UtcNow.AddDays(-1));
        builder.SetNotAfter(DateTime.UtcNow.AddYears(5));
        builder.SetPublicKey(Keys.Public);
        builder.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        builder.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        Certificate = builder.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", Keys.Private, Random));
    }

    public AsymmetricCipherKeyPair Keys { get; }

    public X509Name Name { get; }

    public X509Certificate Certificate { get; }

    public string Pem => ToPem(Certificate);

    /// <summary>Signs a CSR (parsed strictly by BouncyCastle, its signature verified) into a PEM certificate.</summary>
    public string Sign(byte[] csrPemOrDer, DateTime? notBefore = null, DateTime? notAfter = null, string? overrideCn = null,
        AsymmetricKeyParameter? overrideKey = null)
    {
        var request = ParseRequest(csrPemOrDer);
        if (!request.Verify()) throw new InvalidOperationException("the CSR's signature does not verify");
        var info = request.GetCertificationRequestInfo();
        var builder = new X509V3CertificateGenerator();
        builder.SetSerialNumber(BigInteger.ValueOf(Interlocked.Increment(ref serial)));
        builder.SetIssuerDN(Name);
        builder.SetSubjectDN(overrideCn is null ? info.Subject : new X509Name($"CN={overrideCn}"));
        builder.SetNotBefore(notBefore ?? DateTime.UtcNow.AddMinutes(-5));
        builder.SetNotAfter(notAfter ?? DateTime.UtcNow.AddDays(365));
        builder.SetPublicKey(overrideKey ?? request.GetPublicKey());
        builder.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        builder.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));
        builder.AddExtension(X509Extensions.ExtendedKeyUsage, false,
            new ExtendedKeyUsage(KeyPurposeID.id_kp_clientAuth, KeyPurposeID.id_kp_serverAuth));
        return ToPem(builder.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", Keys.Private, Random)));
    }

    /// <summary>A CRL listing the given certificates (PEM) as revoked.</summary>
    public byte[] Crl(params string[] revokedPems)
    {
        var builder = new X509V2CrlGenerator();
        builder.SetIssuerDN(Name);
        builder.SetThisUpdate(DateTime.UtcNow.AddMinutes(-1));
        builder.SetNextUpdate(DateTime.UtcNow.AddDays(7));
        foreach (var pem in revokedPems)
        {
            var cert = new X509CertificateParser().ReadCertificate(Encoding.ASCII.GetBytes(pem));
            builder.AddCrlEntry(cert.SerialNumber, DateTime.UtcNow.AddMinutes(-1), CrlReason.KeyCompromise);
        }
        return builder.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", Keys.Private, Random)).GetEncoded();
    }

    public static Pkcs10CertificationRequest ParseRequest(byte[] csr)
    {
        string text = Encoding.ASCII.GetString(csr);
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            using var reader = new PemReader(new StringReader(text));
            return (Pkcs10CertificationRequest)reader.ReadObject();
        }
        return new Pkcs10CertificationRequest(csr);
    }

    public static string ToPem(object value)
    {
        var writer = new StringWriter();
        using (var pem = new PemWriter(writer)) pem.WriteObject(value);
        return writer.ToString();
    }
}

/// <summary>A temporary folder with a manifest in it; removed at the end of the test.</summary>
public sealed class TempSite : IDisposable
{
    public TempSite(string manifest, string fileName = "site.site.yaml")
    {
        Folder = Path.Combine(Path.GetTempPath(), "certlsp-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        ManifestPath = Path.Combine(Folder, fileName);
        File.WriteAllText(ManifestPath, manifest);
    }

    public string Folder { get; }

    public string ManifestPath { get; }

    public string Text => File.ReadAllText(ManifestPath);

    public string LedgerPath => Workflows.Ledger.LedgerFile.PathFor(ManifestPath);

    public string File_(string name) => Path.Combine(Folder, name);

    public IReadOnlyList<string> Zips => [.. Directory.GetFiles(Folder, "CertificateSigningRequests_*.zip").Order(StringComparer.Ordinal)];

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A manifest with n devices (dev-01 …), ECDSA P-256 keys unless told otherwise.</summary>
    public static string Manifest(int devices, string key = "{ algorithm: ecdsa, curve: P-256, source: local }", string extraDevice = "",
        string issuers = "[ca.pem]", string domain = "bms.test.example")
    {
        var sb = new StringBuilder();
        sb.Append(
            $"site: Test Site\ndomain: {domain}\nca:\n  profile: bacnet-sc\n  issuers: {issuers}\nsubject:\n  country: DE\n  state: " +
            $"Bayern\n  locality: München\n  organization: Test GmbH\n  organizationalUnit: Gebäudetechnik\n  email: bms@test.example\n");
        sb.Append($"key: {key}\ndevices:\n");
        for (int i = 1; i <= devices; i++) sb.Append($"  - name: dev-{i:D2}\n    instance: {1000 + i}\n{extraDevice}");
        return sb.ToString();
    }

    /// <summary>Every entry of a zip with its bytes.</summary>
    public static Dictionary<string, byte[]> Entries(string zipPath)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        return zip.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        });
    }

    /// <summary>A zip made in memory from (name, content) pairs.</summary>
    public static byte[] MakeZip(params (string Name, byte[] Data)[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(data);
            }
        }
        return memory.ToArray();
    }
}

public static class OpenSsl
{
    /// <summary>Runs openssl with arguments; returns exit code and combined output.</summary>
    public static (int Exit, string Output) Run(params string[] args) => OpenSslRunner.Run(args);
}
