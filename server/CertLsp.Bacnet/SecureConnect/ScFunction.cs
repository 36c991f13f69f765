namespace CertLsp.Bacnet.SecureConnect;

/// <summary>The BVLC-SC message functions (Annex AB.2).</summary>
public enum ScFunction : byte
{
    Result = 0x00, EncapsulatedNpdu = 0x01, AddressResolution = 0x02, AddressResolutionAck = 0x03, Advertisement = 0x04,
    AdvertisementSolicitation = 0x05, ConnectRequest = 0x06, ConnectAccept = 0x07, DisconnectRequest = 0x08, DisconnectAck = 0x09,
    HeartbeatRequest = 0x0A, HeartbeatAck = 0x0B, ProprietaryMessage = 0x0C,
}

/// <summary>The control flags of a BVLC-SC header (octet 1): which optional header parts follow the Message-ID.</summary>
[Flags]
public enum ScControl : byte
{
    None = 0,
    DataOptions = 0x01,
    DestinationOptions = 0x02,
    DestinationVmac = 0x04,
    OriginatingVmac = 0x08,
}

/// <summary>The header option types (AB.2.3): the low five bits of the header option marker.</summary>
public enum ScHeaderOptionType : byte
{
    SecurePath = 1,
    Proprietary = 31,
}

/// <summary>The Hub-Connection-Status of an Advertisement (AB.2.7), the same values as SC_Hub_Connector_State.</summary>
public enum ScHubConnectionStatus : byte
{
    NoHubConnection = 0, ConnectedToPrimaryHub = 1, ConnectedToFailoverHub = 2,
}

/// <summary>The error classes a BVLC-Result NAK carries (clause 18).</summary>
public enum ScErrorClass : ushort
{
    Device = 0, Object = 1, Property = 2, Resources = 3, Security = 4, Services = 5, Communication = 7,
}

/// <summary>
/// The error codes of BACnet/SC (clause 18, the values bacnet-stack's bacenum.h gives): what a BVLC-Result NAK says and what a
/// Network Port's SC connection status reports.
/// </summary>
public enum ScErrorCode : ushort
{
    Other = 0, OptionalFunctionalityNotSupported = 45,
    Success = 84,
    InvalidDataEncoding = 142, BvlcFunctionUnknown = 143, BvlcProprietaryFunctionUnknown = 144, HeaderEncodingError = 145,
    HeaderNotUnderstood = 146, MessageIncomplete = 147, NotABacnetScHub = 148, PayloadExpected = 149, UnexpectedData = 150,
    NodeDuplicateVmac = 151,
    HttpUnexpectedResponseCode = 152, HttpNoUpgrade = 153, HttpResourceNotLocal = 154, HttpProxyAuthenticationFailed = 155,
    HttpResponseTimeout = 156, HttpResponseSyntaxError = 157, HttpResponseValueError = 158, HttpResponseMissingHeader = 159,
    HttpWebsocketHeaderError = 160, HttpUpgradeRequired = 161, HttpUpgradeError = 162, HttpTemporaryUnavailable = 163,
    HttpNotAServer = 164, HttpError = 165,
    WebsocketSchemeNotSupported = 166, WebsocketUnknownControlMessage = 167, WebsocketCloseError = 168, WebsocketClosedByPeer = 169,
    WebsocketEndpointLeaves = 170, WebsocketProtocolError = 171, WebsocketDataNotAccepted = 172, WebsocketClosedAbnormally = 173,
    WebsocketDataInconsistent = 174, WebsocketDataAgainstPolicy = 175, WebsocketFrameTooLong = 176, WebsocketExtensionMissing = 177,
    WebsocketRequestUnavailable = 178, WebsocketError = 179,
    TlsClientCertificateError = 180, TlsServerCertificateError = 181, TlsClientAuthenticationFailed = 182,
    TlsServerAuthenticationFailed = 183, TlsClientCertificateExpired = 184, TlsServerCertificateExpired = 185,
    TlsClientCertificateRevoked = 186, TlsServerCertificateRevoked = 187, TlsError = 188,
    DnsUnavailable = 189, DnsNameResolutionFailed = 190, DnsResolverFailure = 191, DnsError = 192,
    TcpConnectTimeout = 193, TcpConnectionRefused = 194, TcpClosedByLocal = 195, TcpClosedOther = 196, TcpError = 197,
    IpAddressNotReachable = 198, IpError = 199,
}
