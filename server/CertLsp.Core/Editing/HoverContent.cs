using System.Text;
using CertLsp.Core.Checking;
using CertLsp.Core.Data;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;
using CertLsp.Core.Rules;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Editing;

/// <summary>What a hover shows, as Markdown, and the span it describes.</summary>
public sealed record HoverText(string Markdown, TextSpan Span);

/// <summary>
/// Hover text for a position: what the field means and its limit (from the schema), and on a device the full CN it
/// will get and, when a status source is given, its certificate status.
/// </summary>
public static class HoverContent
{
    public static HoverText? At(ManifestDocument document, int offset, DateTimeOffset? now = null)
    {
        var steps = YamlPath.At(document.Yaml.Root, offset, document.Text);
        if (steps.IsEmpty) return null;
        var last = steps[^1];
        var schema = YamlPath.Schema(steps);
        var text = new StringBuilder();
        TextSpan span = last.KeyNode is { } key && (offset <= key.Span.End || last.Node.Span.Length == 0) ? key.Span : last.Node.Span;

        if (schema is not null)
        {
            text.Append("**").Append(schema.Title ?? last.Key ?? "item").Append("**");
            if (last.Key is not null) text.Append(" · `").Append(last.Key).Append('`');
            text.AppendLine().AppendLine();
            if (schema.Description is not null) text.AppendLine(schema.Description);
        }

        if (last.Key == "country" && last.Node is YamlScalar { Value: var code } && Countries.Find(code) is { } country)
        {
            text.AppendLine().AppendLine($"{code}: {country.Name}");
        }

        if (document.Manifest is { } manifest && DeviceAt(manifest, steps) is { } device)
        {
            text.AppendLine().AppendLine("---").AppendLine();
            text.AppendLine($"**Device {device.DisplayName}**").AppendLine();
            if (CommonNames.For(manifest, device) is { } cn)
            {
                int length = SubjectFieldLengthRule.CharacterCount(cn.Value);
                text.AppendLine($"- Common name: `{cn.Value}` ({length}/64 characters)");
            }
            if (device.Instance is { } instance) text.AppendLine($"- BACnet device instance: {instance.Value}");
            if (device.Batch is { } batch) text.AppendLine($"- Batch: {batch.Value}");
            foreach (var field in SubjectField.Configurable)
            {
                if (device.Subject.Get(field) is { } own) text.AppendLine($"- {field.ShortName}: {own.Value} (this device)");
            }
            if (CertificateStatusText.For(document.Ledger, device, manifest.Certificates.WarningDayCount, now
                ?? DateTimeOffset.UtcNow) is { } status)
            {
                text.AppendLine($"- Certificate: {status}");
            }
            if (CertificateStatusText.Install(document.Ledger, manifest, device, withReason: true) is { } install)
            {
                text.AppendLine($"- On the device: {install}");
            }
            if (CertificateStatusText.Verification(document.Ledger, device) is { } verified)
            {
                text.AppendLine($"- BACnet/SC: {verified}");
            }
        }
        if (document.Manifest is { } site && ToolAt(site, steps) is { } tool)
        {
            text.AppendLine().AppendLine("---").AppendLine();
            text.AppendLine($"**Commissioning tool {tool.Name!.Value}** (BACnet/SC node)").AppendLine();
            if (CommonNames.ForTool(site) is { } cn)
            {
                text.AppendLine($"- Common name: `{cn.Value}` ({SubjectFieldLengthRule.CharacterCount(cn.Value)}/64 characters)");
            }
            text.AppendLine($"- Reaches devices over: {(tool.ReachesDevicesOverSc ? "BACnet/SC, through the hub" : "BACnet/IP")}");
            if (CertificateStatusText.ForTool(document.Ledger, tool, site.Certificates.WarningDayCount, now ?? DateTimeOffset.UtcNow)
                is { } status)
            {
                text.AppendLine($"- Certificate: {status}");
            }
        }
        return text.Length == 0 ? null : new HoverText(text.ToString().TrimEnd(), span);
    }

    /// <summary>The tool when the position is inside “bacnet.secureConnect.tool” and the tool has a name.</summary>
    private static ToolSettings? ToolAt(SiteManifest manifest, System.Collections.Immutable.ImmutableArray<PathStep> steps) =>
        steps.Length >= 3 && steps[0].Key == "bacnet" && steps[1].Key == "secureConnect" && steps[2].Key == "tool"
            && manifest.Bacnet.SecureConnect?.Tool is { Name: not null } tool ? tool : null;

    private static DeviceEntry? DeviceAt(SiteManifest manifest, System.Collections.Immutable.ImmutableArray<PathStep> steps)
    {
        if (steps.Length < 2 || steps[0].Key != "devices" || steps[1].IsKey) return null;
        var node = steps[1].Node;
        return manifest.Devices.FirstOrDefault(d => ReferenceEquals(d.Node, node));
    }
}
