using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Client;

/// <summary>A Network Port object as discovery reports it. Certificate file properties are null on ports without them.</summary>
public sealed record NetworkPortInfo(
    ObjectId Port, string? Name, NetworkType? NetworkType, byte[]? MacAddress,
    ObjectId? CsrFile, EquatableArray<ObjectId> IssuerCertificateFiles, ObjectId? OperationalCertificateFile)
{
    public bool IsSecureConnect => NetworkType is Bacnet.NetworkType.SecureConnect or Bacnet.NetworkType.SecureConnectLegacy;
}

/// <summary>What discovery learns about one device: identity properties and its Network Ports.</summary>
public sealed record DeviceInfo(
    BacnetAddress Address, ObjectId Device, string? ObjectName, string? VendorName, string? ModelName, string? SerialNumber,
    EquatableArray<NetworkPortInfo> NetworkPorts, EquatableArray<string> Problems)
{
    /// <summary>The device's Object_List was read and lists no Network Port object: there is nowhere it could hold a certificate.</summary>
    public bool HasNoNetworkPort { get; init; }

    /// <summary>What discovery says of a device without Network Port objects.</summary>
    public const string NoNetworkPortRemark = "no Network Port object: it cannot hold certificates (they are properties of a Network Port)";
}

/// <summary>Reads identity and Network Port details from devices (ReadPropertyMultiple, falling back to ReadProperty).</summary>
public static class DeviceInventory
{
    public static readonly PropertyIdentifier[] IdentityProperties =
        [PropertyIdentifier.ObjectName, PropertyIdentifier.VendorName, PropertyIdentifier.ModelName, PropertyIdentifier.SerialNumber];

    private static readonly PropertyIdentifier[] PortProperties =
    [
        PropertyIdentifier.ObjectName, PropertyIdentifier.NetworkType, PropertyIdentifier.MacAddress,
            PropertyIdentifier.CertificateSigningRequestFile,
        PropertyIdentifier.IssuerCertificateFiles, PropertyIdentifier.OperationalCertificateFile,
    ];

    /// <summary>Reads properties of one object: one ReadPropertyMultiple, or one ReadProperty each when the device does not do
    /// RPM.</summary>
    public static async Task<BacnetResult<IReadOnlyDictionary<PropertyIdentifier,
        BacnetResult<EquatableArray<BacnetValue>>>>> ReadPropertiesAsync(
        BacnetClient client, BacnetAddress address, ObjectId obj, IReadOnlyList<PropertyIdentifier> properties,
            CancellationToken cancellationToken)
    {
        var rpm = await client.ReadPropertyMultipleAsync(address, ReadPropertyMultipleRequest.Of(obj, [.. properties]),
            cancellationToken).ConfigureAwait(false);
        var values = new Dictionary<PropertyIdentifier, BacnetResult<EquatableArray<BacnetValue>>>();
        if (rpm.Ok)
        {
            foreach (var result in rpm.Value.Results.Where(r => r.Object == obj).SelectMany(r => r.Results))
                values[result.Property] = result.Error is { } e ? BacnetFailure.FromError(e) : result.Values;
            return values;
        }
        if (rpm.Failure!.Kind is FailureKind.Timeout) return rpm.Failure;
        foreach (var property in properties)
        {
            var rp = await client.ReadPropertyAsync(address, obj, property, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!rp.Ok && rp.Failure!.Kind == FailureKind.Timeout) return rp.Failure;
            values[property] = rp.Map(a => a.Values);
        }
        return values;
    }

    private static readonly PropertyIdentifier[] LimitProperties =
        [PropertyIdentifier.MaxApduLengthAccepted, PropertyIdentifier.SegmentationSupported, PropertyIdentifier.MaxSegmentsAccepted];

