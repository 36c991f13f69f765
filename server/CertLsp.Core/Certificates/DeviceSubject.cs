using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;

namespace CertLsp.Core.Certificates;

/// <summary>The subject a device's CSR carries, resolved from the site defaults and the device's overrides.</summary>
/// <param name="Printable">“ca.subjectEncoding: printable”: ST, L, O, OU and CN as PrintableString where the value allows it.</param>
public sealed record DeviceSubject(string Country, string State, string Locality, string Organization, string OrganizationalUnit,
    string CommonName, string? Email, bool Printable = false)
{
    /// <summary>The subject of a device; the CN is the computed one unless a renewal keeps the CN of the previous CSR. Null when a
    /// mandatory field is missing (CL0101).</summary>
    public static DeviceSubject? For(SiteManifest manifest, DeviceEntry device, string? renewalCommonName = null) =>
        Of(manifest, field => manifest.Effective(device, field), renewalCommonName ?? CommonNames.For(manifest, device)?.Value);

    /// <summary>The subject of the commissioning tool's BACnet/SC certificate (“bacnet.secureConnect.tool”): its own subject fields, else
    /// the site defaults; its CN from its name unless a renewal keeps the previous one. Null without a tool or when a field is
    /// missing.</summary>
    public static DeviceSubject? ForTool(SiteManifest manifest, string? renewalCommonName = null) =>
        manifest.Bacnet.SecureConnect?.Tool is not { } tool ? null
            : Of(manifest, field => tool.Subject.Get(field) ?? manifest.Subject.Get(field),
                renewalCommonName ?? CommonNames.ForTool(manifest)?.Value);

    private static DeviceSubject? Of(SiteManifest manifest, Func<SubjectField, Yaml.YamlScalar?> effective, string? cn)
    {
        string? Value(SubjectField field) => effective(field)?.Value;
        if (Value(SubjectField.Country) is not { } c || Value(SubjectField.State) is not { } st || Value(SubjectField.Locality) is not { } l
            || Value(SubjectField.Organization) is not { } o || Value(SubjectField.OrganizationalUnit) is not { } ou || cn is null)
        {
            return null;
        }
        string? email = Value(SubjectField.Email);
        return new DeviceSubject(c, st, l, o, ou, cn, string.IsNullOrEmpty(email) ? null : email, manifest.Ca.PrintableSubject);
    }

    /// <summary>
    /// The distinguished name in the order C, ST, L, O, OU, CN, emailAddress: C as PrintableString, emailAddress as IA5String,
    /// the rest UTF8String, or PrintableString under <see cref="Printable"/> where the value allows it (CL0105 reports a
    /// value that does not). X500DistinguishedNameBuilder encodes in reverse order of the Add calls, so the calls run backwards.
    /// </summary>
    public X500DistinguishedName ToDistinguishedName()
    {
        var builder = new X500DistinguishedNameBuilder();
        if (Email is not null) builder.AddEmailAddress(Email);
        Add(builder, SubjectField.CommonName, CommonName);
        Add(builder, SubjectField.OrganizationalUnit, OrganizationalUnit);
        Add(builder, SubjectField.Organization, Organization);
        Add(builder, SubjectField.Locality, Locality);
        Add(builder, SubjectField.State, State);
        builder.AddCountryOrRegion(Country);
        return builder.Build();
    }

    private void Add(X500DistinguishedNameBuilder builder, SubjectField field, string value)
    {
        var type = SubjectStrings.EncodingOf(field, Printable) == SubjectEncoding.PrintableString
            && SubjectStrings.CanHold(SubjectEncoding.PrintableString, value)
            ? UniversalTagNumber.PrintableString
            : UniversalTagNumber.UTF8String;
        builder.Add(Oids[field], value, type);
    }

    private static readonly Dictionary<SubjectField, string> Oids = new()
    {
        [SubjectField.CommonName] = "2.5.4.3",
        [SubjectField.Locality] = "2.5.4.7",
        [SubjectField.State] = "2.5.4.8",
        [SubjectField.Organization] = "2.5.4.10",
        [SubjectField.OrganizationalUnit] = "2.5.4.11",
    };
}
