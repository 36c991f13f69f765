using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>
/// CL0409: the commissioning tool's certificate was recorded with an extendedKeyUsage that leaves out clientAuth: a hub (a strict
/// peer such as OpenSSL or bac-py) refuses it as a node's TLS client certificate. A certificate without the extension (any purpose) passes;
/// one imported before the ledger recorded purposes is not judged.
/// </summary>
public sealed class ToolClientAuthRule : ILedgerRule
{
    public void Check(SiteManifest manifest, LedgerContext context, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (LedgerTool.Of(manifest, context.Ledger) is var (tool, name, entry) && entry?.Certificate is { AllowsClientAuth: false } c)
            diagnostics.Add(builder.ToolCertificateNotClientAuth(tool.AnchorSpan, name, c.Serial, c.ExtendedKeyUsages!.Value));
    }
}
