using System.Collections.Immutable;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Manifest;

/// <summary>Reads the typed manifest out of a YAML tree. Lenient: what has the wrong shape is left null (the schema check reports it).</summary>
public static class ManifestBinder
{
    public static SiteManifest Bind(YamlNode? root)
    {
        var map = root as YamlMapping;
        var ca = Map(map, "ca");
        var key = Map(map, "key");
        var certificates = Map(map, "certificates");
        var bacnet = Map(map, "bacnet");
        var devicesPair = map?.Find("devices");
        var devices = ImmutableArray.CreateBuilder<DeviceEntry>();
        if (devicesPair?.Value is YamlSequence sequence)
        {
            for (int i = 0; i < sequence.Items.Length; i++)
            {
                if (sequence.Items[i] is YamlMapping device)
                {
                    devices.Add(new DeviceEntry(
                        devices.Count,
                        device,
                        Text(device, "name"),
                        Text(device, "commonName"),
                        Integer(device, "instance"),
                        Text(device, "address"),
                        Text(device, "batch"),
                        Subject(Map(device, "subject"))));
                }
            }
        }
        var issuers = ImmutableArray.CreateBuilder<YamlScalar>();
        if (ca?.Find("issuers")?.Value is YamlSequence issuerList)
        {
            foreach (var item in issuerList.Items)
            {
                if (item is YamlScalar { Type: ScalarType.String } s) issuers.Add(s);
            }
        }
        return new SiteManifest(
            map,
            Text(map, "site"),
            Text(map, "domain"),
            new CaSettings(Text(ca, "profile"), issuers.ToImmutable()),
            Subject(Map(map, "subject")),
            map?.Find("subject"),
            new KeySettings(Text(key, "algorithm"), Integer(key, "size"), Text(key, "curve"), Text(key, "source")),
            new CertificateSettings(Integer(certificates, "warningDays")),
            new BacnetSettings(Integer(bacnet, "port"), Text(bacnet, "broadcast"), Integer(bacnet, "generateCsrCommand")),
            devicesPair,
            devices.ToImmutable());
    }

    private static SubjectValues Subject(YamlMapping? node)
    {
        if (node is null) return SubjectValues.Empty;
        var values = ImmutableDictionary.CreateBuilder<string, YamlScalar>();
        foreach (var field in SubjectField.Configurable)
        {
            if (Text(node, field.Key) is { } value) values[field.Key] = value;
        }
        return new SubjectValues(node, values.ToImmutable());
    }

    private static YamlMapping? Map(YamlMapping? parent, string key) => parent?.Find(key)?.Value as YamlMapping;

    private static YamlScalar? Text(YamlMapping? parent, string key) =>
        parent?.Find(key)?.Value is YamlScalar { Type: ScalarType.String } s ? s : null;

    private static YamlScalar? Integer(YamlMapping? parent, string key) =>
        parent?.Find(key)?.Value is YamlScalar { Type: ScalarType.Integer } s ? s : null;
}
