using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>CL0407: the commissioning tool's certificate is past its not-after date; CL0408: it expires within the warning window
/// (“certificates.warningDays”), as the devices' (CL0402, CL0403).</summary>
public sealed class ToolCertificateExpiryRule : ILedgerRule
{
    public void Check(SiteManifest manifest, LedgerContext context, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (LedgerTool.Of(manifest, context.Ledger) is not var (tool, name, entry) || entry?.Certificate is not { IsRevoked: false } c)
            return;
        int window = manifest.Certificates.WarningDayCount;
        if (context.Now > c.NotAfter) diagnostics.Add(builder.ToolCertificateExpired(tool.AnchorSpan, name, c.Serial, c.NotAfter));
        else if (CertificateExpiringRule.DaysLeft(c.NotAfter, context.Now) <= window)
            diagnostics.Add(builder.ToolCertificateExpiring(tool.AnchorSpan, name, c.Serial, c.NotAfter, window));
    }
}
