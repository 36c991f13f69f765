using CertLsp.Core.Manifest;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Rules;

/// <summary>Every place a subject field is written: the site defaults, then each device's overrides, then the SC tool's
/// (“bacnet.secureConnect.tool.subject”).</summary>
internal static class SubjectScalars
{
    public static IEnumerable<(SubjectField Field, YamlScalar Value)> All(SiteManifest manifest)
    {
        foreach (var entry in manifest.Subject.Set) yield return entry;
        foreach (var device in manifest.Devices)
        {
            if (device.Subject.Values.IsEmpty) continue;
            foreach (var entry in device.Subject.Set) yield return entry;
        }
        if (manifest.Bacnet.SecureConnect?.Tool is { } tool)
        {
            foreach (var entry in tool.Subject.Set) yield return entry;
        }
    }

    public static IEnumerable<YamlScalar> Of(SiteManifest manifest, SubjectField field)
    {
        if (manifest.Subject.Get(field) is { } siteValue) yield return siteValue;
        foreach (var device in manifest.Devices)
        {
            if (device.Subject.Values.IsEmpty) continue;
            if (device.Subject.Get(field) is { } value) yield return value;
        }
        if (manifest.Bacnet.SecureConnect?.Tool?.Subject.Get(field) is { } toolValue) yield return toolValue;
    }
}
