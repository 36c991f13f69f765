using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Core.Certificates;

namespace CertLsp.Core.Tests.Certificates;

/// <summary>
/// The certificates <see cref="CertificateIssuer"/> issues, judged by OpenSSL (<c>openssl verify -x509_strict -purpose</c>), an
/// implementation independent of the .NET code that made them: every role verifies for the purposes it is for and fails for the others;
/// the faulty ones of <see cref="TestAuthority"/> fail for the reason they carry.
/// </summary>
public sealed class CertificateIssuerTests : IDisposable
{
    private const string HubHost = "127.0.0.5";
    private readonly TestAuthority ca = new();
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-issuer-").FullName;
    private int files;

    [Fact]
    public void Every_role_carries_key_identifiers_ca_false_digital_signature_and_its_purposes()
    {
        foreach (var (role, purposes) in new[]
        {
            (CertificateRole.Device, new[] { CertificateIssuer.ClientAuth, CertificateIssuer.ServerAuth }),
            (CertificateRole.Hub, [CertificateIssuer.ClientAuth, CertificateIssuer.ServerAuth]),
            (CertificateRole.Tool, [CertificateIssuer.ClientAuth]),
        })
        {
            var leaf = ca.Issue(role, $"{role}.test.example", role == CertificateRole.Hub ? HubHost : null);
            var constraints = Assert.Single(leaf.Extensions.OfType<X509BasicConstraintsExtension>());
            Assert.False(constraints.CertificateAuthority);
            Assert.True(constraints.Critical);
            var usage = Assert.Single(leaf.Extensions.OfType<X509KeyUsageExtension>());
            Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, usage.KeyUsages);
            var eku = Assert.Single(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>());
            Assert.Equal(purposes, eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
            var ski = Assert.Single(leaf.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
            var aki = Assert.Single(leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>());
            Assert.Equal(ca.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray(),
                aki.KeyIdentifier!.Value.ToArray());
            Assert.NotEqual(aki.KeyIdentifier!.Value.ToArray(), ski.SubjectKeyIdentifierBytes.ToArray());
            Assert.Equal("1.2.840.10045.4.3.2", leaf.SignatureAlgorithm.Value); // ecdsa-with-SHA256
            Assert.Equal(role == CertificateRole.Hub, leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Any());
        }
    }

    [Fact]
    public void A_hub_names_an_ip_host_in_an_ip_san_and_a_dns_host_in_a_dns_san()
    {
        var ip = Assert.Single(ca.Issue(CertificateRole.Hub, "hub", HubHost).Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(HubHost, Assert.Single(ip.EnumerateIPAddresses()).ToString());
        Assert.Empty(ip.EnumerateDnsNames());
        var dns = Assert.Single(ca.Issue(CertificateRole.Hub, "hub", "hub.bms.test.example").Extensions
            .OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal("hub.bms.test.example", Assert.Single(dns.EnumerateDnsNames()));
        Assert.Throws<ArgumentException>(() => ca.Issue(CertificateRole.Hub, "hub"));
    }

    [Fact]
    public void A_csr_is_signed_with_its_subject_and_key_and_the_role_not_its_requests()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=dev-7.bms.test.example", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var issuerKey = ca.Certificate.GetECDsaPrivateKey()!;
        var issuer = new CertificateIssuer(ca.Certificate, issuerKey);
        using var leaf = issuer.SignCsr(request.CreateSigningRequestPem(), CertificateRole.Tool, DateTimeOffset.UtcNow,
            DateTimeOffset.UtcNow.AddDays(1));
        Assert.Equal("CN=dev-7.bms.test.example", leaf.Subject);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), leaf.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        // An RSA key gets digitalSignature only: keyAgreement is for EC keys.
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
    }

    [NeedsTheory(Needs.OpenSsl)]
    [InlineData(CertificateRole.Device, true, true)]
    [InlineData(CertificateRole.Hub, true, true)]
    [InlineData(CertificateRole.Tool, true, false)]
    public void OpenSsl_verifies_each_role_strictly_for_the_purposes_it_is_for(CertificateRole role, bool client, bool server)
    {
        var leaf = ca.Issue(role, $"{role}.test.example", role == CertificateRole.Hub ? HubHost : null);
        AssertVerify(client, leaf, null, "-purpose", "sslclient");
        AssertVerify(server, leaf, null, "-purpose", "sslserver");
        if (role == CertificateRole.Hub)
        {
            AssertVerify(true, leaf, null, "-purpose", "sslserver", "-verify_ip", HubHost);
            AssertVerify(false, leaf, null, "-purpose", "sslserver", "-verify_ip", "127.0.0.6");
        }
    }

    [NeedsFact(Needs.OpenSsl)]
    public void OpenSsl_refuses_each_faulty_variant_for_its_reason()
    {
        using var other = new TestAuthority("Another Root CA");
        AssertVerify(false, other.Issue(CertificateRole.Device, "other"), "unable to get local issuer", "-purpose", "sslclient");
        AssertVerify(false, ca.Expired(CertificateRole.Device, "old"), "certificate has expired", "-purpose", "sslclient");
        AssertVerify(false, ca.NotYetValid(CertificateRole.Device, "new"), "not yet valid", "-purpose", "sslclient");
        AssertVerify(false, ca.ServerAuthOnly("srv"), "certificate purpose", "-purpose", "sslclient");
        AssertVerify(true, ca.ServerAuthOnly("srv"), null, "-purpose", "sslserver");
        AssertVerify(false, ca.ClientAuthOnly("cli", HubHost), "certificate purpose", "-purpose", "sslserver");
        AssertVerify(false, ca.WithoutDigitalSignature("ke"), "certificate purpose", "-purpose", "sslclient");
        AssertVerify(false, TestAuthority.SelfSigned("self"), "self-signed certificate", "-purpose", "sslclient");
        // The CRL this CA signs is one OpenSSL reads: the revoked certificate fails -crl_check, another passes.
        var revoked = ca.Issue(CertificateRole.Device, "revoked");
        string crl = Write(".crl", ca.Crl([revoked]));
        AssertVerify(false, revoked, "revoked", "-purpose", "sslclient", "-crl_check", "-CRLfile", crl);
        AssertVerify(true, ca.Issue(CertificateRole.Device, "kept"), null, "-purpose", "sslclient", "-crl_check", "-CRLfile", crl);
    }

    private void AssertVerify(bool passes, X509Certificate2 leaf, string? expect, params string[] options)
    {
        string caFile = Write(".pem", System.Text.Encoding.ASCII.GetBytes(ca.Pem));
        string leafFile = Write(".pem", System.Text.Encoding.ASCII.GetBytes(leaf.ExportCertificatePem()));
        var (exit, output) = OpenSsl.Run(["verify", "-x509_strict", "-CAfile", caFile, .. options, leafFile]);
        Assert.True(passes == (exit == 0), $"openssl verify {string.Join(' ', options)} of {leaf.Subject}: {output}");
        if (expect is not null) Assert.Contains(expect, output, StringComparison.OrdinalIgnoreCase);
    }

    private string Write(string extension, byte[] data)
    {
        string path = Path.Combine(folder, $"f{Interlocked.Increment(ref files)}{extension}");
        var bytes = extension == ".crl" ? System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("X509 CRL", data)) : data;
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        ca.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}
