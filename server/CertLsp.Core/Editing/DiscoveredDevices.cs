using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Editing;

/// <summary>A device that answered discovery and is not in the manifest: its name (null when it gave none), instance and address as a
/// manifest writes it (null over BACnet/SC: a device's VMAC is no manifest address, the item gets none).</summary>
public sealed record FoundDevice(string? Name, long Instance, string? Address);

/// <summary>
/// A manifest device, by its instance, that answered from another address (or has none in the manifest): the address as a
/// manifest writes it (without the port when it is the site's) and the device's port, for addresses written with one.
/// </summary>
public sealed record MovedDevice(long Instance, string Address, int Port);

/// <summary>
/// The edits that bring discovery into a manifest, the device names added (as written) and the devices whose address
/// changed; or, when the manifest cannot take them, why (<see cref="Refusal"/>) and no edits.
/// </summary>
public sealed record DiscoveryEdits(ImmutableArray<TextEdit> Edits, ImmutableArray<string> Added, ImmutableArray<string> Updated,
    string? Refusal = null)
{
    public bool IsEmpty => Edits.IsEmpty;
}

/// <summary>
/// Discovered devices as text edits of a manifest, in the file's own style: new devices appended to <c>devices:</c> (block or
/// flow, at the indentation of the devices already there, or a new <c>devices:</c> key), addresses replaced or added, the file's
/// line breaks (LF or CRLF), names quoted only where YAML needs it. A name that another device (or its CN) already has gets the
/// instance appended, so the manifest stays free of duplicate CNs.
/// </summary>
public static class DiscoveredDevices
{
    private const int DefaultIndent = 2;

    public static DiscoveryEdits Edits(ManifestDocument document, IReadOnlyList<FoundDevice> found, IReadOnlyList<MovedDevice> moved)
    {
        string path = document.Path, text = document.Text;
        if (document.Manifest?.Root is not { } root)
            return Refuse("the manifest is not a YAML mapping that can be read: fix its YAML first (see the Problems)");
        var manifest = document.Manifest;
        var devicesValue = manifest.DevicesPair?.Value;
        if (devicesValue is not (null or YamlSequence or YamlScalar { Type: ScalarType.Null }))
            return Refuse($"“devices” is {devicesValue.KindName}, not a list: fix it before adding discovered devices");

        var edits = new List<TextEdit>();
        var updated = new List<string>();
        var byInstance = manifest.Devices.Where(d => d.InstanceNumber is not null).ToLookup(d => (long)d.InstanceNumber!.Value);
        foreach (var move in moved)
        {
            foreach (var device in byInstance[move.Instance])
            {
                if (device.Address is { } address)
                {
                    // "127.0.0.9:47808" stays written with its port when the new address is on the site's port.
                    string value = address.Value.Contains(':', StringComparison.Ordinal)
                        && !move.Address.Contains(':', StringComparison.Ordinal)
                        ? $"{move.Address}:{move.Port.ToString(CultureInfo.InvariantCulture)}"
                        : move.Address;
                    if (address.Value == value) continue;
                    edits.Add(new TextEdit(path, address.Span, YamlEdits.InStyle(value, address.Style, device.Node.IsFlow)));
                }
                else
                {
                    var instancePair = device.Node.Find("instance")!.Value;
                    edits.Add(YamlEdits.AddPairAfter(path, text, device.Node, instancePair, "address",
                        YamlEdits.FormatString(move.Address, device.Node.IsFlow)));
                }
                updated.Add(device.DisplayName);
            }
        }

        var names = Names(manifest, found);
        if (names.Length > 0)
        {
            var items = found.OrderBy(f => f.Instance).Select((f, i) => (Name: names[i], f.Instance, f.Address)).ToList();
            switch (devicesValue)
            {
                case YamlSequence { IsFlow: true } flow: edits.Add(AppendFlow(path, text, flow, items)); break;
                case YamlSequence { Items.IsEmpty: false } block: edits.Add(AppendBlock(path, text, block, items)); break;
                default: edits.AddRange(AddDevicesKey(path, text, root, manifest.DevicesPair, items)); break;
            }
        }
        return new DiscoveryEdits(Merge(text, edits), names, [.. updated]);
    }

    private static DiscoveryEdits Refuse(string why) => new([], [], [], why);

