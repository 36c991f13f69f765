using System.Security.Cryptography;
using CertLsp.Core.Certificates;
using CertLsp.Core.Manifest;
using CertLsp.Core.Rules;

namespace CertLsp.Workflows.Requests;

/// <summary>
/// Where the CSRs of a site with device-held keys (key.source: device) come from: each device makes its own key pair and CSR
/// (over BACnet in the CLI; a fake in tests). The core stays free of the transport.
/// </summary>
public interface IDeviceCsrSource
{
    /// <summary>Asks one device for a CSR. A device that cannot give one is a failed outcome with its reason, not an exception.</summary>
    Task<DeviceCsrOutcome> RequestAsync(DeviceEntry device, CancellationToken cancellationToken);
}

/// <summary>A device's CSR (PEM or DER), or why there is none (for example the BACnet error that stopped it).</summary>
public sealed record DeviceCsrOutcome(byte[]? Csr, string? Failure)
{
    public static DeviceCsrOutcome Of(byte[] csr) => new(csr, null);

    public static DeviceCsrOutcome Failed(string why) => new(null, why);
}

/// <summary>Checks a CSR a device made before it goes into a zip: signature, subject as the manifest expects, key accepted by the CA
/// profile.</summary>
public static class DeviceCsrCheck
{
    /// <summary>The CSR's details and its PEM when acceptable, else why not.</summary>
    public static (CsrDetails? Details, string? Pem, string? Problem) Check(byte[] csr, DeviceSubject expected, string caProfile)
    {
        CsrDetails details;
        try
        {
            details = CsrGenerator.Read(csr);
        }
        catch (CryptographicException ex)
        {
            return (null, null, $"the device's CSR is malformed or its signature does not verify ({ex.Message})");
        }
        if (details.CommonName != expected.CommonName)
        {
            return (null, null, details.CommonName is null
                ? $"the device's CSR has no CN; the manifest expects “{expected.CommonName}”"
                : $"the device's CSR is for CN “{details.CommonName}”; the manifest expects “{expected.CommonName}”");
        }
        // Devices often cannot set every subject field (the CA fills them in from its profile): a field the CSR leaves out is
        // accepted, a field it carries must be the manifest's value.
        foreach (var rdn in expected.ToDistinguishedName().EnumerateRelativeDistinguishedNames())
        {
            string oid = rdn.GetSingleElementType().Value ?? "";
            string? want = rdn.GetSingleElementValue();
            if (details.Subject.TryGetValue(oid, out var have) && have != want)
            {
                string label = rdn.GetSingleElementType().FriendlyName ?? oid;
                return (null, null, $"the device's CSR has {label} “{have}”; the manifest expects “{want}”");
            }
        }
        if (KeyProfileRule.Profiles.TryGetValue(caProfile, out var profile)
            && !profile.RsaBits.Select(b => $"RSA {b}").Concat(profile.Curves.Select(c => $"ECDSA {c}")).Contains(details.KeyType))
        {
            return (null, null, $"the device's key is {details.KeyType}; the CA profile “{caProfile}” accepts {profile.Text}");
        }
        return (details, PemEncoding.WriteString("CERTIFICATE REQUEST", Der(csr)) + "\n", null);
    }

    /// <summary>The DER of a CSR given as PEM (the first CERTIFICATE REQUEST block; anything around it is dropped) or as DER.</summary>
    private static byte[] Der(byte[] csr)
    {
        string text = System.Text.Encoding.ASCII.GetString(csr);
        if (!text.Contains("-----BEGIN", StringComparison.Ordinal)) return csr;
        var fields = PemEncoding.Find(text);
        return Convert.FromBase64String(text[fields.Base64Data]);
    }
}
