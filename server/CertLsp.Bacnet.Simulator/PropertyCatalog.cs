using P = CertLsp.Bacnet.PropertyIdentifier;

namespace CertLsp.Bacnet.Simulator;

/// <summary>One property an object has: whether ASHRAE 135 requires it of this object, and whether it is a BACnetARRAY.</summary>
internal readonly record struct PropertySpec(P Id, bool Required, bool Array = false);

/// <summary>
/// The properties each kind of simulated object has (ASHRAE 135-2020 clause 12: Device 12.11, File 12.13, Network Port
/// 12.56). A property 135 marks optional but requires under a condition the object meets (Max_Segments_Accepted of a device
/// that segments, the BACnet/IP properties of an IPv4 port, the secure-connect properties of a secure-connect port) counts
/// as required. Property_List (12.1.1.4.1) names every property except Object_Identifier, Object_Name, Object_Type and itself.
/// </summary>
internal static class PropertyCatalog
{
    private static readonly PropertySpec[] Common =
        [new(P.ObjectIdentifier, true), new(P.ObjectName, true), new(P.ObjectType, true), new(P.PropertyList, true, Array: true)];

    /// <param name="segments">The device accepts and sends segmented messages (Max_Segments_Accepted and APDU_Segment_Timeout are then
    /// required).</param>
    public static PropertySpec[] Device(bool segments) =>
    [
        .. Common,
        new(P.SystemStatus, true), new(P.VendorName, true), new(P.VendorIdentifier, true), new(P.ModelName, true),
        new(P.FirmwareRevision, true), new(P.ApplicationSoftwareVersion, true), new(P.ProtocolVersion, true),
        new(P.ProtocolRevision, true), new(P.ProtocolServicesSupported, true), new(P.ProtocolObjectTypesSupported, true),
        new(P.ObjectList, true, Array: true), new(P.MaxApduLengthAccepted, true), new(P.SegmentationSupported, true),
        .. segments ? (PropertySpec[])[new(P.MaxSegmentsAccepted, true), new(P.ApduSegmentTimeout, true)] : [],
        new(P.ApduTimeout, true), new(P.NumberOfApduRetries, true), new(P.DeviceAddressBinding, true), new(P.DatabaseRevision, true),
        new(P.SerialNumber, false),
    ];

    private static readonly PropertySpec[] PortCommon =
    [
        .. Common,
        new(P.StatusFlags, true), new(P.Reliability, true), new(P.OutOfService, true), new(P.NetworkType, true),
        new(P.ProtocolLevel, true), new(P.NetworkNumber, true), new(P.NetworkNumberQuality, true), new(P.ChangesPending, true),
        new(P.ApduLength, true), new(P.LinkSpeed, true), new(P.MacAddress, true), new(P.Command, false),
    ];

    public static readonly PropertySpec[] IpPort =
    [
        .. PortCommon,
        new(P.BacnetIpMode, true), new(P.IpAddress, true), new(P.BacnetIpUdpPort, true), new(P.IpSubnetMask, true),
        new(P.IpDefaultGateway, true), new(P.IpDnsServer, true, Array: true),
    ];

    public static readonly PropertySpec[] ScPort =
    [
        .. PortCommon,
        new(P.MaxBvlcLengthAccepted, true), new(P.MaxNpduLengthAccepted, true), new(P.ScPrimaryHubUri, true),
        new(P.ScFailoverHubUri, true), new(P.ScMinimumReconnectTime, true), new(P.ScMaximumReconnectTime, true),
        new(P.ScConnectWaitTimeout, true), new(P.ScDisconnectWaitTimeout, true), new(P.ScHeartbeatTimeout, true),
        new(P.ScHubConnectorState, true), new(P.OperationalCertificateFile, true), new(P.IssuerCertificateFiles, true, Array: true),
        new(P.CertificateSigningRequestFile, true), new(P.ScPrimaryHubConnectionStatus, true),
        new(P.ScFailoverHubConnectionStatus, true), new(P.ScFailedConnectionRequests, false), new(P.ScHubFunctionEnable, false),
    ];

    public static readonly PropertySpec[] File =
    [
        .. Common,
        new(P.FileType, true), new(P.FileSize, true), new(P.ModificationDate, true), new(P.Archive, true), new(P.ReadOnly, true),
        new(P.FileAccessMethod, true),
    ];

    /// <summary>The value of Property_List: every property but the four 12.1.1.4.1 leaves out.</summary>
    public static BacnetValue[] PropertyList(PropertySpec[] properties) =>
        [.. properties.Where(p => p.Id is not (P.ObjectIdentifier or P.ObjectName or P.ObjectType or P.PropertyList))
            .Select(p => BacnetValue.FromEnumerated((uint)p.Id))];

    /// <summary>
    /// The properties a ReadPropertyMultiple special identifier stands for (15.7.3.1.2): ALL every property, REQUIRED the
    /// required ones, OPTIONAL the optional ones the object has; Property_List is returned by neither ALL nor REQUIRED.
    /// </summary>
    public static IEnumerable<P> Expand(PropertySpec[] properties, P special) => special switch
    {
        P.All => properties.Where(p => p.Id != P.PropertyList).Select(p => p.Id),
        P.Required => properties.Where(p => p.Required && p.Id != P.PropertyList).Select(p => p.Id),
        P.Optional => properties.Where(p => !p.Required).Select(p => p.Id),
        _ => [special],
    };

    /// <summary>A BACnet bit string of <paramref name="length"/> bits with the bits at <paramref name="set"/> set (bit 0 first).</summary>
    public static BacnetValue Bits(int length, params int[] set)
    {
        var bytes = new byte[(length + 7) / 8];
        foreach (var bit in set) bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
        return new BacnetValue.BitString((byte)(bytes.Length * 8 - length), [.. bytes]);
    }
}
