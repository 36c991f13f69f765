using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Rules;

/// <summary>The commissioning tool of “bacnet.secureConnect” (when it has a name) with its ledger block, for the tool's certificate
/// rules.</summary>
internal static class LedgerTool
{
    /// <summary>The tool, its name and its block (null when the ledger has none); null when the manifest names no tool.</summary>
    public static (ToolSettings Tool, string Name, LedgerEntry? Entry)? Of(SiteManifest manifest, SiteLedger ledger) =>
        manifest.Bacnet.SecureConnect?.Tool is { Name: { } name } tool ? (tool, name.Value, ledger.FindTool(name.Value)) : null;
}
