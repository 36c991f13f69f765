using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>CL0406: the commissioning tool named in “bacnet.secureConnect.tool” has no issued certificate in the ledger (none requested,
/// or its CSR still pending), so it cannot join the hub.</summary>
public sealed class ToolCertificateMissingRule : ILedgerRule
{
    public void Check(SiteManifest manifest, LedgerContext context, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (LedgerTool.Of(manifest, context.Ledger) is not var (tool, name, entry) || entry?.Certificate is not null) return;
        diagnostics.Add(builder.ToolCertificateMissing(tool.AnchorSpan, name, entry?.Pending?.Since));
    }
}
