using System.Formats.Asn1;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertLsp.Bacnet.SecureConnect;

/// <summary>Which side of a BACnet/SC connection the verified peer is, and so which purpose its certificate needs.</summary>
public enum ScPeerRole
{
    /// <summary>A node connecting (a hub, or a direct-connect acceptor, verifies it): extendedKeyUsage clientAuth.</summary>
    Node,

    /// <summary>A hub (or a direct-connect acceptor) a node connects to: extendedKeyUsage serverAuth, and the host of the URI the node
    /// connected to in the subjectAltName (an IP address SAN for an IP host, a dNSName otherwise; never the CN).</summary>
    Hub,
}

/// <summary>
/// Verifies a BACnet/SC peer's certificate as Annex AB.7.4 and strict peers (OpenSSL <c>-x509_strict</c>, bac-py) do: signed
/// directly by one of the site's configured issuer certificates (the signature checked here with the issuer's public key; neither
/// the operating system's trust store nor the network is consulted), inside its dates and its issuer's, not revoked by a
/// configured CRL of that issuer (which must itself verify and be current), not a CA, keyUsage (when present) with
/// digitalSignature, extendedKeyUsage (when present) with the purpose of its role, and for a hub its host in the subjectAltName.
/// A peer sends its leaf only (bacnet-stack does), so certificates it sends beside the leaf are not used.
/// </summary>
/// <remarks>Every answer is null (accepted) or one reason in words, the first that applies in the order above.</remarks>
public sealed class ScPeerVerifier
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string AnyExtendedKeyUsage = "2.5.29.37.0";

    private readonly IReadOnlyList<X509Certificate2> issuers;
    private readonly IReadOnlyList<RevocationList> crls;
    private readonly TimeProvider clock;

    /// <param name="issuers">The site's issuer certificates (one or more): a peer's certificate must be signed by one of them.</param>
    /// <param name="crls">CRLs (DER or PEM), each applied to the certificates of the issuer that signed it.</param>
    /// <param name="clock">The time the dates are checked against (the system's when null).</param>
    public ScPeerVerifier(IEnumerable<X509Certificate2> issuers, IEnumerable<byte[]>? crls = null, TimeProvider? clock = null)
    {
        this.issuers = [.. issuers];
        if (this.issuers.Count == 0)
            throw new ArgumentException("a BACnet/SC peer is verified against at least one issuer", nameof(issuers));
        this.crls = [.. (crls ?? []).Select(RevocationList.Read)];
        this.clock = clock ?? TimeProvider.System;
    }

    /// <summary>Why <paramref name="certificate"/> is refused for <paramref name="role"/> (<paramref name="hubHost"/>: the host of
    /// the URI connected to, for <see cref="ScPeerRole.Hub"/>), or null when it is accepted.</summary>
    public string? Verify(X509Certificate2? certificate, ScPeerRole role, string? hubHost = null)
    {
        if (certificate is null) return "no certificate";
        var now = clock.GetUtcNow();
        if (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) && SignedBy(certificate.RawData,
            certificate))
            return $"self-signed ({certificate.Subject})";
        var issuer = issuers.FirstOrDefault(i => SignedBy(certificate.RawData, i));
        if (issuer is null) return $"certificate from another CA (issued by {Name(certificate.IssuerName)}, not by a configured issuer)";
        if (now < certificate.NotBefore) return $"not yet valid (valid from {Time(certificate.NotBefore)})";
        if (now > certificate.NotAfter) return $"expired on {Time(certificate.NotAfter)}";
        if (now > issuer.NotAfter || now < issuer.NotBefore)
            return $"its issuer {Name(issuer.SubjectName)} is outside its validity ({Time(issuer.NotBefore)} to {Time(issuer.NotAfter)})";
        if (Revocation(certificate, issuer, now) is { } revoked) return revoked;
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true })
            return "a CA certificate (basicConstraints CA:TRUE), not an end entity";
        if (certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage
            && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
            return $"keyUsage lacks digitalSignature (it has {usage.KeyUsages})";
        string purpose = role == ScPeerRole.Node ? ClientAuth : ServerAuth;
        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku)
        {
            var purposes = eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToList();
            if (!purposes.Contains(purpose) && !purposes.Contains(AnyExtendedKeyUsage))
                return $"no {(role == ScPeerRole.Node ? "clientAuth" : "serverAuth")} in extended key usage (it has " +
                    $"{string.Join(", ", purposes.Select(PurposeName))})";
        }
        return role == ScPeerRole.Hub ? HostProblem(certificate, hubHost) : null;
    }

    /// <summary>The hub connector's check (<see cref="ScCertificateCheck"/>): the hub's certificate for <paramref name="hub"/>'s
    /// host. Certificates sent beside the leaf are not used.</summary>
    public string? CheckHub(Uri hub, X509Certificate2 certificate, X509Certificate2Collection? presented) =>
        Verify(certificate, ScPeerRole.Hub, hub.Host);

    /// <summary>The check for an entry point that wants a delegate: null accepts, else the reason. The certificates a peer sends
    /// beside its leaf are not used.</summary>
    public Func<X509Certificate2, X509Certificate2Collection?, string?> For(ScPeerRole role, string? hubHost = null) =>
        (certificate, _) => Verify(certificate, role, hubHost);

    /// <summary>An <see cref="SslStream"/> callback: accepts exactly what <see cref="Verify"/> accepts (the platform's own chain
    /// verdict is ignored: it consults the operating system's trust store) and tells <paramref name="refused"/> why it refused.
    /// </summary>
    public RemoteCertificateValidationCallback Callback(ScPeerRole role, string? hubHost = null, Action<string>? refused = null) =>
        (_, certificate, _, _) =>
        {
            var reason = Verify(certificate switch
            {
                null => null,
                X509Certificate2 full => full,
                _ => X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()),
            }, role, hubHost);
            if (reason is not null) refused?.Invoke(reason);
            return reason is null;
        };

    private static string PurposeName(string? oid) => oid switch
    {
        ServerAuth => "serverAuth",
        ClientAuth => "clientAuth",
        AnyExtendedKeyUsage => "anyExtendedKeyUsage",
        _ => oid ?? "?",
    };

    private static string? HostProblem(X509Certificate2 certificate, string? host)
    {
        if (string.IsNullOrEmpty(host)) return "no hub host to match the certificate against";
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (names is null) return $"no subjectAltName: the hub host {host} must be named there (the CN is not used)";
        var bare = host.Trim('[', ']');
        bool match = IPAddress.TryParse(bare, out var address)
            ? names.EnumerateIPAddresses().Any(a => a.Equals(address))
            : names.EnumerateDnsNames().Any(n => string.Equals(n.TrimEnd('.'), bare.TrimEnd('.'), StringComparison.OrdinalIgnoreCase));
        if (match) return null;
        var named = names.EnumerateIPAddresses().Select(a => a.ToString()).Concat(names.EnumerateDnsNames()).ToList();
        return $"the subjectAltName does not name the hub host {host} (it names {(named.Count == 0 ? "nothing usable" :
            string.Join(", ", named))}; the CN is not used)";
    }

    private string? Revocation(X509Certificate2 certificate, X509Certificate2 issuer, DateTimeOffset now)
    {
        foreach (var crl in crls.Where(c => c.Issuer.AsSpan().SequenceEqual(issuer.SubjectName.RawData)))
        {
            if (!SignedBy(crl.Der, issuer)) return $"the CRL of {Name(issuer.SubjectName)} does not verify with the issuer's key";
            if (now < crl.ThisUpdate) return $"the CRL of {Name(issuer.SubjectName)} is not yet valid (issued {Time(crl.ThisUpdate)})";
            if (crl.NextUpdate is { } next && now > next)
                return $"the CRL of {Name(issuer.SubjectName)} is out of date (next update was {Time(next)})";
            if (crl.Revoked.TryGetValue(Convert.ToHexString(certificate.SerialNumberBytes.Span), out var when))
                return $"revoked (CRL of {Name(issuer.SubjectName)} issued {Time(crl.ThisUpdate)}: revoked on {Time(when)})";
        }
        return null;
    }

    /// <summary>Whether a signed X.509 structure (certificate or CRL: SEQUENCE of to-be-signed, algorithm, signature) carries
    /// a signature made with <paramref name="issuer"/>'s key. ECDSA and RSA PKCS#1 v1.5 with SHA-256/384/512.</summary>
    internal static bool SignedBy(ReadOnlyMemory<byte> signed, X509Certificate2 issuer)
    {
        try
        {
            var outer = new AsnReader(signed, AsnEncodingRules.DER).ReadSequence();
            var toBeSigned = outer.ReadEncodedValue();
            var algorithm = outer.ReadSequence().ReadObjectIdentifier();
            var signature = outer.ReadBitString(out _);
            HashAlgorithmName? hash = algorithm switch
            {
                "1.2.840.10045.4.3.2" or "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
                "1.2.840.10045.4.3.3" or "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
                "1.2.840.10045.4.3.4" or "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
                _ => null,
            };
            if (hash is not { } h) return false;
            if (algorithm.StartsWith("1.2.840.10045", StringComparison.Ordinal))
            {
                using var ec = issuer.GetECDsaPublicKey();
                return ec is not null && ec.VerifyData(toBeSigned.Span, signature, h, DSASignatureFormat.Rfc3279DerSequence);
            }
            using var rsa = issuer.GetRSAPublicKey();
            return rsa is not null && rsa.VerifyData(toBeSigned.Span, signature, h, RSASignaturePadding.Pkcs1);
        }
        catch (AsnContentException) { return false; }
        catch (CryptographicException) { return false; }
    }

    private static string Name(X500DistinguishedName name) => name.Name.Length == 0 ? "an empty name" : name.Name;

    private static string Time(DateTime time) => Time(new DateTimeOffset(time.ToUniversalTime(), TimeSpan.Zero));

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A CRL as far as the verifier reads it (RFC 5280 §5.1): issuer, dates, revoked serial numbers (hex) and dates.</summary>
    private sealed record RevocationList(byte[] Der, byte[] Issuer, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate,
        Dictionary<string, DateTimeOffset> Revoked)
    {
        public static RevocationList Read(byte[] bytes)
        {
            var der = bytes;
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            if (PemEncoding.TryFind(text, out var pem) && text[pem.Label] == "X509 CRL")
                der = Convert.FromBase64String(text[pem.Base64Data]);
            try
            {
                var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
                if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) tbs.ReadInteger();
                tbs.ReadSequence();
                var issuer = tbs.ReadEncodedValue().ToArray();
                var thisUpdate = ReadTime(tbs);
                DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
                var revoked = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
                if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
                {
                    var entries = tbs.ReadSequence();
                    while (entries.HasData)
                    {
                        var entry = entries.ReadSequence();
                        revoked[Convert.ToHexString(entry.ReadIntegerBytes().Span)] = ReadTime(entry);
                    }
                }
                return new RevocationList(der, issuer, thisUpdate, nextUpdate, revoked);
            }
            catch (AsnContentException e)
            {
                throw new ArgumentException($"a configured CRL cannot be read: {e.Message}", nameof(bytes), e);
            }
        }

        private static bool IsTime(Asn1Tag tag) =>
            tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

        private static DateTimeOffset ReadTime(AsnReader reader) =>
            reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
    }
}