    /// <summary>
    /// What the device accepts (Max APDU, segmentation, max segments): what the client already knows (its I-Am), else read from the
    /// Device object (small requests and answers that fit any device) and remembered by the client, so every later request is sized
    /// to fit. An I-Am does not carry Max_Segments_Accepted: for a device that takes segmented requests it is read from the Device
    /// object all the same. A device without Max_Segments_Accepted is taken to announce no limit (255 segments); one whose limits
    /// cannot be read at all is assumed to take the smallest APDU (50 octets) unsegmented, so nothing is sent that it might drop.
    /// </summary>
    public static async Task<BacnetResult<DeviceLimits>> LearnLimitsAsync(BacnetClient client, BacnetAddress address, uint instance,
        CancellationToken cancellationToken = default)
    {
        if (client.Limits(address) is { } known)
        {
            // An I-Am gives Max APDU and segmentation, not Max_Segments_Accepted: read it where segmented requests may be sent.
            if (!known.ReceivesSegments || known.MaxSegments is not null) return known;
            var maxSegments = await client.ReadPropertyAsync(address, ObjectId.Device(instance), PropertyIdentifier.MaxSegmentsAccepted,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!maxSegments.Ok && maxSegments.Failure!.Kind == FailureKind.Timeout) return maxSegments.Failure;
            if (!maxSegments.Ok || MaxSegmentsOf(maxSegments.Value.Values.FirstOrDefault()) is not { } accepted) return known;
            var learned = known with { MaxSegments = accepted };
            client.RememberLimits(address, learned);
            return learned;
        }
        var read = await ReadPropertiesAsync(client, address, ObjectId.Device(instance), LimitProperties, cancellationToken).ConfigureAwait(
            false);
        if (!read.Ok) return read.Failure!;
        BacnetValue? First(PropertyIdentifier p) => read.Value.TryGetValue(p, out var v) && v.Ok ? v.Value.FirstOrDefault() : null;
        var limits = new DeviceLimits(
            First(PropertyIdentifier.MaxApduLengthAccepted) is BacnetValue.Unsigned apdu
                ? DeviceLimits.ClampApdu((long)Math.Min(apdu.Value, int.MaxValue)) : 50,
            First(PropertyIdentifier.SegmentationSupported) is BacnetValue.Enumerated { Value: <= (uint)Segmentation.None } segmentation
                ? (Segmentation)segmentation.Value : Segmentation.None,
            MaxSegmentsOf(First(PropertyIdentifier.MaxSegmentsAccepted)));
        client.RememberLimits(address, limits);
        return limits;
    }

    /// <summary>A Max_Segments_Accepted value as the client counts it: 1..255 (more is more than a request can have), else not
    /// known.</summary>
    private static int? MaxSegmentsOf(BacnetValue? value) => value is BacnetValue.Unsigned { Value: > 0 } segments
        ? (int)Math.Min(segments.Value, 255) : null;

