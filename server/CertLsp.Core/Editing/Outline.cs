using System.Collections.Immutable;
using CertLsp.Core.Checking;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Editing;

public enum OutlineKind
{
    Site,
    Section,
    Batch,
    Device,
}

/// <summary>A document symbol: site, sections (defaults, key, CA...), batches and devices.</summary>
public sealed record OutlineItem(string Name, string? Detail, OutlineKind Kind, TextSpan Span, TextSpan SelectionSpan,
    ImmutableArray<OutlineItem> Children);

/// <summary>A batch as the editor shows it (code lens): name, size, where it starts.</summary>
public sealed record BatchInfo(string Name, int Count, TextSpan Span, ImmutableArray<DeviceEntry> Devices);

public static class Outline
{
    public static ImmutableArray<OutlineItem> Of(ManifestDocument document)
    {
        if (document.Manifest is not { Root: { } root } manifest) return [];
        var sections = ImmutableArray.CreateBuilder<OutlineItem>();
        foreach (var pair in root.Pairs)
        {
            var span = TextSpan.FromBounds(pair.Key.Span.Start, Math.Max(pair.Key.Span.End, pair.Value.Span.End));
            if (pair.Key.Value == "devices")
            {
                sections.Add(new OutlineItem("devices", $"{manifest.Devices.Length} devices", OutlineKind.Section, span, pair.Key.Span,
                    Devices(manifest)));
            }
            else if (pair.Key.Value != "site")
            {
                string? detail = pair.Value is YamlScalar s ? s.Value : pair.Key.Value == "subject" ? "defaults" : null;
                sections.Add(new OutlineItem(pair.Key.Value, detail, OutlineKind.Section, span, pair.Key.Span, []));
            }
        }
        string name = manifest.Site?.Value ?? "site";
        var selection = manifest.Site?.Span ?? (root.Pairs.IsEmpty ? root.Span : root.Pairs[0].Key.Span);
        return [new OutlineItem(name, manifest.DomainName, OutlineKind.Site, root.Span, selection, sections.ToImmutable())];
    }

    private static ImmutableArray<OutlineItem> Devices(SiteManifest manifest)
    {
        var result = ImmutableArray.CreateBuilder<OutlineItem>();
        var batches = new Dictionary<string, ImmutableArray<OutlineItem>.Builder>(StringComparer.Ordinal);
        var batchSpans = new Dictionary<string, (int Index, TextSpan Span, TextSpan Selection)>(StringComparer.Ordinal);
        foreach (var device in manifest.Devices)
        {
            var item = DeviceItem(manifest, device);
            if (device.Batch is { } batch)
            {
                if (!batches.TryGetValue(batch.Value, out var members))
                {
                    batches[batch.Value] = members = ImmutableArray.CreateBuilder<OutlineItem>();
                    batchSpans[batch.Value] = (result.Count, device.Node.Span, batch.Span);
                    result.Add(item); // placeholder, replaced below
                }
                members.Add(item);
                var (index, span, selection) = batchSpans[batch.Value];
                batchSpans[batch.Value] = (index, TextSpan.FromBounds(span.Start, Math.Max(span.End, device.Node.Span.End)), selection);
            }
            else
            {
                result.Add(item);
            }
        }
        foreach (var (batch, members) in batches)
        {
            var (index, span, selection) = batchSpans[batch];
            result[index] = new OutlineItem(batch, $"batch · {members.Count} devices", OutlineKind.Batch, span, selection,
                members.ToImmutable());
        }
        return result.ToImmutable();
    }

    private static OutlineItem DeviceItem(SiteManifest manifest, DeviceEntry device)
    {
        string? cn = CommonNames.For(manifest, device)?.Value;
        string detail = device.Instance is { } i ? $"{cn} · instance {i.Value}" : cn ?? "";
        return new OutlineItem(device.DisplayName, detail, OutlineKind.Device, device.Node.Span, device.AnchorSpan, []);
    }

    /// <summary>Named batches in manifest order, with their size (code lens "Batch north-wing · 42 devices").</summary>
    public static ImmutableArray<BatchInfo> Batches(SiteManifest manifest)
    {
        var order = new List<string>();
        var members = new Dictionary<string, List<DeviceEntry>>(StringComparer.Ordinal);
        foreach (var device in manifest.Devices)
        {
            if (device.Batch is not { } batch) continue;
            if (!members.TryGetValue(batch.Value, out var list))
            {
                members[batch.Value] = list = [];
                order.Add(batch.Value);
            }
            list.Add(device);
        }
        return [.. order.Select(name => new BatchInfo(name, members[name].Count, members[name][0].Batch!.Span, [.. members[name]]))];
    }

    /// <summary>Multi-line mappings and lists, as spans (folding ranges).</summary>
    public static IEnumerable<TextSpan> Foldable(YamlNode? root)
    {
        if (root is null) yield break;
        var pending = new Stack<YamlNode>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            switch (node)
            {
                case YamlMapping m:
                    foreach (var pair in m.Pairs)
                    {
                        if (pair.Value is YamlMapping or YamlSequence) yield return TextSpan.FromBounds(pair.Key.Span.Start,
                            pair.Value.Span.End);
                        pending.Push(pair.Value);
                    }
                    break;
                case YamlSequence s:
                    foreach (var item in s.Items)
                    {
                        if (item is YamlMapping) yield return item.Span;
                        pending.Push(item);
                    }
                    break;
            }
        }
    }
}
