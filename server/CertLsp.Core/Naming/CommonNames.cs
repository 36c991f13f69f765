using System.Collections.Immutable;
using System.Runtime.InteropServices;
using CertLsp.Core.Manifest;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Naming;

/// <summary>A device's common name as the CA will see it, and the scalar it comes from.</summary>
public sealed record CommonName(string Value, YamlScalar Source)
{
    /// <summary>The key CNs are compared by: CAs treat CNs case-insensitively.</summary>
    public string ComparisonKey => Value.ToUpperInvariant();
}

/// <summary>The one place where common names are computed: device name (or explicit commonName), then ".domain" when the site has
/// one.</summary>
public static class CommonNames
{
    public static StringComparer Comparer => StringComparer.OrdinalIgnoreCase;

    /// <summary>The CN of every device of the manifest, by <see cref="DeviceEntry.Index"/>; null for a device without a name.</summary>
    public static ImmutableArray<CommonName?> ForAll(SiteManifest manifest)
    {
        // Not cached: CN texts that die young cost the garbage collector less than ones kept with the manifest.
        string? domain = manifest.DomainName;
        var names = new CommonName?[manifest.Devices.Length];
        for (int i = 0; i < names.Length; i++) names[i] = Compute(manifest.Devices[i], domain);
        return ImmutableCollectionsMarshal.AsImmutableArray(names);
    }

    public static CommonName? For(SiteManifest manifest, DeviceEntry device) => Compute(device, manifest.DomainName);

    private static CommonName? Compute(DeviceEntry device, string? domain)
    {
        var source = device.CommonName ?? device.Name;
        if (source is null) return null;
        return new CommonName(Compose(source.Value, domain), source);
    }

    /// <summary>The CN of the commissioning tool's BACnet/SC certificate (“bacnet.secureConnect.tool.name”, with the domain), or null
    /// when the manifest has no tool with a name.</summary>
    public static CommonName? ForTool(SiteManifest manifest) =>
        manifest.Bacnet.SecureConnect?.Tool?.Name is { } name ? new CommonName(Compose(name.Value, manifest.DomainName), name) : null;

    /// <summary>Appends the domain unless the name already ends with it.</summary>
    public static string Compose(string name, string? domain)
    {
        name = name.Trim();
        if (string.IsNullOrEmpty(domain)) return name;
        if (EndsWithDomain(name, domain) || string.Equals(name, domain, StringComparison.OrdinalIgnoreCase)) return name;
        return $"{name}.{domain}";
    }

    /// <summary>The device's own part of its CN: the trimmed name without “.domain” when it ends with it; null when the name is the domain
    /// itself.</summary>
    public static string? DevicePart(string name, string? domain)
    {
        name = name.Trim();
        if (string.IsNullOrEmpty(domain)) return name;
        if (string.Equals(name, domain, StringComparison.OrdinalIgnoreCase)) return null;
        return EndsWithDomain(name, domain) ? name[..(name.Length - domain.Length - 1)] : name;
    }

    /// <summary>How many UTF-16 code units <see cref="Compose"/> returns, without building the text.</summary>
    public static int ComposedLength(string name, string? domain)
    {
        var trimmed = name.AsSpan().Trim();
        if (string.IsNullOrEmpty(domain)) return trimmed.Length;
        if (EndsWithDomain(trimmed, domain) || trimmed.Equals(domain, StringComparison.OrdinalIgnoreCase)) return trimmed.Length;
        return trimmed.Length + 1 + domain.Length;
    }

    /// <summary>Whether the name ends with ".domain" (case-insensitive), without building that text.</summary>
    private static bool EndsWithDomain(ReadOnlySpan<char> name, string domain) =>
        name.Length > domain.Length
        && name[name.Length - domain.Length - 1] == '.'
        && name[(name.Length - domain.Length)..].Equals(domain, StringComparison.OrdinalIgnoreCase);
}
