using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Core.Certificates;

namespace CertLsp.TestSupport;

/// <summary>
/// A root CA in memory for tests (ECDSA P-256, <see cref="CertificateIssuer"/>): it issues leaf certificates of each
/// <see cref="CertificateRole"/> with their own fresh key (returned with the private key attached), and the faulty ones tests need:
/// expired, not yet valid, serverAuth-only, without digitalSignature, self-signed; another <see cref="TestAuthority"/> is "another
/// CA". It also signs CRLs. Nothing is written to disk unless a test asks (<see cref="WritePem"/>, keys 0600).
/// </summary>
public sealed class TestAuthority : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly CertificateIssuer issuer;
    private readonly List<IDisposable> owned = [];

    public TestAuthority(string name = "CertLsp Test Root CA")
    {
        Certificate = CertificateIssuer.CreateRoot(new X500DistinguishedName($"CN={name}, O=CertLsp Tests"), key,
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2));
        issuer = new CertificateIssuer(Certificate, key);
    }

    /// <summary>The root's certificate (with its private key: never hand it to code under test as anything but the issuer).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The root's certificate without its key, as a site configures its issuer.</summary>
    public X509Certificate2 PublicCertificate => X509CertificateLoader.LoadCertificate(Certificate.RawData);

    public string Pem => Certificate.ExportCertificatePem() + "\n";

    /// <summary>A good certificate of <paramref name="role"/> with its own P-256 key, valid from yesterday for a year.</summary>
    public X509Certificate2 Issue(CertificateRole role, string commonName, string? hubHost = null) =>
        Issue(role, commonName, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1), hubHost);

    public X509Certificate2 Issue(CertificateRole role, string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter,
        string? hubHost = null) =>
        IssueWith(commonName, pk => issuer.Extensions(role, pk, hubHost is null ? null : [hubHost]), notBefore, notAfter);

    /// <summary>Signs a device's CSR (PEM) as the site's CA does: a certificate of <paramref name="role"/> for the CSR's key, valid from
    /// yesterday for a year (no private key: the device holds it).</summary>
    public X509Certificate2 SignCsr(string csrPem, CertificateRole role = CertificateRole.Device)
    {
        var issued = issuer.SignCsr(csrPem, role, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        owned.Add(issued);
        return issued;
    }

    /// <summary>Expired yesterday (valid for the month before).</summary>
    public X509Certificate2 Expired(CertificateRole role, string commonName, string? hubHost = null) =>
        Issue(role, commonName, DateTimeOffset.UtcNow.AddDays(-31), DateTimeOffset.UtcNow.AddDays(-1), hubHost);

    /// <summary>Valid only from tomorrow.</summary>
    public X509Certificate2 NotYetValid(CertificateRole role, string commonName, string? hubHost = null) =>
        Issue(role, commonName, DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddYears(1), hubHost);

    /// <summary>A node certificate whose extended key usage names serverAuth only (no clientAuth).</summary>
    public X509Certificate2 ServerAuthOnly(string commonName, string? hubHost = null) =>
        IssueWith(commonName, pk => Replace(issuer.Extensions(hubHost is null ? CertificateRole.Device : CertificateRole.Hub, pk,
            hubHost is null ? null : [hubHost]), new X509EnhancedKeyUsageExtension([new Oid(CertificateIssuer.ServerAuth)], false)));

    /// <summary>A hub certificate whose extended key usage names clientAuth only (no serverAuth).</summary>
    public X509Certificate2 ClientAuthOnly(string commonName, string hubHost) =>
        IssueWith(commonName, pk => Replace(issuer.Extensions(CertificateRole.Hub, pk, [hubHost]),
            new X509EnhancedKeyUsageExtension([new Oid(CertificateIssuer.ClientAuth)], false)));

    /// <summary>A device certificate whose keyUsage is keyEncipherment only (no digitalSignature).</summary>
    public X509Certificate2 WithoutDigitalSignature(string commonName) =>
        IssueWith(commonName, pk => Replace(issuer.Extensions(CertificateRole.Device, pk),
            new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, true)));

    /// <summary>Signs a CSR (PEM) as the site's CA does for <paramref name="role"/>: its subject and key, valid from yesterday for a
    /// year; with <paramref name="serverAuthOnly"/> its extended key usage names serverAuth only (no clientAuth).</summary>
    public X509Certificate2 SignCsr(string csrPem, CertificateRole role, bool serverAuthOnly = false)
    {
        var request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        var extensions = issuer.Extensions(role, request.PublicKey);
        if (serverAuthOnly) extensions = Replace(extensions,
            new X509EnhancedKeyUsageExtension([new Oid(CertificateIssuer.ServerAuth)], false));
        var issued = issuer.Issue(request.SubjectName, request.PublicKey, extensions, DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddYears(1));
        owned.Add(issued);
        return issued;
    }

    /// <summary>A self-signed certificate with the extensions of a device (its own issuer).</summary>
    public static X509Certificate2 SelfSigned(string commonName)
    {
        using var own = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", own, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(CertificateIssuer.ClientAuth), new Oid(CertificateIssuer.ServerAuth)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A DER CRL signed by this CA listing <paramref name="revoked"/>, this update an hour ago, next update in
    /// <paramref name="nextUpdate"/> (a week when null; a past time makes a stale CRL).</summary>
    public byte[] Crl(IEnumerable<X509Certificate2> revoked, DateTimeOffset? nextUpdate = null, DateTimeOffset? thisUpdate = null)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked) builder.AddEntry(certificate, DateTimeOffset.UtcNow.AddHours(-2));
        var update = thisUpdate ?? DateTimeOffset.UtcNow.AddHours(-1);
        return builder.Build(Certificate, BigInteger.One, nextUpdate ?? update.AddDays(7), HashAlgorithmName.SHA256, thisUpdate: update);
    }

    /// <summary>Writes the certificate (PEM) to <paramref name="certificatePath"/> and, when asked, its private key (PKCS#8 PEM)
    /// to <paramref name="keyPath"/> with mode 0600.</summary>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string? keyPath = null)
    {
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        if (keyPath is null) return;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(keyPath, options);
        using var writer = new StreamWriter(stream);
        AsymmetricAlgorithm privateKey = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException("the certificate has no private key", nameof(certificate));
        writer.Write(privateKey.ExportPkcs8PrivateKeyPem() + "\n");
        privateKey.Dispose();
    }

    private X509Certificate2 IssueWith(string commonName, Func<PublicKey, IEnumerable<X509Extension>> extensions,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = new CertificateRequest("CN=x", leafKey, HashAlgorithmName.SHA256).PublicKey;
        using var issued = issuer.Issue(new X500DistinguishedName($"CN={commonName}, O=CertLsp Tests"), publicKey, extensions(publicKey),
            notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(1));
        var withKey = issued.CopyWithPrivateKey(leafKey);
        owned.Add(withKey);
        return withKey;
    }

    private static List<X509Extension> Replace(IEnumerable<X509Extension> extensions, X509Extension replacement) =>
        [.. extensions.Select(e => e.Oid?.Value == replacement.Oid?.Value ? replacement : e)];

    public void Dispose()
    {
        foreach (var item in owned) item.Dispose();
        Certificate.Dispose();
        key.Dispose();
    }
}
