using System.Collections.Immutable;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Manifest;

/// <summary>
/// The typed view of a site manifest. Every value is the YAML scalar it came from, so its exact span travels with it.
/// A value that is absent, or of the wrong type (already reported by the schema check), is null.
/// </summary>
public sealed record SiteManifest(
    YamlMapping? Root,
    YamlScalar? Site,
    YamlScalar? Domain,
    CaSettings Ca,
    SubjectValues Subject,
    YamlPair? SubjectPair,
    KeySettings Key,
    CertificateSettings Certificates,
    BacnetSettings Bacnet,
    YamlPair? DevicesPair,
    ImmutableArray<DeviceEntry> Devices)
{
    /// <summary>The domain as appended to common names (no trailing dot), or null when none is set.</summary>
    public string? DomainName => Domain is { Value.Length: > 0 } d ? d.Value.Trim().TrimEnd('.') : null;

    /// <summary>A device's effective value of a subject field: its own override, else the site default.</summary>
    public YamlScalar? Effective(DeviceEntry device, SubjectField field) => device.Subject.Get(field) ?? Subject.Get(field);
}

public sealed record CaSettings(YamlScalar? Profile, ImmutableArray<YamlScalar> Issuers, YamlScalar? SubjectEncoding = null)
{
    public string ProfileName => Profile?.Value ?? "generic";

    /// <summary>“ca.subjectEncoding: printable”: the subject's directory strings as PrintableString (default utf8: UTF8String).</summary>
    public bool PrintableSubject => SubjectEncoding?.Value == "printable";
}

public sealed record KeySettings(YamlScalar? Algorithm, YamlScalar? Size, YamlScalar? Curve, YamlScalar? Source)
{
    public string AlgorithmName => Algorithm?.Value ?? "rsa";

    public int RsaBits => Size is not null && Size.TryGetInt64(out long bits) ? (int)Math.Clamp(bits, 0, int.MaxValue) : 2048;

    public string CurveName => Curve?.Value ?? "P-256";

    public bool DeviceHeld => Source?.Value == "device";
}

/// <param name="DefaultWarningDays">The window when the manifest sets none (30, or what the editor's setting says).</param>
public sealed record CertificateSettings(YamlScalar? WarningDays, int DefaultWarningDays = CertificateSettings.StandardWarningDays)
{
    public const int StandardWarningDays = 30;

    public int WarningDayCount => WarningDays is not null && WarningDays.TryGetInt64(out long d) ? (int)Math.Clamp(d, 0, 3650)
        : DefaultWarningDays;
}

public sealed record BacnetSettings(YamlScalar? Port, YamlScalar? Broadcast, YamlScalar? GenerateCsrCommand,
    SecureConnectSettings? SecureConnect = null)
{
    public int PortNumber => Port is not null && Port.TryGetInt64(out long p) && p is > 0 and < 65536 ? (int)p : 47808;

    public int GenerateCsrCommandValue => GenerateCsrCommand is not null && GenerateCsrCommand.TryGetInt64(out long c) ? (int)c : 9;
}

/// <summary>
/// “bacnet.secureConnect”: the site's BACnet/SC hubs (ASHRAE 135 Annex AB) and the commissioning tool's own SC node. The timings are
/// seconds, as the Network Port's SC properties; absent ones take the documented defaults.
/// </summary>
public sealed record SecureConnectSettings(
    YamlPair Pair,
    YamlMapping Node,
    YamlScalar? PrimaryHub,
    YamlScalar? FailoverHub,
    YamlScalar? ConnectWaitTimeout,
    YamlScalar? HeartbeatTimeout,
    YamlScalar? MinimumReconnectTime,
    YamlScalar? MaximumReconnectTime,
    ToolSettings? Tool)
{
    public const int DefaultConnectWaitSeconds = 5;
    public const int DefaultHeartbeatSeconds = 60;
    public const int DefaultMinimumReconnectSeconds = 10;
    public const int DefaultMaximumReconnectSeconds = 600;

    public TimeSpan ConnectWait => Seconds(ConnectWaitTimeout, DefaultConnectWaitSeconds, 1, 300);

    public TimeSpan Heartbeat => Seconds(HeartbeatTimeout, DefaultHeartbeatSeconds, 1, 3600);

    public TimeSpan MinimumReconnect => Seconds(MinimumReconnectTime, DefaultMinimumReconnectSeconds, 2, 300);

    public TimeSpan MaximumReconnect => Seconds(MaximumReconnectTime, DefaultMaximumReconnectSeconds, 2, 600);

    private static TimeSpan Seconds(YamlScalar? value, int fallback, int minimum, int maximum) =>
        TimeSpan.FromSeconds(value is not null && value.TryGetInt64(out long s) && s >= minimum && s <= maximum ? s : fallback);
}

/// <summary>“bacnet.secureConnect.tool”: the commissioning tool's SC node identity (its certificate is requested like a
/// device's).</summary>
/// <param name="IssuersPair">The “issuers” key when the tool names its own; null when the site's “ca.issuers” apply.</param>
public sealed record ToolSettings(
    YamlPair Pair,
    YamlMapping Node,
    YamlScalar? Name,
    SubjectValues Subject,
    YamlScalar? Datalink,
    YamlPair? IssuersPair,
    ImmutableArray<YamlScalar> Issuers)
{
    /// <summary>Where a tool-level finding points: its name, else the “tool” key.</summary>
    public TextSpan AnchorSpan => Name?.Span ?? Pair.Key.Span;

    /// <summary>Whether CertLsp reaches the devices through the hub (“datalink: sc”) rather than over BACnet/IP (the default).</summary>
    public bool ReachesDevicesOverSc => Datalink?.Value == "sc";
}

/// <summary>Subject fields set in one place (the site defaults or one device's overrides).</summary>
public sealed record SubjectValues(YamlMapping? Node, ImmutableDictionary<string, YamlScalar> Values)
{
    public static SubjectValues Empty { get; } = new(null, ImmutableDictionary<string, YamlScalar>.Empty);

    public YamlScalar? Get(SubjectField field) => Values.GetValueOrDefault(field.Key);

    /// <summary>The fields set here with their values, in CSR order.</summary>
    public IEnumerable<(SubjectField Field, YamlScalar Value)> Set
    {
        get
        {
            if (Values.IsEmpty) yield break;
            foreach (var subjectField in SubjectField.Configurable)
            {
                if (Values.TryGetValue(subjectField.Key, out var value)) yield return (subjectField, value);
            }
        }
    }
}

public sealed record DeviceEntry(
    int Index,
    YamlMapping Node,
    YamlScalar? Name,
    YamlScalar? CommonName,
    YamlScalar? Instance,
    YamlScalar? Address,
    YamlScalar? Batch,
    SubjectValues Subject)
{
    /// <summary>Where a device-level finding points: its name, else the device's first key.</summary>
    public TextSpan AnchorSpan => Name?.Span ?? (Node.Pairs.IsEmpty ? Node.Span : Node.Pairs[0].Key.Span);

    public string DisplayName => Name?.Value ?? $"#{Index + 1}";

    /// <summary>The BACnet instance, when the manifest gives one a device can have (0..<see
    /// cref="Rules.InstanceRangeRule.MaxInstance"/>).</summary>
    public uint? InstanceNumber =>
        Instance is not null && Instance.TryGetInt64(out long value) && value is >= 0 and <= Rules.InstanceRangeRule.MaxInstance
            ? (uint)value : null;
}
