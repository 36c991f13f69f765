namespace CertLsp.Bacnet;

// The enumerations of ASHRAE 135 this library uses. Values outside the named ones are legal on the wire and
// travel as numbers (an enum holds any value of its underlying type).

public enum ObjectType : ushort
{
    AnalogInput = 0, AnalogOutput = 1, AnalogValue = 2, BinaryInput = 3, BinaryOutput = 4, BinaryValue = 5,
    Device = 8, File = 10, NetworkPort = 56,
}

public enum PropertyIdentifier : uint
{
    FileSize = 42, ModelName = 70, ObjectIdentifier = 75, ObjectList = 76, ObjectName = 77, ObjectType = 79,
    VendorIdentifier = 120, VendorName = 121, ProtocolRevision = 139, FileAccessMethod = 41, FileType = 43,
    ReadOnly = 99, ApplicationSoftwareVersion = 12, FirmwareRevision = 44, SystemStatus = 112,
    MaxApduLengthAccepted = 62, SegmentationSupported = 107, ProtocolVersion = 98, MaxSegmentsAccepted = 167,
    PropertyList = 371, SerialNumber = 372, ChangesPending = 416, Command = 417, MacAddress = 423,
    NetworkType = 427, ProtocolLevel = 482, DeviceUuid = 507, CertificateSigningRequestFile = 509,
    CommandValidationResult = 510, IssuerCertificateFiles = 511,
    MaxBvlcLengthAccepted = 4194304, MaxNpduLengthAccepted = 4194305, OperationalCertificateFile = 4194306,
    CurrentHealth = 4194307, ScFailoverHubConnectionStatus = 4194316, ScFailoverHubUri = 4194317,
    ScHubConnectorState = 4194318, ScHubFunctionAcceptUris = 4194319, ScHubFunctionBinding = 4194320,
    ScHubFunctionEnable = 4194322, ScPrimaryHubConnectionStatus = 4194324, ScPrimaryHubUri = 4194325,
    ApduSegmentTimeout = 10, ApduTimeout = 11, Archive = 13, Description = 28, DeviceAddressBinding = 30,
    ModificationDate = 71, NumberOfApduRetries = 73, OutOfService = 81, ProtocolObjectTypesSupported = 96,
    ProtocolServicesSupported = 97, Reliability = 103, StatusFlags = 111, DatabaseRevision = 155,
    ApduLength = 399, IpAddress = 400, IpDefaultGateway = 401, IpDnsServer = 406, BacnetIpMode = 408, IpSubnetMask = 411,
    BacnetIpUdpPort = 412, LinkSpeed = 420, NetworkNumber = 425, NetworkNumberQuality = 426,
    ScConnectWaitTimeout = 4194308, ScDisconnectWaitTimeout = 4194314, ScFailedConnectionRequests = 4194315,
    ScHeartbeatTimeout = 4194323, ScMaximumReconnectTime = 4194326, ScMinimumReconnectTime = 4194327,
    /// <summary>ReadPropertyMultiple's special identifiers (15.7.3.1.2): every property, the required ones, the optional ones.</summary>
    All = 8, Required = 105, Optional = 80,
}

public enum ConfirmedService : byte
{
    AtomicReadFile = 6, AtomicWriteFile = 7, ReadProperty = 12, ReadPropertyMultiple = 14, WriteProperty = 15,
    ReinitializeDevice = 20,
}

public enum UnconfirmedService : byte
{
    IAm = 0, IHave = 1, WhoHas = 7, WhoIs = 8,
}

public enum ErrorClass : uint
{
    Device = 0, Object = 1, Property = 2, Resources = 3, Security = 4, Services = 5, Vt = 6, Communication = 7,
}

public enum ErrorCode : uint
{
    Other = 0, ConfigurationInProgress = 2, DeviceBusy = 3, FileAccessDenied = 5, InconsistentParameters = 7,
    InvalidDataType = 9, InvalidFileAccessMethod = 10, InvalidFileStartPosition = 11, MissingRequiredParameter = 16,
    NoSpaceToWriteProperty = 20, PasswordFailure = 26, ReadAccessDenied = 27, ServiceRequestDenied = 29, Timeout = 30,
    UnknownObject = 31, UnknownProperty = 32, ValueOutOfRange = 37, WriteAccessDenied = 40, InvalidArrayIndex = 42,
    OptionalFunctionalityNotSupported = 45, InvalidConfigurationData = 46, PropertyIsNotAnArray = 50,
}

public enum RejectReason : byte
{
    Other = 0, BufferOverflow = 1, InconsistentParameters = 2, InvalidParameterDataType = 3, InvalidTag = 4,
    MissingRequiredParameter = 5, ParameterOutOfRange = 6, TooManyArguments = 7, UndefinedEnumeration = 8,
    UnrecognizedService = 9,
}

public enum AbortReason : byte
{
    Other = 0, BufferOverflow = 1, InvalidApduInThisState = 2, PreemptedByHigherPriorityTask = 3,
    SegmentationNotSupported = 4, SecurityError = 5, InsufficientSecurity = 6, WindowSizeOutOfRange = 7,
    ApplicationExceededReplyTime = 8, OutOfResources = 9, TsmTimeout = 10, ApduTooLong = 11,
}

public enum Segmentation : uint
{
    Both = 0, Transmit = 1, Receive = 2, None = 3,
}

public enum ReinitializedState : uint
{
    ColdStart = 0, WarmStart = 1, StartBackup = 2, EndBackup = 3, StartRestore = 4, EndRestore = 5, AbortRestore = 6,
    ActivateChanges = 7,
}

/// <summary>BACnetNetworkType (Network_Type of a Network Port). Revisions 17-23 used 64 for secure-connect.</summary>
public enum NetworkType : uint
{
    Ethernet = 0, Arcnet = 1, Mstp = 2, Ptp = 3, Lontalk = 4, Ipv4 = 5, Zigbee = 6, Virtual = 7, Ipv6 = 9, Serial = 10,
    SecureConnect = 11, SecureConnectLegacy = 64,
}

/// <summary>
/// BACnetNetworkPortCommand. Values 8 and 9 are disputed between implementations (generate-csr-file is 8 in
/// bacnet-stack and Wireshark, 9 in BAClib and chipkin), so the value to send is always a caller's setting.
/// </summary>
public enum NetworkPortCommand : uint
{
    Idle = 0, DiscardChanges = 1, RenewFdRegistration = 2, RestartSlaveDiscovery = 3, RenewDhcp = 4,
    RestartAutonegotiation = 5, Disconnect = 6, RestartPort = 7,
}
