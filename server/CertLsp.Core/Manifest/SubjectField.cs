namespace CertLsp.Core.Manifest;

/// <summary>How a subject attribute is encoded in a CSR (RFC 5280 / X.520).</summary>
public enum SubjectEncoding
{
    Utf8String,
    PrintableString,
    Ia5String,
}

/// <summary>A subject attribute the manifest sets: its YAML key, X.500 short name, limit and encoding.</summary>
public sealed record SubjectField(string Key, string ShortName, string Label, int MaxLength, bool Mandatory, SubjectEncoding Encoding)
{
    public static readonly SubjectField Country = new("country", "C", "country (C)", 2, true, SubjectEncoding.PrintableString);
    public static readonly SubjectField State = new("state", "ST", "state or province (ST)", 64, true, SubjectEncoding.Utf8String);
    public static readonly SubjectField Locality = new("locality", "L", "locality (L)", 64, true, SubjectEncoding.Utf8String);
    public static readonly SubjectField Organization = new("organization", "O", "organization (O)", 64, true, SubjectEncoding.Utf8String);
    public static readonly SubjectField OrganizationalUnit = new("organizationalUnit", "OU", "organizational unit (OU)", 64, true, SubjectEncoding.Utf8String);
    public static readonly SubjectField Email = new("email", "emailAddress", "email address", 64, false, SubjectEncoding.Ia5String);

    /// <summary>The common name: not set under subject, but computed per device (see CommonNames).</summary>
    public static readonly SubjectField CommonName = new("commonName", "CN", "common name (CN)", 64, true, SubjectEncoding.Utf8String);

    /// <summary>The fields set under "subject", in CSR order (C, ST, L, O, OU, then emailAddress after CN).</summary>
    public static IReadOnlyList<SubjectField> Configurable { get; } = [Country, State, Locality, Organization, OrganizationalUnit, Email];
}
