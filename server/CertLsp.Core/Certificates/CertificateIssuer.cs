using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertLsp.Core.Certificates;

/// <summary>What an issued certificate is for on a BACnet/SC site (ASHRAE 135 Annex AB.7.4): its extended key usages and names.
/// </summary>
public enum CertificateRole
{
    /// <summary>A device: connects to hubs (TLS client) and may accept direct connections (TLS server): clientAuth and serverAuth.
    /// </summary>
    Device,

    /// <summary>A hub: accepts nodes (TLS server) and, as a node itself, connects: clientAuth and serverAuth, and the hub's host in
    /// the subjectAltName (an IP address SAN for an IP host: peers match the URI host against the SAN, never the CN).</summary>
    Hub,

    /// <summary>A commissioning tool: only connects (TLS client): clientAuth.</summary>
    Tool,
}

/// <summary>
/// Issues certificates as a site's CA does, with what strict TLS peers (OpenSSL's <c>-x509_strict</c>, bac-py) require of every one
/// (RFC 5280 §4.2.1.1, §4.2.1.2, §4.2.1.3, §4.2.1.9): Authority and Subject Key Identifiers, basicConstraints CA:FALSE (critical),
/// keyUsage digitalSignature (critical; plus keyAgreement for an EC key), the extended key usages of the
/// <see cref="CertificateRole"/>, SHA-256. Pure: it is given the CA's certificate and key, the subject's public key (or its CSR) and
/// the validity; it reads and writes nothing.
/// </summary>
public sealed class CertificateIssuer
{
    public const string ServerAuth = CertificateUsage.ServerAuth;
    public const string ClientAuth = CertificateUsage.ClientAuth;

    private readonly X509Certificate2 issuer;
    private readonly X509SignatureGenerator generator;

    /// <param name="issuerCertificate">The CA's certificate (it must carry a Subject Key Identifier, as <see cref="CreateRoot"/>'s
    /// does: the issued certificates' Authority Key Identifier is taken from it).</param>
    /// <param name="issuerKey">The CA's private key, ECDSA or RSA (PKCS#1 v1.5 signatures).</param>
    public CertificateIssuer(X509Certificate2 issuerCertificate, AsymmetricAlgorithm issuerKey)
    {
        issuer = issuerCertificate;
        generator = Generator(issuerKey);
    }

    public X509Certificate2 IssuerCertificate => issuer;

    /// <summary>A self-signed root CA certificate: CA:TRUE (critical, no path length limit), keyCertSign and cRLSign (critical), a
    /// Subject Key Identifier, SHA-256.</summary>
    public static X509Certificate2 CreateRoot(X500DistinguishedName subject, AsymmetricAlgorithm key, DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        var request = key switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException($"a CA key must be ECDSA or RSA, not {key.GetType().Name}", nameof(key)),
        };
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// <summary>The extensions a certificate of <paramref name="role"/> for <paramref name="publicKey"/> carries. A hub names each
    /// of <paramref name="hubHosts"/> in its subjectAltName (an IP address SAN for an address, a dNSName otherwise).</summary>
    public IReadOnlyList<X509Extension> Extensions(CertificateRole role, PublicKey publicKey, IReadOnlyList<string>? hubHosts = null)
    {
        var keyUsage = X509KeyUsageFlags.DigitalSignature;
        // An EC key may also agree keys (ECDH): RFC 5480 §3 names keyAgreement for it; digitalSignature is what TLS 1.3 uses.
        if (publicKey.Oid.Value == "1.2.840.10045.2.1") keyUsage |= X509KeyUsageFlags.KeyAgreement;
        var purposes = new OidCollection { new Oid(ClientAuth) };
        if (role != CertificateRole.Tool) purposes.Add(new Oid(ServerAuth));
        var extensions = new List<X509Extension>
        {
            new X509BasicConstraintsExtension(false, false, 0, true),
            new X509KeyUsageExtension(keyUsage, true),
            new X509EnhancedKeyUsageExtension(purposes, false),
            new X509SubjectKeyIdentifierExtension(publicKey, false),
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false),
        };
        if (role == CertificateRole.Hub)
        {
            if (hubHosts is not { Count: > 0 }) throw new ArgumentException("a hub certificate names its host", nameof(hubHosts));
            var names = new SubjectAlternativeNameBuilder();
            foreach (var host in hubHosts)
            {
                if (IPAddress.TryParse(host, out var address)) names.AddIpAddress(address);
                else names.AddDnsName(host);
            }
            extensions.Add(names.Build(false));
        }
        return extensions;
    }

    /// <summary>Issues a certificate of <paramref name="role"/> for <paramref name="subject"/> and <paramref name="publicKey"/>, valid
    /// from <paramref name="notBefore"/> to <paramref name="notAfter"/>, with a random 128-bit serial number.</summary>
    public X509Certificate2 Issue(X500DistinguishedName subject, PublicKey publicKey, CertificateRole role, DateTimeOffset notBefore,
        DateTimeOffset notAfter, IReadOnlyList<string>? hubHosts = null) =>
        Issue(subject, publicKey, Extensions(role, publicKey, hubHosts), notBefore, notAfter);

    /// <summary>Issues a certificate with exactly <paramref name="extensions"/> (for certificates a role does not describe, such as
    /// the faulty ones tests need).</summary>
    public X509Certificate2 Issue(X500DistinguishedName subject, PublicKey publicKey, IEnumerable<X509Extension> extensions,
        DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(subject, publicKey, HashAlgorithmName.SHA256);
        foreach (var extension in extensions) request.CertificateExtensions.Add(extension);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive INTEGER (RFC 5280 §4.1.2.2)
        serial[0] |= 0x01; // of exactly 16 octets
        return request.Create(issuer.SubjectName, generator, notBefore, notAfter, serial);
    }

    /// <summary>Signs a PKCS#10 CSR (PEM): its subject and public key, the extensions of <paramref name="role"/> (the CSR's own
    /// extension requests are not copied: the CA decides what the certificate is for).</summary>
    public X509Certificate2 SignCsr(string csrPem, CertificateRole role, DateTimeOffset notBefore, DateTimeOffset notAfter,
        IReadOnlyList<string>? hubHosts = null)
    {
        var request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        return Issue(request.SubjectName, request.PublicKey, role, notBefore, notAfter, hubHosts);
    }

    private static X509SignatureGenerator Generator(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentException($"a CA key must be ECDSA or RSA, not {key.GetType().Name}", nameof(key)),
    };
}
