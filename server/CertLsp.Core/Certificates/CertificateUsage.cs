using System.Security.Cryptography.X509Certificates;

namespace CertLsp.Core.Certificates;

/// <summary>
/// What a device certificate must be usable for, per CA profile (ca.profile), and the names it may carry. A device of a BACnet/SC
/// site connects (TLS client) and accepts connections (TLS server, as hub or direct-connect acceptor), signing the handshake with its key:
/// <list type="bullet">
/// <item><c>bacnet-sc</c> and <c>enos</c>: keyUsage present with digitalSignature; extendedKeyUsage present with both clientAuth and
/// serverAuth.
/// A certificate without extendedKeyUsage is refused: peers that check it (and the CA profile) expect the purposes named.</item>
/// <item><c>generic</c>: keyUsage, when present, with digitalSignature; extendedKeyUsage, when present, with clientAuth and serverAuth (or
/// anyExtendedKeyUsage). Without the extension a certificate is good for any purpose (RFC 5280 §4.2.1.3, §4.2.1.12) and is accepted.</item>
/// </list>
/// A device certificate names one host: a wildcard in its CN or in a subjectAltName dNSName is refused whatever the profile.
/// </summary>
public static class CertificateUsage
{
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string AnyExtendedKeyUsage = "2.5.29.37.0";

    private static readonly Dictionary<string, string> PurposeNames = new(StringComparer.Ordinal)
    {
        [ServerAuth] = "serverAuth", [ClientAuth] = "clientAuth", ["1.3.6.1.5.5.7.3.3"] = "codeSigning", ["1.3.6.1.5.5.7.3.4"] =
            "emailProtection",
        ["1.3.6.1.5.5.7.3.8"] = "timeStamping", ["1.3.6.1.5.5.7.3.9"] = "OCSPSigning", [AnyExtendedKeyUsage] = "anyExtendedKeyUsage",
    };

    private static readonly (X509KeyUsageFlags Flag, string Name)[] UsageNames =
    [
        (X509KeyUsageFlags.DigitalSignature, "digitalSignature"), (X509KeyUsageFlags.NonRepudiation, "nonRepudiation"),
        (X509KeyUsageFlags.KeyEncipherment, "keyEncipherment"), (X509KeyUsageFlags.DataEncipherment, "dataEncipherment"),
        (X509KeyUsageFlags.KeyAgreement, "keyAgreement"), (X509KeyUsageFlags.KeyCertSign, "keyCertSign"),
            (X509KeyUsageFlags.CrlSign, "cRLSign"),
        (X509KeyUsageFlags.EncipherOnly, "encipherOnly"), (X509KeyUsageFlags.DecipherOnly, "decipherOnly"),
    ];

    /// <summary>True when the profile lets a certificate leave out keyUsage and extendedKeyUsage (any purpose).</summary>
    public static bool AllowsAnyPurpose(string profile) => profile == "generic";

    /// <summary>Why the certificate cannot serve a device of this CA profile (naming the missing usage), or null when it can.</summary>
    public static string? Problem(X509Certificate2 certificate, string profile)
    {
        bool lenient = AllowsAnyPurpose(profile);
        string needs = $"the CA profile “{profile}” needs";
        if (KeyUsageProblem(certificate, profile) is { } keyUsageProblem) return keyUsageProblem;

        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is null)
        {
            return lenient ? null
                : $"it has no extendedKeyUsage: {needs} clientAuth and serverAuth (BACnet/SC devices connect and accept connections)";
        }
        var purposes = eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value ?? "").ToList();
        if (lenient && purposes.Contains(AnyExtendedKeyUsage)) return null;
        var missing = new[] { (ClientAuth, "clientAuth"), (ServerAuth, "serverAuth") }.Where(p => !purposes.Contains(p.Item1)).Select(p =>
            p.Item2).ToList();
        if (missing.Count == 0) return null;
        string has = purposes.Count == 0 ? "no purpose" : string.Join(", ", purposes.Select(p => PurposeNames.GetValueOrDefault(p, p)));
        return $"its extendedKeyUsage lacks {string.Join(" and ", missing)} (it has {has}): {needs} clientAuth and serverAuth (BACnet/SC " +
            $"devices connect and accept connections)";
    }

    /// <summary>
    /// Why the certificate cannot serve the commissioning tool (a TLS client that signs its handshakes) under this CA profile: its
    /// keyUsage as a device's; its extendedKeyUsage is recorded and judged by the tool's rule (CL0409, clientAuth), not here.
    /// </summary>
    public static string? ToolProblem(X509Certificate2 certificate, string profile) => KeyUsageProblem(certificate, profile);

    private static string? KeyUsageProblem(X509Certificate2 certificate, string profile)
    {
        string needs = $"the CA profile “{profile}” needs";
        var keyUsage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (keyUsage is null)
        {
            return AllowsAnyPurpose(profile) ? null
                : $"it has no keyUsage: {needs} keyUsage digitalSignature (the device signs its TLS handshakes)";
        }
        return keyUsage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature) ? null
            : $"its keyUsage lacks digitalSignature (it has {KeyUsageText(keyUsage.KeyUsages)}): {needs} digitalSignature (the " +
                $"device signs its TLS handshakes)";
    }

    /// <summary>
    /// The certificate's extendedKeyUsage purposes as the ledger records them: names for the usual ones (clientAuth, serverAuth …),
    /// dotted OIDs for others; empty when it has no such extension (any purpose).
    /// </summary>
    public static System.Collections.Immutable.ImmutableArray<string> ExtendedKeyUsageNames(X509Certificate2 certificate)
    {
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is null) return [];
        return [.. eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value ?? "")
            .Where(v => v.Length > 0).Select(v => PurposeNames.GetValueOrDefault(v, v))];
    }

    /// <summary>Why the certificate names more than one host (a wildcard CN or subjectAltName dNSName), or null.</summary>
    public static string? WildcardProblem(X509Certificate2 certificate)
    {
        if (CertificateFiles.CommonName(certificate) is { } cn && cn.Contains('*', StringComparison.Ordinal))
            return $"its CN “{cn}” is a wildcard: a device certificate names exactly one host";
        try
        {
            foreach (var san in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
            {
                foreach (var dns in san.EnumerateDnsNames())
                {
                    if (dns.Contains('*',
                        StringComparison.Ordinal)) return $"its subjectAltName dNSName “{dns}” is a wildcard: a device certificate names " +
                        $"exactly one host";
                }
            }
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            return $"its subjectAltName cannot be read ({ex.Message})";
        }
        return null;
    }

    private static string KeyUsageText(X509KeyUsageFlags flags)
    {
        var names = UsageNames.Where(u => flags.HasFlag(u.Flag)).Select(u => u.Name).ToList();
        return names.Count == 0 ? "no usage" : string.Join(", ", names);
    }
}
