using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>CL0104: the subject's email address must be a plain addr-spec: local@domain with a valid DNS domain.</summary>
public sealed class EmailRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        foreach (var value in SubjectScalars.Of(manifest, SubjectField.Email))
        {
            if (Problem(value.Value) is { } reason) diagnostics.Add(builder.InvalidEmail(value.Span, value.Value, reason));
        }
    }

    public static string? Problem(string email)
    {
        int at = email.LastIndexOf('@');
        if (at < 0) return "it has no “@”";
        if (email.IndexOf('@') != at) return "it has more than one “@”";
        string local = email[..at];
        string domain = email[(at + 1)..];
        if (local.Length == 0) return "nothing stands before the “@”";
        if (local.Length > 64) return "the part before the “@” is longer than 64 characters";
        if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..",
            StringComparison.Ordinal)) return "the part before the “@” has a misplaced dot";
        foreach (char c in local)
        {
            if (c > 127) continue; // CL0105 reports non-ASCII
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".Contains(c))) return $"“{c}” is not allowed before the “@”";
        }
        if (domain.Length == 0) return "nothing stands after the “@”";
        if (!domain.Contains('.')) return $"the domain “{domain}” has no dot";
        return DomainNameRule.Problem(domain);
    }
}
