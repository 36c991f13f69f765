using System.Security.Cryptography.X509Certificates;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Certificates;

/// <summary>The subject a device's CSR carries, resolved from the site defaults and the device's overrides.</summary>
public sealed record DeviceSubject(string Country, string State, string Locality, string Organization, string OrganizationalUnit, string CommonName, string? Email)
{
    /// <summary>The subject of a device; the CN is the computed one unless a renewal keeps the CN of the previous CSR. Null when a mandatory field is missing (CL0101).</summary>
    public static DeviceSubject? For(SiteManifest manifest, DeviceEntry device, string? renewalCommonName = null)
    {
        string? Value(SubjectField field) => manifest.Effective(device, field)?.Value;
        string? cn = renewalCommonName ?? CommonNames.For(manifest, device)?.Value;
        if (Value(SubjectField.Country) is not { } c || Value(SubjectField.State) is not { } st || Value(SubjectField.Locality) is not { } l
            || Value(SubjectField.Organization) is not { } o || Value(SubjectField.OrganizationalUnit) is not { } ou || cn is null)
        {
            return null;
        }
        string? email = Value(SubjectField.Email);
        return new DeviceSubject(c, st, l, o, ou, cn, string.IsNullOrEmpty(email) ? null : email);
    }

    /// <summary>
    /// The distinguished name in the order C, ST, L, O, OU, CN, emailAddress: C as PrintableString, emailAddress as IA5String,
    /// the rest UTF8String. X500DistinguishedNameBuilder encodes in reverse order of the Add calls, so the calls run backwards.
    /// </summary>
    public X500DistinguishedName ToDistinguishedName()
    {
        var builder = new X500DistinguishedNameBuilder();
        if (Email is not null) builder.AddEmailAddress(Email);
        builder.AddCommonName(CommonName);
        builder.AddOrganizationalUnitName(OrganizationalUnit);
        builder.AddOrganizationName(Organization);
        builder.AddLocalityName(Locality);
        builder.AddStateOrProvinceName(State);
        builder.AddCountryOrRegion(Country);
        return builder.Build();
    }
}
