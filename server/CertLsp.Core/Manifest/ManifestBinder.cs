using System.Collections.Immutable;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Manifest;

/// <summary>Reads the typed manifest out of a YAML tree. Lenient: what has the wrong shape is left null (the schema check reports
/// it).</summary>
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
        var devices = ImmutableArray<DeviceEntry>.Empty;
        if (devicesPair?.Value is YamlSequence sequence)
        {
            var builder = ImmutableArray.CreateBuilder<DeviceEntry>(sequence.Items.Length);
            foreach (var item in sequence.Items)
            {
                if (item is YamlMapping device) builder.Add(Device(builder.Count, device));
            }
            devices = builder.Count == builder.Capacity ? builder.MoveToImmutable() : builder.ToImmutable();
        }
        return new SiteManifest(
            map,
            Text(map, "site"),
            Text(map, "domain"),
            new CaSettings(Text(ca, "profile"), Paths(ca?.Find("issuers")), Text(ca, "subjectEncoding")),
            Subject(Map(map, "subject")),
            map?.Find("subject"),
            new KeySettings(Text(key, "algorithm"), Integer(key, "size"), Text(key, "curve"), Text(key, "source")),
            new CertificateSettings(Integer(certificates, "warningDays")),
            new BacnetSettings(Integer(bacnet, "port"), Text(bacnet, "broadcast"), Integer(bacnet, "generateCsrCommand"),
                SecureConnect(bacnet?.Find("secureConnect"))),
            devicesPair,
            devices);
    }

    /// <summary>The text items of a list of paths (others have the wrong type, which the schema check reports).</summary>
    private static ImmutableArray<YamlScalar> Paths(YamlPair? pair)
    {
        if (pair?.Value is not YamlSequence list) return [];
        var paths = ImmutableArray.CreateBuilder<YamlScalar>();
        foreach (var item in list.Items)
        {
            if (item is YamlScalar { Type: ScalarType.String } s) paths.Add(s);
        }
        return paths.ToImmutable();
    }

    private static SecureConnectSettings? SecureConnect(YamlPair? pair)
    {
        if (pair is not { Value: YamlMapping sc } found) return null;
        return new SecureConnectSettings(found, sc, Text(sc, "primaryHub"), Text(sc, "failoverHub"), Integer(sc, "connectWaitTimeout"),
            Integer(sc, "heartbeatTimeout"), Integer(sc, "minimumReconnectTime"), Integer(sc, "maximumReconnectTime"),
            Tool(sc.Find("tool")));
    }

    private static ToolSettings? Tool(YamlPair? pair)
    {
        if (pair is not { Value: YamlMapping tool } found) return null;
        var issuers = tool.Find("issuers");
        return new ToolSettings(found, tool, Text(tool, "name"), Subject(Map(tool, "subject")), Text(tool, "datalink"),
            issuers, Paths(issuers));
    }

    /// <summary>One device, read in a single pass over its pairs (a site has thousands of devices).</summary>
    private static DeviceEntry Device(int index, YamlMapping device)
    {
        YamlScalar? name = null, commonName = null, instance = null, address = null, batch = null;
        YamlMapping? subject = null;
        // Backwards, so that of repeated keys the first wins, as with Find.
        for (int i = device.Pairs.Length - 1; i >= 0; i--)
        {
            var pair = device.Pairs[i];
            switch (pair.Key.Value)
            {
                case "name": name = AsText(pair.Value); break;
                case "commonName": commonName = AsText(pair.Value); break;
                case "instance": instance = AsInteger(pair.Value); break;
                case "address": address = AsText(pair.Value); break;
                case "batch": batch = AsText(pair.Value); break;
                case "subject": subject = pair.Value as YamlMapping; break;
            }
        }
        return new DeviceEntry(index, device, name, commonName, instance, address, batch, Subject(subject));
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

    private static YamlScalar? Text(YamlMapping? parent, string key) => AsText(parent?.Find(key)?.Value);

    private static YamlScalar? Integer(YamlMapping? parent, string key) => AsInteger(parent?.Find(key)?.Value);

    private static YamlScalar? AsText(YamlNode? node) => node is YamlScalar { Type: ScalarType.String } s ? s : null;

    private static YamlScalar? AsInteger(YamlNode? node) => node is YamlScalar { Type: ScalarType.Integer } s ? s : null;
}
