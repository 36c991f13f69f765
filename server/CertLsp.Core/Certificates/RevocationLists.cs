using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace CertLsp.Core.Certificates;

/// <summary>Certificate revocation lists, each accepted only when one of the configured issuers signed it.</summary>
public sealed class RevocationLists
{
    private readonly List<(string Name, X509Crl Crl, X509Certificate2 Issuer)> lists;

    private RevocationLists(List<(string, X509Crl, X509Certificate2)> lists) => this.lists = lists;

    public static RevocationLists None { get; } = new([]);

    public int Count => lists.Count;

    /// <summary>Reads CRLs (PEM or DER). Throws <see cref="FormatException"/> for one that is malformed or not signed by a configured
    /// issuer.</summary>
    public static RevocationLists Load(IEnumerable<(string Name, byte[] Data)> files, IReadOnlyList<X509Certificate2> issuers)
    {
        var result = new List<(string, X509Crl, X509Certificate2)>();
        foreach (var (name, data) in files)
        {
            X509Crl crl;
            try
            {
                crl = new X509CrlParser().ReadCrl(data) ?? throw new FormatException($"{name}: not a CRL");
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or InvalidCastException
                or Org.BouncyCastle.Security.Certificates.CrlException)
            {
                throw new FormatException($"{name}: not a readable CRL ({ex.Message})", ex);
            }
            var signer = issuers.FirstOrDefault(i => Verifies(crl, i))
                ?? throw new FormatException($"{name}: the CRL is not signed by a configured issuer certificate");
            result.Add((name, crl, signer));
        }
        return new RevocationLists(result);
    }

    private static bool Verifies(X509Crl crl, X509Certificate2 issuer)
    {
        try
        {
            var bcIssuer = new X509CertificateParser().ReadCertificate(issuer.RawData);
            if (!crl.IssuerDN.Equivalent(bcIssuer.SubjectDN)) return false;
            crl.Verify(bcIssuer.GetPublicKey());
            return true;
        }
        catch (Exception ex) when (ex is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.SignatureException
            or Org.BouncyCastle.Security.Certificates.CrlException or InvalidCastException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>When the certificate of this serial (hex) from this issuer (its subject name) was revoked, or null.</summary>
    public DateTimeOffset? RevokedAt(string serialHex, string issuerName)
    {
        var serial = new BigInteger(serialHex, 16);
        foreach (var (_, crl, issuer) in lists)
        {
            if (issuer.SubjectName.Name != issuerName) continue;
            if (crl.GetRevokedCertificate(serial) is { } entry) return new DateTimeOffset(
                DateTime.SpecifyKind(entry.RevocationDate, DateTimeKind.Utc));
        }
        return null;
    }

    /// <summary>
    /// The CRLs whose nextUpdate is past at <paramref name="now"/>: the CA has published (or should have) a newer one, so such a list
    /// proves nothing about certificates it does not name (RFC 5280 §5.1.2.5). What it names stays revoked.
    /// </summary>
    public IReadOnlyList<(string Name, DateTimeOffset NextUpdate)> ExpiredAt(DateTimeOffset now) =>
        [.. lists.Where(l => NextUpdate(l.Crl) is { } next && next < now).Select(l => (l.Name, NextUpdate(l.Crl)!.Value))];

    /// <summary>
    /// Whether a CRL was given for this issuer (its subject name) and every one of them is expired: then its latest nextUpdate, the
    /// moment up to which non-revocation was last proven. Null when a current CRL of the issuer was given, or none at all.
    /// </summary>
    public DateTimeOffset? ExpiredFor(string issuerName, DateTimeOffset now)
    {
        var mine = lists.Where(l => l.Issuer.SubjectName.Name == issuerName).ToList();
        if (mine.Count == 0 || mine.Any(l => NextUpdate(l.Crl) is not { } next || next >= now)) return null;
        return mine.Max(l => NextUpdate(l.Crl)!.Value);
    }

    /// <summary>Whether a current (not expired) CRL of this issuer was given.</summary>
    public bool CurrentFor(string issuerName, DateTimeOffset now) =>
        lists.Any(l => l.Issuer.SubjectName.Name == issuerName && (NextUpdate(l.Crl) is not { } next || next >= now));

    private static DateTimeOffset? NextUpdate(X509Crl crl) =>
        crl.NextUpdate is { } next ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) : null;
}
