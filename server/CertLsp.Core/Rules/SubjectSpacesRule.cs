using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>
/// CL0106: a subject value that starts or ends with a space (or another visible-less space: no-break, ideographic).
/// Quoted values keep them; the CSR carries them and a CA comparing names sees another value. The fix trims.
/// </summary>
public sealed class SubjectSpacesRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        foreach (var (field, value) in SubjectScalars.All(manifest))
        {
            string text = value.Value;
            if (text.Length == 0 || !(IsSpace(text[0]) || IsSpace(text[^1]))) continue;
            string trimmed = Trim(text);
            if (trimmed.Length == 0) continue; // only spaces: empty, CL0101's finding
            diagnostics.Add(builder.SubjectValueSpaces(value, field.Label, trimmed));
        }
    }

    /// <summary>A space character; control characters (a tab, a line break) are CL0105's.</summary>
    private static bool IsSpace(char c) => char.IsWhiteSpace(c) && !char.IsControl(c);

    private static string Trim(string text)
    {
        int start = 0, end = text.Length;
        while (start < end && IsSpace(text[start])) start++;
        while (end > start && IsSpace(text[end - 1])) end--;
        return text[start..end];
    }
}
