using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.SecureConnect;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>
/// Certificates made in the test, as strict peers want them (research note): ECDSA P-256, SHA-256; a root with CA:TRUE,
/// keyCertSign+cRLSign and a Subject Key Identifier; leaves with CA:FALSE, digitalSignature, the EKUs of their role, SKI and AKI,
/// and for a hub an IP SAN. Keys stay in memory.
/// </summary>
internal static class TestPki
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>The site's CA (the issuer nodes and hubs trust) and another site's, shared by the SC tests.</summary>
    public static X509Certificate2 SiteCa { get; } = CreateCa("CertLsp test site CA");

    public static X509Certificate2 OtherCa { get; } = CreateCa("Another site CA");

    public static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
    }

    /// <summary>A hub certificate (serverAuth and clientAuth, IP SAN) or a node certificate (clientAuth).</summary>
    public static X509Certificate2 CreateLeaf(X509Certificate2 ca, string name, IPAddress? hubAddress = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection { new Oid(ClientAuth) };
        if (hubAddress is not null) usages.Add(new Oid(ServerAuth));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (hubAddress is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(hubAddress);
            request.CertificateExtensions.Add(san.Build());
        }
        var now = DateTimeOffset.UtcNow;
        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var signed = request.Create(ca, now.AddDays(-1), now.AddYears(1), serial);
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>The hub check a node is configured with: the product's Annex AB verifier with <paramref name="ca"/> as the site's
    /// one issuer.</summary>
    public static ScCertificateCheck VerifierFor(X509Certificate2 ca) => new ScPeerVerifier([ca]).CheckHub;
}
