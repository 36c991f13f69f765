using System.Collections.Immutable;
using System.Runtime.CompilerServices;
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

/// <summary>The one place where common names are computed: device name (or explicit commonName), then ".domain" when the site has one.</summary>
public static class CommonNames
{
    /// <summary>Each manifest's CNs, computed once and shared by every rule that needs them (the manifest is immutable).</summary>
    private static readonly ConditionalWeakTable<SiteManifest, CommonName?[]> Computed = new();

    public static StringComparer Comparer => StringComparer.OrdinalIgnoreCase;

    /// <summary>The CN of every device of the manifest, by <see cref="DeviceEntry.Index"/>; null for a device without a name.</summary>
    public static ImmutableArray<CommonName?> ForAll(SiteManifest manifest) =>
        ImmutableCollectionsMarshal.AsImmutableArray(Computed.GetValue(manifest, Compute));

    public static CommonName? For(SiteManifest manifest, DeviceEntry device)
    {
        var all = ForAll(manifest);
        if (device.Index < all.Length && ReferenceEquals(manifest.Devices[device.Index], device)) return all[device.Index];
        return Compute(device, manifest.DomainName); // a device that is not this manifest's own
    }

    private static CommonName?[] Compute(SiteManifest manifest)
    {
        string? domain = manifest.DomainName;
        var names = new CommonName?[manifest.Devices.Length];
        for (int i = 0; i < names.Length; i++) names[i] = Compute(manifest.Devices[i], domain);
        return names;
    }

    private static CommonName? Compute(DeviceEntry device, string? domain)
    {
        var source = device.CommonName ?? device.Name;
        if (source is null) return null;
        return new CommonName(Compose(source.Value, domain), source);
    }

    /// <summary>Appends the domain unless the name already ends with it.</summary>
    public static string Compose(string name, string? domain)
    {
        name = name.Trim();
        if (string.IsNullOrEmpty(domain)) return name;
        if (EndsWithDomain(name, domain) || string.Equals(name, domain, StringComparison.OrdinalIgnoreCase)) return name;
        return $"{name}.{domain}";
    }

    /// <summary>Whether the name ends with ".domain" (case-insensitive), without building that text.</summary>
    private static bool EndsWithDomain(string name, string domain) =>
        name.Length > domain.Length
        && name[name.Length - domain.Length - 1] == '.'
        && name.AsSpan(name.Length - domain.Length).Equals(domain, StringComparison.OrdinalIgnoreCase);
}
