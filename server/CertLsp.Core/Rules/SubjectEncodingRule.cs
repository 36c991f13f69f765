using System.Globalization;
using System.Text;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>
/// CL0105: characters a field's ASN.1 string type cannot hold: C is a PrintableString, emailAddress an IA5String (ASCII),
/// the rest UTF8String (which holds any character, but CAs reject control characters), or PrintableString under
/// “ca.subjectEncoding: printable”.
/// </summary>
public sealed class SubjectEncodingRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        bool printable = manifest.Ca.PrintableSubject;
        foreach (var (field, value) in SubjectScalars.All(manifest))
        {
            CheckValue(field, SubjectStrings.EncodingOf(field, printable), value.Value, value.Span, builder, diagnostics);
        }
        foreach (var device in manifest.Devices)
        {
            // As CommonNames computes the CN: surrounding whitespace (the line break a block scalar keeps) is not part of it.
            var source = device.CommonName ?? device.Name;
            if (source is not null) CheckValue(SubjectField.CommonName, SubjectStrings.EncodingOf(SubjectField.CommonName, printable),
                source.Value.Trim(), source.Span, builder, diagnostics);
        }
    }

    private static void CheckValue(SubjectField field, SubjectEncoding type, string value, Text.TextSpan span, DiagnosticBuilder builder,
        ICollection<Diagnostic> diagnostics)
    {
        // Printable ASCII (space to "~") fits every field but a PrintableString: most values are that and need no closer look.
        if (type != SubjectEncoding.PrintableString && !value.AsSpan().ContainsAnyExceptInRange(' ', '~')) return;
        foreach (var rune in value.EnumerateRunes())
        {
            if (Allowed(type, rune)) continue;
            (string encoding, string allowed) = type switch
            {
                SubjectEncoding.PrintableString when field == SubjectField.Country => ("a PrintableString", "Use the letters A-Z."),
                SubjectEncoding.PrintableString => ("a PrintableString (“ca.subjectEncoding: printable”)",
                    $"Use letters, digits, spaces and {string.Join(" ", SubjectStrings.PrintableExtra.Trim().ToCharArray())} only, or " +
                    $"set “subjectEncoding: utf8” if the CA accepts UTF8String."),
                SubjectEncoding.Ia5String => ("an IA5String (ASCII)", "Use an address made of ASCII characters only."),
                _ => ("a certificate field", "Remove control characters."),
            };
            diagnostics.Add(builder.NotEncodable(span, field.Label, value, Describe(rune), encoding, allowed));
            return;
        }
    }

    public static bool Allowed(SubjectEncoding encoding, Rune rune) => SubjectStrings.Allowed(encoding, rune);

    private static string Describe(Rune rune) =>
        Rune.IsControl(rune) ? $"the control character U+{rune.Value:X4}"
        : rune == Rune.ReplacementChar ? "“\uFFFD” (U+FFFD, left by a broken encoding or an unpaired surrogate)"
        : $"“{rune}” (U+{rune.Value.ToString("X4", CultureInfo.InvariantCulture)})";
}
