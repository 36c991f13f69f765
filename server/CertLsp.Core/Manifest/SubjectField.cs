using System.Text;

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
    public static readonly SubjectField OrganizationalUnit =
        new("organizationalUnit", "OU", "organizational unit (OU)", 64, true, SubjectEncoding.Utf8String);
    public static readonly SubjectField Email = new("email", "emailAddress", "email address", 64, false, SubjectEncoding.Ia5String);

    /// <summary>The common name: not set under subject, but computed per device (see CommonNames).</summary>
    public static readonly SubjectField CommonName = new("commonName", "CN", "common name (CN)", 64, true, SubjectEncoding.Utf8String);

    /// <summary>The fields set under "subject", in CSR order (C, ST, L, O, OU, then emailAddress after CN).</summary>
    public static IReadOnlyList<SubjectField> Configurable { get; } = [Country, State, Locality, Organization, OrganizationalUnit, Email];
}

/// <summary>Which characters each ASN.1 string type of a subject attribute can hold.</summary>
public static class SubjectStrings
{
    /// <summary>PrintableString (X.680): letters, digits and these.</summary>
    public const string PrintableExtra = " '()+,-./:=?";

    public static bool Allowed(SubjectEncoding encoding, Rune rune) => encoding switch
    {
        SubjectEncoding.PrintableString => rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value)
            || PrintableExtra.Contains((char)rune.Value)),
        SubjectEncoding.Ia5String => rune.IsAscii && !Rune.IsControl(rune),
        _ => !Rune.IsControl(rune) && rune != Rune.ReplacementChar,
    };

    public static bool CanHold(SubjectEncoding encoding, string value)
    {
        foreach (var rune in value.EnumerateRunes())
        {
            if (!Allowed(encoding, rune)) return false;
        }
        return true;
    }

    /// <summary>
    /// The type a field is encoded with: C is always a PrintableString and emailAddress an IA5String; the other
    /// directory strings are UTF8String, or PrintableString under “ca.subjectEncoding: printable”.
    /// </summary>
    public static SubjectEncoding EncodingOf(SubjectField field, bool printable) =>
        printable && field.Encoding == SubjectEncoding.Utf8String ? SubjectEncoding.PrintableString : field.Encoding;
}
