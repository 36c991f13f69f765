using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Rules;

/// <summary>
/// CL0607: the tool verifies the hub's certificate against its own “issuers” or, without that key, the site's “ca.issuers” (never the
/// operating system's trust store), so one of them must name at least one issuer.
/// </summary>
public sealed class HubIssuerRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (manifest.Bacnet.SecureConnect?.Tool is not { } tool) return;
        if (tool.IssuersPair is { } own)
        {
            // A list of the wrong items, or no list at all, is the schema check's (CL0003).
            if (own.Value is YamlSequence { Items.IsEmpty: true }) diagnostics.Add(builder.NoHubIssuer(own.Key.Span, ownList: true));
            return;
        }
        if (manifest.Ca.Issuers.IsEmpty) diagnostics.Add(builder.NoHubIssuer(tool.Pair.Key.Span, ownList: false));
    }
}
