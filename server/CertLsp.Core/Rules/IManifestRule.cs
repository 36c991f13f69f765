using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>A rule that looks at one manifest.</summary>
public interface IManifestRule
{
    void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics);
}

/// <summary>A manifest and what makes diagnostics in its file.</summary>
public sealed record ManifestInWorkspace(SiteManifest Manifest, DiagnosticBuilder Builder);

/// <summary>A rule that looks across every manifest of a workspace (e.g. CN uniqueness).</summary>
public interface IWorkspaceRule
{
    void Check(IReadOnlyList<ManifestInWorkspace> manifests, ICollection<Diagnostic> diagnostics);
}

/// <summary>What the ledger beside a manifest says, and the moment the check is made (expiry depends on it).</summary>
public sealed record LedgerContext(Ledger.SiteLedger Ledger, DateTimeOffset Now);

/// <summary>A rule that compares a manifest with its ledger (pending CSRs, issued certificates).</summary>
public interface ILedgerRule
{
    void Check(SiteManifest manifest, LedgerContext context, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics);
}
