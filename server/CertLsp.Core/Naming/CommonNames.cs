using CertLsp.Core.Manifest;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Naming;

/// <summary>A device's common name as the CA will see it, and the scalar it comes from.</summary>
public sealed record CommonName(string Value, YamlScalar Source)
{
    /// <summary>The key CNs are compared by: CAs treat CNs case-insensitively.</summary>
    public string ComparisonKey => Value.ToUpperInvariant();
}

/// <summary>The one place where common names are computed: device name (or explicit commonName), then ".domain" when the site has one.</summary>
public static class CommonNames
{
    public static StringComparer Comparer => StringComparer.OrdinalIgnoreCase;

    public static CommonName? For(SiteManifest manifest, DeviceEntry device)
    {
        var source = device.CommonName ?? device.Name;
        if (source is null) return null;
        return new CommonName(Compose(source.Value, manifest.DomainName), source);
    }

    /// <summary>Appends the domain unless the name already ends with it.</summary>
    public static string Compose(string name, string? domain)
    {
        name = name.Trim();
        if (string.IsNullOrEmpty(domain)) return name;
        if (name.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase) || string.Equals(name, domain, StringComparison.OrdinalIgnoreCase)) return name;
        return $"{name}.{domain}";
    }
}
