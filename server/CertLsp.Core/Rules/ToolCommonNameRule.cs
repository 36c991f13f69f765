using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;
using CertLsp.Core.Text;

namespace CertLsp.Core.Rules;

/// <summary>
/// The commissioning tool's CN (“bacnet.secureConnect.tool.name”, with the site's domain) follows the devices' CN rules: at most 64
/// characters (CL0102 without a domain, CL0203 with one), a host name where a device's must be one (CL0206), and no device's CN
/// (CL0201, reported on the tool's name with the devices as related locations).
/// </summary>
public sealed class ToolCommonNameRule : IManifestRule
{
    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (manifest.Bacnet.SecureConnect?.Tool is not { Name: { } name } || CommonNames.ForTool(manifest) is not { } cn) return;
        string? domain = manifest.DomainName;
        int length = Characters.Count(cn.Value);
        if (length > SubjectField.CommonName.MaxLength)
        {
            diagnostics.Add(domain is null
                ? builder.SubjectFieldTooLong(name.Span, SubjectField.CommonName.Label, name.Value, length,
                    SubjectField.CommonName.MaxLength)
                : builder.CommonNameTooLong(name.Span, cn.Value, domain));
        }
        if (CommonNames.DevicePart(name.Value, domain) is { } part && HostNames.MustBeHostName(part, domain)
            && HostNames.DevicePartProblem(part) is { } reason)
        {
            diagnostics.Add(builder.ToolInvalidHostName(name.Span, cn.Value, reason));
        }
        var same = CommonNames.ForAll(manifest).OfType<CommonName>().Where(d => CommonNames.Comparer.Equals(d.Value, cn.Value))
            .Take(DuplicateCommonNameRule.MaxRelated).Select(d => new SourceLocation(builder.Path, d.Source.Span)).ToList();
        if (same.Count > 0) diagnostics.Add(builder.ToolCommonNameTaken(name.Span, cn.Value, [.. same]));
    }
}
