using System.Globalization;
using System.Text;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>
/// CL0105: characters a field's ASN.1 string type cannot hold: C is a PrintableString, emailAddress an IA5String (ASCII),
/// the rest UTF8String (which holds any character, but CAs reject control characters).
/// </summary>
public sealed class SubjectEncodingRule : IManifestRule
{
    private const string PrintableExtra = " '()+,-./:=?";

    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        foreach (var (field, value) in SubjectScalars.All(manifest))
        {
            CheckValue(field, value.Value, value.Span, builder, diagnostics);
        }
        foreach (var device in manifest.Devices)
        {
            // As CommonNames computes the CN: surrounding whitespace (the line break a block scalar keeps) is not part of it.
            var source = device.CommonName ?? device.Name;
            if (source is not null) CheckValue(SubjectField.CommonName, source.Value.Trim(), source.Span, builder, diagnostics);
        }
    }

    private static void CheckValue(SubjectField field, string value, Text.TextSpan span, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        // Printable ASCII (space to "~") fits every field but C: most values are that and need no closer look.
        if (field.Encoding != SubjectEncoding.PrintableString && !value.AsSpan().ContainsAnyExceptInRange(' ', '~')) return;
        foreach (var rune in value.EnumerateRunes())
        {
            if (Allowed(field.Encoding, rune)) continue;
            (string encoding, string allowed) = field.Encoding switch
            {
                SubjectEncoding.PrintableString => ("a PrintableString", "Use the letters A-Z."),
                SubjectEncoding.Ia5String => ("an IA5String (ASCII)", "Use an address made of ASCII characters only."),
                _ => ("a certificate field", "Remove control characters."),
            };
            diagnostics.Add(builder.NotEncodable(span, field.Label, value, Describe(rune), encoding, allowed));
            return;
        }
    }

    public static bool Allowed(SubjectEncoding encoding, Rune rune) => encoding switch
    {
        SubjectEncoding.PrintableString => rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || PrintableExtra.Contains((char)rune.Value)),
        SubjectEncoding.Ia5String => rune.IsAscii && !Rune.IsControl(rune),
        _ => !Rune.IsControl(rune) && rune != Rune.ReplacementChar,
    };

    private static string Describe(Rune rune) =>
        Rune.IsControl(rune) ? $"the control character U+{rune.Value:X4}"
        : rune == Rune.ReplacementChar ? "“\uFFFD” (U+FFFD, left by a broken encoding or an unpaired surrogate)"
        : $"“{rune}” (U+{rune.Value.ToString("X4", CultureInfo.InvariantCulture)})";
}