    /// <summary>The names new devices get, in instance order: unique against the manifest's names and CNs and each other.</summary>
    private static ImmutableArray<string> Names(SiteManifest manifest, IReadOnlyList<FoundDevice> found)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var device in manifest.Devices)
        {
            if (device.Name is { } name) taken.Add(name.Value);
            if (device.CommonName is { } cn) taken.Add(cn.Value);
        }
        var result = ImmutableArray.CreateBuilder<string>(found.Count);
        foreach (var device in found.OrderBy(f => f.Instance))
        {
            string instance = device.Instance.ToString(CultureInfo.InvariantCulture);
            string name = string.IsNullOrWhiteSpace(device.Name) ? $"device-{instance}" : device.Name.Trim();
            string candidate = name;
            for (int n = 2; !taken.Add(candidate); n++) candidate = n == 2 ? $"{name}-{instance}" : $"{name}-{instance}-{n - 1}";
            result.Add(candidate);
        }
        return result.MoveToImmutable();
    }

    private static string FlowItem((string Name, long Instance, string? Address) d) =>
        $"{{ name: {YamlEdits.FormatString(d.Name, inFlow: true)}, instance: {d.Instance.ToString(CultureInfo.InvariantCulture)}" +
            (d.Address is null ? " }" : $", address: {YamlEdits.FormatString(d.Address, inFlow: true)} }}");

    /// <summary>Block items: "- name: …" at the dash column, the other keys under the name.</summary>
    private static string BlockItems(IEnumerable<(string Name, long Instance, string? Address)> devices, string newline, int dashColumn,
        int keyColumn, bool flowItems)
    {
        var sb = new StringBuilder();
        string dash = new(' ', dashColumn), keys = new(' ', keyColumn);
        string afterDash = new(' ', Math.Max(1, keyColumn - dashColumn - 1));
        foreach (var d in devices)
        {
            sb.Append(newline).Append(dash).Append('-').Append(afterDash);
            if (flowItems)
            {
                sb.Append(FlowItem(d));
                continue;
            }
            sb.Append("name: ").Append(YamlEdits.FormatString(d.Name));
            sb.Append(newline).Append(keys).Append("instance: ").Append(d.Instance.ToString(CultureInfo.InvariantCulture));
            if (d.Address is { } address) sb.Append(newline).Append(keys).Append("address: ").Append(YamlEdits.FormatString(address));
        }
        return sb.ToString();
    }

    /// <summary>After the last device, in the layout of the first: its dash column, its keys' column, block or flow mappings.</summary>
    private static TextEdit AppendBlock(string path, string text, YamlSequence devices,
        List<(string Name, long Instance, string? Address)> items)
    {
        var first = devices.Items[0];
        int dash = text.LastIndexOf('-', Math.Max(0, first.Span.Start - 1), Math.Max(1, first.Span.Start));
        int dashColumn = dash >= 0 ? YamlEdits.Column(text, dash) : YamlEdits.Column(text, devices.Span.Start);
        int keyColumn = first is YamlMapping { IsFlow: false, Pairs.IsEmpty: false } map
            ? YamlEdits.Column(text, map.Pairs[0].Key.Span.Start)
            : dashColumn + 2;
        int at = YamlEdits.LineEnd(text, LastContentEnd(devices.Items[^1]));
        return new TextEdit(path, new TextSpan(at, 0), BlockItems(items, YamlEdits.Newline(text), dashColumn, keyColumn,
            first is YamlMapping { IsFlow: true }));
    }

    /// <summary>Into a flow list: after its last item (one item a line when its items are on lines of their own), or inside an empty
    /// "[]".</summary>
    private static TextEdit AppendFlow(string path, string text, YamlSequence devices,
        List<(string Name, long Instance, string? Address)> items)
    {
        if (devices.Items.IsEmpty)
        {
            return new TextEdit(path, devices.Span, "[" + string.Join(", ", items.Select(FlowItem)) + "]");
        }
        var last = devices.Items[^1];
        // items on lines of their own
        bool ownLines = text.AsSpan(devices.Span.Start, last.Span.Start - devices.Span.Start).IndexOfAny('\n', '\r') >= 0;
        string separator = ownLines ? "," + YamlEdits.Newline(text) + new string(' ', YamlEdits.Column(text, last.Span.Start)) : ", ";
        return new TextEdit(path, new TextSpan(LastContentEnd(last), 0), string.Concat(items.Select(d => separator + FlowItem(d))));
    }

    /// <summary>A <c>devices:</c> key that is empty (nothing, "~", "null") gets its first items; a manifest without one gets the key at its
    /// end.</summary>
    private static IEnumerable<TextEdit> AddDevicesKey(string path, string text, YamlMapping root, YamlPair? devicesPair,
        List<(string Name, long Instance, string? Address)> items)
    {
        string newline = YamlEdits.Newline(text);
        if (root.IsFlow)
        {
            string list = "[" + string.Join(", ", items.Select(FlowItem)) + "]";
            yield return devicesPair is { } flowPair
                ? new TextEdit(path, flowPair.Value.Span, list)
                : YamlEdits.AddPair(path, text, root, "devices", list);
            yield break;
        }
        int unit = IndentUnit(text, root);
        if (devicesPair is { } pair)
        {
            int keyColumn = YamlEdits.Column(text, pair.Key.Span.Start);
            var value = pair.Value.Span;
            if (value.Length > 0)
            {
                // "devices: ~  # none yet": " ~" goes, the comment stays, the items follow the line.
                int start = value.Start;
                while (start > pair.Key.Span.End + 1 && text[start - 1] is ' ' or '\t') start--;
                yield return new TextEdit(path, TextSpan.FromBounds(start, value.End), "");
            }
            int lineEnd = YamlEdits.LineEnd(text, value.Length > 0 ? value.End : pair.Key.Span.End);
            yield return new TextEdit(path, new TextSpan(lineEnd, 0),
                BlockItems(items, newline, keyColumn + unit, keyColumn + unit + 2, flowItems: false));
            yield break;
        }
        int rootColumn = root.Pairs.IsEmpty ? 0 : YamlEdits.Column(text, root.Pairs[0].Key.Span.Start);
        int end = root.Pairs.IsEmpty ? text.Length : YamlEdits.LineEnd(text, LastContentEnd(root));
        yield return new TextEdit(path, new TextSpan(end, 0),
            (end == 0 ? "" : newline) + new string(' ', rootColumn) + "devices:"
            + BlockItems(items, newline, rootColumn + unit, rootColumn + unit + 2, flowItems: false) + (end == text.Length ? newline : ""));
    }

    /// <summary>How far the file indents a nested block mapping under its key (the first one it has), else 2.</summary>
    private static int IndentUnit(string text, YamlMapping root)
    {
        foreach (var pair in root.Pairs)
        {
            int child = pair.Value switch
            {
                YamlMapping { IsFlow: false, Pairs.IsEmpty: false } m => m.Pairs[0].Key.Span.Start,
                _ => -1,
            };
            if (child < 0) continue;
            int unit = YamlEdits.Column(text, child) - YamlEdits.Column(text, pair.Key.Span.Start);
            if (unit > 0) return unit;
        }
        return DefaultIndent;
    }

    /// <summary>
    /// Where a node's content ends: its last scalar or flow collection. A block collection's own span runs on to the next
    /// token (past comments and blank lines), which is not where a line should be added.
    /// </summary>
    private static int LastContentEnd(YamlNode node) => node switch
    {
        YamlMapping { IsFlow: false, Pairs.IsEmpty: false } map => LastContentEnd(map.Pairs[^1].Value) is var end
            && end >= map.Pairs[^1].Key.Span.End ? end : map.Pairs[^1].Key.Span.End,
        YamlSequence { IsFlow: false, Items.IsEmpty: false } list => LastContentEnd(list.Items[^1]),
        _ => node.Span.End,
    };

    /// <summary>
    /// Edits in document order with touching ones joined, so that two insertions at one offset keep their order whatever
    /// order a client applies the edits in.
    /// </summary>
    private static ImmutableArray<TextEdit> Merge(string text, List<TextEdit> edits)
    {
        var ordered = edits.Select((e, i) => (Edit: e, Order: i)).OrderBy(x => x.Edit.Span.Start).ThenBy(x => x.Order).Select(x =>
            x.Edit).ToList();
        var result = ImmutableArray.CreateBuilder<TextEdit>(ordered.Count);
        foreach (var edit in ordered)
        {
            if (result.Count > 0 && result[^1] is var previous && edit.Span.Start <= previous.Span.End)
            {
                int end = Math.Max(previous.Span.End, edit.Span.End);
                result[^1] = previous with
                {
                    Span = TextSpan.FromBounds(previous.Span.Start, end),
                    NewText = previous.NewText + text[previous.Span.End..Math.Max(previous.Span.End, edit.Span.Start)] + edit.NewText,
                };
                continue;
            }
            result.Add(edit);
        }
        return result.ToImmutable();
    }
}