    /// <summary>
    /// Identity, Object_List and every Network Port of one device; its limits learned first (<see cref="LearnLimitsAsync"/>), or, when
    /// an I-Am gave them, its Max_Segments_Accepted read with the identity (no extra request).
    /// </summary>
    public static async Task<BacnetResult<DeviceInfo>> ReadAsync(BacnetClient client, BacnetAddress address, uint instance,
        CancellationToken cancellationToken = default)
    {
        var device = ObjectId.Device(instance);
        var problems = new List<string>();
        // Limits from an I-Am that said the device takes segmented requests lack Max_Segments_Accepted: it comes with the identity.
        var iAmLimits = client.Limits(address) is { ReceivesSegments: true, MaxSegments: null } known ? known : null;
        if (iAmLimits is null)
        {
            var limits = await LearnLimitsAsync(client, address, instance, cancellationToken).ConfigureAwait(false);
            if (!limits.Ok && limits.Failure!.Kind == FailureKind.Timeout) return limits.Failure;
        }
        PropertyIdentifier[] asked = iAmLimits is null ? [.. IdentityProperties, PropertyIdentifier.ObjectList]
            : [.. IdentityProperties, PropertyIdentifier.ObjectList, PropertyIdentifier.MaxSegmentsAccepted];
        var identity = await ReadPropertiesAsync(client, address, device, asked, cancellationToken).ConfigureAwait(false);
        if (!identity.Ok) return identity.Failure!;
        if (iAmLimits is not null && identity.Value.TryGetValue(PropertyIdentifier.MaxSegmentsAccepted, out var segments) && segments.Ok
            && MaxSegmentsOf(segments.Value.FirstOrDefault()) is { } accepted)
            client.RememberLimits(address, (client.Limits(address) ?? iAmLimits) with { MaxSegments = accepted });
        string? Text(PropertyIdentifier p)
        {
            if (!identity.Value.TryGetValue(p, out var v) || !v.Ok)
            {
                problems.Add(
                $"{p}: {(v.Failure?.Detail ?? "not returned")}"); return null;
            }
            return v.Value.FirstOrDefault() is BacnetValue.CharacterString s ? s.Value : null;
        }
        var name = Text(PropertyIdentifier.ObjectName);
        var vendor = Text(PropertyIdentifier.VendorName);
        var model = Text(PropertyIdentifier.ModelName);
        var serial = Text(PropertyIdentifier.SerialNumber);
        var objects = identity.Value.TryGetValue(PropertyIdentifier.ObjectList, out var list) && list.Ok
            ? list.Value.OfType<BacnetValue.ObjectIdentifier>().Select(o => o.Value).ToList() : [];
        if (objects.Count == 0)
        {
            // Object_List too long for one APDU on devices that do not segment: read it element by element.
            var count = await client.ReadPropertyAsync(address, device, PropertyIdentifier.ObjectList, 0, cancellationToken).ConfigureAwait(
                false);
            if (count.Ok && count.Value.Values.FirstOrDefault() is BacnetValue.Unsigned n)
            {
                for (uint i = 1; i <= Math.Min(n.Value, 10_000); i++)
                {
                    var item = await client.ReadPropertyAsync(address, device, PropertyIdentifier.ObjectList, i,
                        cancellationToken).ConfigureAwait(false);
                    if (item.Ok && item.Value.Values.FirstOrDefault() is BacnetValue.ObjectIdentifier o) objects.Add(o.Value);
                }
            }
            else
            {
                problems.Add($"ObjectList: {(count.Failure?.Detail ?? "unreadable")}");
            }
        }
        var ports = new List<NetworkPortInfo>();
        foreach (var port in objects.Where(o => o.Type == ObjectType.NetworkPort))
        {
            var read = await ReadPropertiesAsync(client, address, port, PortProperties, cancellationToken).ConfigureAwait(false);
            if (!read.Ok) { problems.Add($"{port}: {read.Failure!.Detail}"); continue; }
            BacnetValue? First(PropertyIdentifier p) => read.Value.TryGetValue(p, out var v) && v.Ok ? v.Value.FirstOrDefault() : null;
            ports.Add(new NetworkPortInfo(port,
                (First(PropertyIdentifier.ObjectName) as BacnetValue.CharacterString)?.Value,
                First(PropertyIdentifier.NetworkType) is BacnetValue.Enumerated t ? (NetworkType)t.Value : null,
                First(PropertyIdentifier.MacAddress) is BacnetValue.OctetString mac ? mac.Value.ToArray() : null,
                (First(PropertyIdentifier.CertificateSigningRequestFile) as BacnetValue.ObjectIdentifier)?.Value,
                read.Value.TryGetValue(PropertyIdentifier.IssuerCertificateFiles, out var issuers) && issuers.Ok
                    ? issuers.Value.OfType<BacnetValue.ObjectIdentifier>().Select(o => o.Value).ToArray() : [],
                (First(PropertyIdentifier.OperationalCertificateFile) as BacnetValue.ObjectIdentifier)?.Value));
        }
        return new DeviceInfo(address, device, name, vendor, model, serial, ports.ToArray(), problems.ToArray())
        {
            HasNoNetworkPort = objects.Count > 0 && !objects.Any(o => o.Type == ObjectType.NetworkPort),
        };
    }
}
