using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Simulator;

/// <summary>
/// One simulated BACnet/SC-capable device: a Device object, two Network Ports (1 = BACnet/IP, 2 = secure-connect with
/// certificate properties) and four File objects (1 = CSR, read-only; 2, 3 = issuer certificates; 4 = operational
/// certificate). Writing the generate-csr-file value to port 2's Command makes a new key pair (pending until
/// activation) and writes its PKCS#10 CSR as PEM into File 1, then Command returns to idle. ReinitializeDevice
/// ACTIVATE_CHANGES checks the operational certificate against the key and the installed issuers.
/// On a BACnet/SC site (<see cref="SimulatedSite.StartAsync"/>) the device joins its hub with its active certificate and its own
/// key (held in memory only, never written or logged), rejoins with a newly activated one, and port 2 reports its hub connection.
/// A device whose spec says <see cref="SimulatedDeviceSpec.ScOnly"/> has no BACnet/IP port.
/// </summary>
public sealed class SimulatedDevice : IDeviceHandler, IDisposable
{
    public const uint IpPort = 1, ScPort = 2;
    public const uint CsrFile = 1, IssuerFile1 = 2, IssuerFile2 = 3, OperationalFile = 4;
    public const int MaxFileSize = 64 * 1024;
    private const uint StreamAccess = 1;

    private readonly object gate = new();
    private readonly SimulatedDeviceSpec spec;
    private readonly ObjectId device;
    private readonly Dictionary<uint, byte[]> files = new()
    {
        [CsrFile] = [], [IssuerFile1] = [], [IssuerFile2] = [], [OperationalFile] =
        []
    };
    private Dictionary<uint, byte[]>? activeFiles;  // the installed state while changes are pending
    private readonly Dictionary<uint, DateTime> modified = [];  // each file's Modification_Date (local time)
    private readonly HashSet<uint> archived = [];  // files whose Archive is true (set by a client, cleared by a change)
    private readonly PropertySpec[] deviceProperties;
    private AsymmetricAlgorithm key;
    private AsymmetricAlgorithm? pendingKey;
    private uint command;
    private bool changesPending;
    private int boot;  // restarts so far: a CSR being generated when the device restarts is never finished

    public SimulatedDevice(SimulatedDeviceSpec spec, ushort port)
    {
        this.spec = spec;
        device = ObjectId.Device(spec.Instance);
        Endpoint = new BipEndpoint(BipEndpoint.From(new System.Net.IPEndPoint(spec.Address, port)).Address, port);
        key = spec.InitialKey ?? (AsymmetricAlgorithm?)spec.InitialCertificate?.GetECDsaPrivateKey()
            ?? spec.InitialCertificate?.GetRSAPrivateKey() ?? NewKey();
        if (spec.InitialCertificate is { } initial)
        {
            ActiveCertificate = X509CertificateLoader.LoadCertificate(initial.RawData);
            files[OperationalFile] = System.Text.Encoding.ASCII.GetBytes(ActiveCertificate.ExportCertificatePem() + "\n");
        }
        if (spec.LimitsProblem() is { } problem) throw new ArgumentException($"device {spec.Instance}: {problem}", nameof(spec));
        Identity = new IAm(device, (uint)spec.MaxApdu, spec.Segmentation, spec.VendorId);
        deviceProperties = PropertyCatalog.Device(Identity.Segmentation != Segmentation.None);
        var started = DateTime.Now;
        foreach (var file in files.Keys) modified[file] = started;
    }

    public IAm Identity { get; }

    /// <summary>The Device UUID the device announces to its hub.</summary>
    public Guid Uuid { get; } = Guid.NewGuid();

    /// <summary>The VMAC the device starts with (02-CE and its instance number; a hub's duplicate-VMAC NAK makes it draw another).
    /// </summary>
    public Vmac DefaultVmac => new(0x02CE_0000_0000UL | spec.Instance);

    /// <summary>Its BACnet/SC port at work on an SC site (null on a BACnet/IP-only site).</summary>
    internal SimulatedHubConnection? Hub { get; set; }

    /// <summary>The hub connector of its SC port now (null before it has joined with a certificate, or on a B/IP-only site).
    /// </summary>
    public ScHubConnector? HubConnector => Hub?.Connector;

    /// <summary>Raised (under the device's lock: the handler must not block) when ReinitializeDevice has activated a new operational
    /// certificate.</summary>
    internal event Action? CertificateActivated;

    /// <summary>Installs the site's issuer certificates in the issuer files (a device that starts with a certificate).</summary>
    internal void InstallIssuers(IReadOnlyList<X509Certificate2> issuers)
    {
        lock (gate)
        {
            var slots = new[] { IssuerFile1, IssuerFile2 };
            for (var i = 0; i < Math.Min(slots.Length, issuers.Count); i++)
                files[slots[i]] = System.Text.Encoding.ASCII.GetBytes(issuers[i].ExportCertificatePem() + "\n");
        }
    }

    /// <summary>The active certificate with the device's key for a TLS handshake: (null, null) before a certificate is active,
    /// (null, why) when the certificate is not for the device's key. Nothing about the key leaves the device otherwise.</summary>
    internal (X509Certificate2? Credential, string? Problem) ScCredential()
    {
        lock (gate)
        {
            if (ActiveCertificate is not { } certificate) return (null, null);
            if (!certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(ExportPublicKey(key)))
                return (null, "the operational certificate's public key is not the device's key: no TLS handshake can be made with it");
            try
            {
                return (key switch
                {
                    ECDsa ec => certificate.CopyWithPrivateKey(ec),
                    RSA rsa => certificate.CopyWithPrivateKey(rsa),
                    _ => throw new InvalidOperationException("unknown key type"),
                }, null);
            }
            catch (CryptographicException e)
            {
                return (null, $"the operational certificate cannot be used with the device's key: {e.Message}");
            }
        }
    }
    public int? MaxSegmentsAccepted => spec.MaxSegments;
    public SimulatedDeviceSpec Spec => spec;
    public BipEndpoint Endpoint { get; }

    /// <summary>The device's active public key (SubjectPublicKeyInfo), for tests and the demo.</summary>
    public byte[] ActivePublicKey { get { lock (gate) return ExportPublicKey(key); } }
    public byte[] FileContent(uint file) { lock (gate) return [.. files[file]]; }
    public bool ChangesPending { get { lock (gate) return changesPending; } }
    /// <summary>
    /// A device that stops answering (powered off, unplugged): while true every datagram to it is dropped unanswered, Who-Is
    /// included (<see cref="SimulatedSite"/> counts them with the malformed ones); its state is kept for when it answers again.
    /// </summary>
    public bool Unresponsive { get; set; }

    /// <summary>Raised on the receive loop, once per datagram the device drops because it is <see cref="Unresponsive"/>: a test
    /// awaits "the request reached the silent device" instead of polling the counts (the handler must not block).</summary>
    public event Action<SimulatedDevice>? Ignored;

    /// <summary>Whether the device answers now; when it does not (<see cref="Unresponsive"/>), raises <see cref="Ignored"/>.
    /// </summary>
    internal bool Answers()
    {
        if (!Unresponsive) return true;
        Ignored?.Invoke(this);
        return false;
    }

    /// <summary>The operational certificate activated last (null until one is).</summary>
    public X509Certificate2? ActiveCertificate { get; private set; }

    private AsymmetricAlgorithm NewKey() =>
        spec.KeyAlgorithm == SimulatedKeyAlgorithm.Rsa2048 ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private static byte[] ExportPublicKey(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => ec.ExportSubjectPublicKeyInfo(),
        RSA rsa => rsa.ExportSubjectPublicKeyInfo(),
        _ => throw new InvalidOperationException("unknown key type"),
    };

    public ServiceResponse Handle(ConfirmedService service, ReadOnlySpan<byte> data)
    {
        lock (gate)
        {
            switch (service)
            {
                case ConfirmedService.ReadProperty:
                    {
                        var request = ReadPropertyRequest.Decode(data);
                        if (!request.Ok) return ServiceResponse.From(request.Error!);
                        var r = request.Value;
                        var value = Read(r.Object, r.Property, r.ArrayIndex);
                        return value.Ok ? ServiceResponse.Ack(new ReadPropertyAck(r.Object, r.Property, r.ArrayIndex, value.Value))
                            : new ServiceResponse.Failed(value.Error);
                    }
                case ConfirmedService.ReadPropertyMultiple when !spec.SupportsReadPropertyMultiple:
                    return new ServiceResponse.Rejected(RejectReason.UnrecognizedService);
                case ConfirmedService.ReadPropertyMultiple:
                    {
                        var request = ReadPropertyMultipleRequest.Decode(data);
                        if (!request.Ok) return ServiceResponse.From(request.Error!);
                        var results = request.Value.Specifications.Select(spec => new ReadAccessResult(spec.Object,
                            spec.Properties.SelectMany(p => ReadMultiple(spec.Object, p)).ToArray())).ToArray();
                        return ServiceResponse.Ack(new ReadPropertyMultipleAck(results));
                    }
                case ConfirmedService.WriteProperty:
                    {
                        var request = WritePropertyRequest.Decode(data);
                        return request.Ok ? Write(request.Value) : ServiceResponse.From(request.Error!);
                    }
                case ConfirmedService.AtomicReadFile:
                    {
                        var request = AtomicReadFileRequest.Decode(data);
                        return request.Ok ? ReadFile(request.Value) : ServiceResponse.From(request.Error!);
                    }
                case ConfirmedService.AtomicWriteFile:
                    {
                        var request = AtomicWriteFileRequest.Decode(data);
                        return request.Ok ? WriteFile(request.Value) : ServiceResponse.From(request.Error!);
                    }
                case ConfirmedService.ReinitializeDevice:
                    {
                        var request = ReinitializeDeviceRequest.Decode(data);
                        return request.Ok ? Reinitialize(request.Value.State) : ServiceResponse.From(request.Error!);
                    }
                default:
                    return new ServiceResponse.Rejected(RejectReason.UnrecognizedService);
            }
        }
    }

    // ---------------- properties ----------------

    private readonly record struct ReadResult(EquatableArray<BacnetValue> Value, BacnetError Error, bool Ok);

    private static ReadResult Value(params BacnetValue[] values) => new(values, default, true);
    private static ReadResult Fail(ErrorClass c, ErrorCode code) => new(default, new BacnetError(c, code), false);

    private IEnumerable<ObjectId> Objects() =>
        spec.HasNetworkPorts
            ? [device, .. spec.ScOnly ? Array.Empty<ObjectId>() : [ObjectId.NetworkPort(IpPort)], ObjectId.NetworkPort(ScPort),
                .. files.Keys.Order().Select(ObjectId.File)]
            : [device];

    /// <summary>The properties an object of this device has (null: no such object).</summary>
    private PropertySpec[]? PropertiesOf(ObjectId obj) => !Objects().Contains(obj) ? null : obj.Type switch
    {
        ObjectType.Device => deviceProperties,
        ObjectType.NetworkPort => obj.Instance == ScPort ? PropertyCatalog.ScPort : PropertyCatalog.IpPort,
        _ => PropertyCatalog.File,
    };

    private ReadResult Read(ObjectId obj, PropertyIdentifier property, uint? index)
    {
        if (PropertiesOf(obj) is not { } properties) return Fail(ErrorClass.Object, ErrorCode.UnknownObject);
        if (Array.FindIndex(properties, p => p.Id == property) is var at && at < 0) return Fail(ErrorClass.Property,
            ErrorCode.UnknownProperty);
        if (index is not null && !properties[at].Array) return Fail(ErrorClass.Property, ErrorCode.PropertyIsNotAnArray);
        var values = ReadWhole(obj, property);
        if (!values.Ok || index is null) return values;
        var items = values.Value;
        if (index == 0) return Value(BacnetValue.FromUnsigned((ulong)items.Count));
        return index <= items.Count ? Value(items[(int)index - 1]) : Fail(ErrorClass.Property, ErrorCode.InvalidArrayIndex);
    }

    /// <summary>One property reference of ReadPropertyMultiple: ALL, REQUIRED and OPTIONAL stand for the object's properties
    /// (15.7.3.1.2).</summary>
    private IEnumerable<PropertyResult> ReadMultiple(ObjectId obj, PropertyReference reference)
    {
        if (reference.Property is PropertyIdentifier.All or PropertyIdentifier.Required or PropertyIdentifier.Optional)
        {
            if (PropertiesOf(obj) is not { } properties)
                return [PropertyResult.Failed(reference.Property, reference.ArrayIndex,
                    new BacnetError(ErrorClass.Object, ErrorCode.UnknownObject))];
            if (reference.ArrayIndex is not null)
                return [PropertyResult.Failed(reference.Property, reference.ArrayIndex,
                    new BacnetError(ErrorClass.Property, ErrorCode.PropertyIsNotAnArray))];
            return PropertyCatalog.Expand(properties, reference.Property).Select(p => Result(p, null));
        }
        return [Result(reference.Property, reference.ArrayIndex)];

        PropertyResult Result(PropertyIdentifier property, uint? index) => Read(obj, property, index) is var v && v.Ok
            ? new PropertyResult(property, index, v.Value)
            : PropertyResult.Failed(property, index, v.Error);
    }

    private ReadResult ReadWhole(ObjectId obj, PropertyIdentifier property)
    {
        switch (property)
        {
            case PropertyIdentifier.ObjectIdentifier: return Value(BacnetValue.From(obj));
            case PropertyIdentifier.ObjectType: return Value(BacnetValue.FromEnumerated((uint)obj.Type));
            case PropertyIdentifier.PropertyList: return Value(PropertyCatalog.PropertyList(PropertiesOf(obj)!));
        }
        if (obj.Type == ObjectType.Device)
        {
            return property switch
            {
                PropertyIdentifier.ObjectName => Value(BacnetValue.From(spec.EffectiveName)),
                PropertyIdentifier.VendorName => Value(BacnetValue.From(spec.VendorName)),
                PropertyIdentifier.VendorIdentifier => Value(BacnetValue.FromUnsigned(spec.VendorId)),
                PropertyIdentifier.ModelName => Value(BacnetValue.From(spec.ModelName)),
                PropertyIdentifier.SerialNumber => Value(BacnetValue.From(spec.EffectiveSerial)),
                PropertyIdentifier.FirmwareRevision => Value(BacnetValue.From("1.0")),
                PropertyIdentifier.ApplicationSoftwareVersion => Value(BacnetValue.From("certlsp-sim 1.0")),
                PropertyIdentifier.SystemStatus => Value(BacnetValue.FromEnumerated(0)),
                PropertyIdentifier.ProtocolVersion => Value(BacnetValue.FromUnsigned(1)),
                PropertyIdentifier.ProtocolRevision => Value(BacnetValue.FromUnsigned(24)),
                PropertyIdentifier.MaxApduLengthAccepted => Value(BacnetValue.FromUnsigned((ulong)spec.MaxApdu)),
                PropertyIdentifier.SegmentationSupported => Value(BacnetValue.FromEnumerated((uint)spec.Segmentation)),
                PropertyIdentifier.MaxSegmentsAccepted => Value(BacnetValue.FromUnsigned((ulong)spec.MaxSegments)),
                PropertyIdentifier.ObjectList => Value([.. Objects().Select(BacnetValue.From)]),
                // exactly the services this device executes: AtomicReadFile 6, AtomicWriteFile 7, ReadProperty 12,
                // ReadPropertyMultiple 14 (unless turned off), WriteProperty 15, ReinitializeDevice 20, Who-Is 34 (of the 49 of revision
                // 24)
                PropertyIdentifier.ProtocolServicesSupported => Value(PropertyCatalog.Bits(49,
                    [6, 7, 12, .. spec.SupportsReadPropertyMultiple ? [14] : Array.Empty<int>(), 15, 20, 34])),
                PropertyIdentifier.ProtocolObjectTypesSupported => Value(PropertyCatalog.Bits(65,
                    (int)ObjectType.Device, (int)ObjectType.File, (int)ObjectType.NetworkPort)),
                PropertyIdentifier.ApduSegmentTimeout => Value(BacnetValue.FromUnsigned(
                    (ulong)DeviceEndpoint.DefaultSegmentTimeout.TotalMilliseconds)),
                PropertyIdentifier.ApduTimeout => Value(BacnetValue.FromUnsigned(ApduTimeoutMilliseconds)),
                PropertyIdentifier.NumberOfApduRetries => Value(BacnetValue.FromUnsigned(DeviceEndpoint.DefaultRetries)),
                PropertyIdentifier.DeviceAddressBinding => Value(),  // it binds to no device: it initiates no requests
                PropertyIdentifier.DatabaseRevision => Value(BacnetValue.FromUnsigned(1)),  // objects are never created, deleted or renamed
                _ => Fail(ErrorClass.Property, ErrorCode.UnknownProperty),
            };
        }
        if (obj.Type == ObjectType.NetworkPort)
        {
            var sc = obj.Instance == ScPort;
            switch (property)
            {
                case PropertyIdentifier.ObjectName: return Value(BacnetValue.From(sc ? "SC" : "BIP"));
                case PropertyIdentifier.NetworkType:
                    return Value(
                    BacnetValue.FromEnumerated((uint)(sc ? NetworkType.SecureConnect : NetworkType.Ipv4)));
                case PropertyIdentifier.MacAddress:
                    return Value(BacnetValue.FromBytes(sc ? Octets(HubConnector?.Vmac ?? DefaultVmac) : Endpoint.ToMac()));
                case PropertyIdentifier.ChangesPending: return Value(BacnetValue.From(sc && changesPending));
                case PropertyIdentifier.Command: return Value(BacnetValue.FromEnumerated(sc ? command : 0));
                // in-alarm, fault, overridden, out-of-service: all false
                case PropertyIdentifier.StatusFlags: return Value(PropertyCatalog.Bits(4));
                case PropertyIdentifier.Reliability: return Value(BacnetValue.FromEnumerated(0));  // no-fault-detected
                case PropertyIdentifier.OutOfService: return Value(BacnetValue.From(false));
                case PropertyIdentifier.ProtocolLevel: return Value(BacnetValue.FromEnumerated(2));  // bacnet-application
                // not configured, not learned (no router)
                case PropertyIdentifier.NetworkNumber: return Value(BacnetValue.FromUnsigned(0));
                case PropertyIdentifier.NetworkNumberQuality: return Value(BacnetValue.FromEnumerated(0));  // unknown
                case PropertyIdentifier.ApduLength: return Value(BacnetValue.FromUnsigned(Identity.MaxApduLength));
                case PropertyIdentifier.LinkSpeed: return Value(new BacnetValue.Real(0));  // 0: not known (a loopback interface)
            }
            if (!sc)
            {
                var ip = Endpoint.ToMac();
                return property switch
                {
                    PropertyIdentifier.BacnetIpMode => Value(BacnetValue.FromEnumerated(0)),  // normal (neither foreign device nor BBMD)
                    PropertyIdentifier.IpAddress => Value(BacnetValue.FromBytes(ip.AsSpan(0, 4))),
                    PropertyIdentifier.BacnetIpUdpPort => Value(BacnetValue.FromUnsigned(Endpoint.Port)),
                    PropertyIdentifier.IpSubnetMask => Value(BacnetValue.FromBytes([255, 0, 0, 0])),  // 127.0.0.0/8
                    PropertyIdentifier.IpDefaultGateway => Value(BacnetValue.FromBytes([0, 0, 0, 0])),  // none
                    PropertyIdentifier.IpDnsServer => Value(),  // none
                    _ => Fail(ErrorClass.Property, ErrorCode.UnknownProperty),
                };
            }
            return property switch
            {
                PropertyIdentifier.CertificateSigningRequestFile => Value(BacnetValue.From(ObjectId.File(CsrFile))),
                PropertyIdentifier.IssuerCertificateFiles => Value(BacnetValue.From(ObjectId.File(IssuerFile1)),
                    BacnetValue.From(ObjectId.File(IssuerFile2))),
                PropertyIdentifier.OperationalCertificateFile => Value(BacnetValue.From(ObjectId.File(OperationalFile))),
                // On a BACnet/IP-only site the hub connector is idle (no-hub-connection): nothing ever connected or failed.
                PropertyIdentifier.ScPrimaryHubUri => Value(BacnetValue.From(Hub?.Primary.ToString() ?? "wss://hub.site.invalid:4443")),
                PropertyIdentifier.ScFailoverHubUri => Value(BacnetValue.From(Hub?.Failover?.ToString() ?? "")),
                PropertyIdentifier.ScHubConnectorState => Value(BacnetValue.FromEnumerated((uint)(Hub?.State ??
                    ScHubConnectionStatus.NoHubConnection))),
                PropertyIdentifier.MaxBvlcLengthAccepted => Value(BacnetValue.FromUnsigned(ScLengths.OwnMaxBvlcLength)),
                PropertyIdentifier.MaxNpduLengthAccepted => Value(BacnetValue.FromUnsigned(ScLengths.OwnMaxNpduLength)),
                PropertyIdentifier.ScMinimumReconnectTime => Seconds(Hub?.Options.MinimumReconnectTime ?? TimeSpan.FromSeconds(2)),
                PropertyIdentifier.ScMaximumReconnectTime => Seconds(Hub?.Options.MaximumReconnectTime ?? TimeSpan.FromSeconds(600)),
                // before a connector is started: the connector's defaults
                PropertyIdentifier.ScConnectWaitTimeout => Seconds(Hub?.Settings?.ConnectWaitTimeout ?? TimeSpan.FromSeconds(10)),
                PropertyIdentifier.ScDisconnectWaitTimeout => Seconds(Hub?.Settings?.DisconnectWaitTimeout ?? TimeSpan.FromSeconds(5)),
                PropertyIdentifier.ScHeartbeatTimeout => Seconds(Hub?.Settings?.HeartbeatTimeout ?? TimeSpan.FromSeconds(300)),
                PropertyIdentifier.ScPrimaryHubConnectionStatus => Value(BacnetScHubConnection.Encode(Hub?.PrimaryStatus ??
                    ScHubConnectionReport.Initial)),
                PropertyIdentifier.ScFailoverHubConnectionStatus => Value(BacnetScHubConnection.Encode(Hub?.FailoverStatus ??
                    ScHubConnectionReport.Initial)),
                PropertyIdentifier.ScHubFunctionEnable => Value(BacnetValue.From(false)),  // the device is no hub
                PropertyIdentifier.ScFailedConnectionRequests => Value(),
                _ => Fail(ErrorClass.Property, ErrorCode.UnknownProperty),
            };
        }
        var content = files[obj.Instance];
        return property switch
        {
            PropertyIdentifier.ObjectName => Value(BacnetValue.From(obj.Instance switch
            {
                CsrFile => "CSR",
                OperationalFile => "Operational certificate",
                _ => $"Issuer certificate {obj.Instance - 1}",
            })),
            PropertyIdentifier.FileType => Value(BacnetValue.From(obj.Instance == CsrFile ? "application/pkcs10"
                : "application/x-pem-file")),
            PropertyIdentifier.FileSize => Value(BacnetValue.FromUnsigned((ulong)content.Length)),
            PropertyIdentifier.ReadOnly => Value(BacnetValue.From(obj.Instance == CsrFile)),
            PropertyIdentifier.FileAccessMethod => Value(BacnetValue.FromEnumerated(StreamAccess)),
            PropertyIdentifier.ModificationDate => Value(DateOf(modified[obj.Instance]), TimeOf(modified[obj.Instance])),
            PropertyIdentifier.Archive => Value(BacnetValue.From(archived.Contains(obj.Instance))),
            _ => Fail(ErrorClass.Property, ErrorCode.UnknownProperty),
        };
    }

    /// <summary>APDU_Timeout: the device initiates no confirmed request, so it is the 3 s 135 recommends (the segment timeout is
    /// APDU_Segment_Timeout).</summary>
    private const uint ApduTimeoutMilliseconds = 3000;

    private static byte[] Octets(Vmac vmac)
    {
        var octets = new byte[Vmac.Length];
        vmac.WriteTo(octets);
        return octets;
    }

    /// <summary>A time property in whole seconds (at least 1).</summary>
    private static ReadResult Seconds(TimeSpan time) => Value(BacnetValue.FromUnsigned((ulong)Math.Max(1, Math.Round(time.TotalSeconds))));

    private static BacnetValue DateOf(DateTime t) =>
        new BacnetValue.Date((byte)(t.Year - 1900), (byte)t.Month, (byte)t.Day, (byte)(((int)t.DayOfWeek + 6) % 7 + 1));

    private static BacnetValue TimeOf(DateTime t) =>
        new BacnetValue.Time((byte)t.Hour, (byte)t.Minute, (byte)t.Second, (byte)(t.Millisecond / 10));


    private ServiceResponse Write(WritePropertyRequest request)
    {
        var obj = request.Object;
        if (!Objects().Contains(obj)) return ServiceResponse.Fail(ErrorClass.Object, ErrorCode.UnknownObject);
        if (Read(obj, request.Property, null) is { Ok: false } missing) return new ServiceResponse.Failed(missing.Error);
        var single = request.Values.Count == 1 ? request.Values[0] : null;
        if (obj == ObjectId.NetworkPort(ScPort) && request.Property == PropertyIdentifier.Command)
        {
            if (single is not BacnetValue.Enumerated command) return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.InvalidDataType);
            if (this.command != (uint)NetworkPortCommand.Idle) return ServiceResponse.Fail(ErrorClass.Device, ErrorCode.DeviceBusy);
            if (command.Value == spec.GenerateCsrCommand) { StartCsr(); return ServiceResponse.Simple.Instance; }
            if (command.Value == (uint)NetworkPortCommand.DiscardChanges) { Discard(); return ServiceResponse.Simple.Instance; }
            if (command.Value == (uint)NetworkPortCommand.Idle) return ServiceResponse.Simple.Instance;
            return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.ValueOutOfRange);
        }
        if (obj == ObjectId.NetworkPort(ScPort) && request.Property is PropertyIdentifier.ScPrimaryHubUri
            or PropertyIdentifier.ScFailoverHubUri)
            return WriteHubUri(request.Property == PropertyIdentifier.ScPrimaryHubUri, single);
        if (obj.Type == ObjectType.File && request.Property == PropertyIdentifier.Archive)
        {
            if (single is not BacnetValue.Boolean archive) return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.InvalidDataType);
            if (archive.Value) archived.Add(obj.Instance); else archived.Remove(obj.Instance);
            return ServiceResponse.Simple.Instance;
        }
        if (obj.Type == ObjectType.File && request.Property == PropertyIdentifier.FileSize)
        {
            if (obj.Instance == CsrFile || !spec.FileSizeWritable) return ServiceResponse.Fail(ErrorClass.Property,
                ErrorCode.WriteAccessDenied);
            if (single is not BacnetValue.Unsigned size) return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.InvalidDataType);
            var content = files[obj.Instance];
            if (size.Value > (ulong)content.Length) return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.ValueOutOfRange);
            Modify(obj.Instance, content[..(int)size.Value]);
            return ServiceResponse.Simple.Instance;
        }
        return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.WriteAccessDenied);
    }

    /// <summary>SC_Primary_Hub_URI or SC_Failover_Hub_URI := a wss:// URI (the failover also ""): the device joins the hub(s) it
    /// names once the answer is out. Not writable on a BACnet/IP-only site.</summary>
    private ServiceResponse WriteHubUri(bool primary, BacnetValue? value)
    {
        if (Hub is not { } hub) return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.WriteAccessDenied);
        if (value is not BacnetValue.CharacterString text) return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.InvalidDataType);
        Uri? uri = null;
        if (!(text.Value.Length == 0 && !primary)
            && (!Uri.TryCreate(text.Value, UriKind.Absolute, out uri) || uri.Scheme != Uri.UriSchemeWss))
            return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.ValueOutOfRange);
        hub.Retarget(primary ? uri! : hub.Primary, primary ? hub.Failover : uri);
        return ServiceResponse.Simple.Instance;
    }

    // ---------------- files ----------------

    private ServiceResponse ReadFile(AtomicReadFileRequest request)
    {
        if (request.File.Type != ObjectType.File || !files.TryGetValue(request.File.Instance, out var content))
            return ServiceResponse.Fail(ErrorClass.Object, ErrorCode.UnknownObject);
        if (request.Start < 0 || request.Start > content.Length) return ServiceResponse.Fail(ErrorClass.Services,
            ErrorCode.InvalidFileStartPosition);
        var count = (int)Math.Min(request.Count, (uint)(content.Length - request.Start));
        var chunk = content.AsSpan((int)request.Start, count);
        return ServiceResponse.Ack(new AtomicReadFileAck(request.Start + count == content.Length, request.Start, [.. chunk]));
    }

    private ServiceResponse WriteFile(AtomicWriteFileRequest request)
    {
        if (request.File.Type != ObjectType.File || !files.TryGetValue(request.File.Instance, out var content))
            return ServiceResponse.Fail(ErrorClass.Object, ErrorCode.UnknownObject);
        if (request.File.Instance == CsrFile) return ServiceResponse.Fail(ErrorClass.Services, ErrorCode.FileAccessDenied);
        var start = request.Start == -1 ? content.Length : request.Start;
        if (start < 0 || start > content.Length) return ServiceResponse.Fail(ErrorClass.Services, ErrorCode.InvalidFileStartPosition);
        var end = start + request.Data.Length;
        if (end > MaxFileSize) return ServiceResponse.Fail(ErrorClass.Resources, ErrorCode.NoSpaceToWriteProperty);
        // A device whose File_Size is not writable replaces the file on a write at 0 (as bacnet-stack's file object does).
        var replace = start == 0 && !spec.FileSizeWritable;
        var updated = new byte[replace ? end : Math.Max(content.Length, end)];
        if (!replace) content.CopyTo(updated, 0);
        request.Data.CopyTo(updated, (int)start);
        Modify(request.File.Instance, updated);
        return ServiceResponse.Ack(new AtomicWriteFileAck(start));
    }

    private void Modify(uint file, byte[] content)
    {
        if (file != CsrFile) BeginChanges();
        SetContent(file, content);
    }

    /// <summary>A file's content changes: its Modification_Date is now and its Archive false (12.13).</summary>
    private void SetContent(uint file, byte[] content)
    {
        files[file] = content;
        modified[file] = DateTime.Now;
        archived.Remove(file);
    }

    private void BeginChanges()
    {
        activeFiles ??= files.ToDictionary(kv => kv.Key, kv => kv.Value);
        changesPending = true;
    }

    // ---------------- CSR, activation ----------------

    private void StartCsr()
    {
        command = spec.GenerateCsrCommand;
        BeginChanges();
        var key = NewKey();
        var boot = this.boot;
        _ = Task.Run(async () =>
        {
            var pem = CreateCsr(key);
            await Task.Delay(spec.CsrDelay).ConfigureAwait(false);
            lock (gate)
            {
                if (boot != this.boot) { key.Dispose(); return; }
                pendingKey?.Dispose();
                pendingKey = key;
                SetContent(CsrFile, System.Text.Encoding.ASCII.GetBytes(pem));
                command = (uint)NetworkPortCommand.Idle;
            }
        });
    }

    private string CreateCsr(AsymmetricAlgorithm key)
    {
        var subject = new X500DistinguishedName(
            $"CN={(spec.CsrCommonName ?? spec.EffectiveName).Replace(",", "\\,", StringComparison.Ordinal)}");
        var request = key switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new InvalidOperationException("unknown key type"),
        };
        return request.CreateSigningRequestPem();
    }

    private void Discard()
    {
        if (activeFiles is not null)
        {
            foreach (var (file, content) in activeFiles) if (file != CsrFile && files[file] != content) SetContent(file, content);
        }
        activeFiles = null;
        pendingKey?.Dispose();
        pendingKey = null;
        changesPending = false;
    }

    private ServiceResponse Reinitialize(ReinitializedState state)
    {
        // Cold and warm start, backup and restore are not implemented: 135 16.4 has a device that does not support the
        // requested state answer with this error (acknowledging and doing nothing would claim a restart that never happened).
        if (state != ReinitializedState.ActivateChanges) return ServiceResponse.Fail(ErrorClass.Services,
            ErrorCode.OptionalFunctionalityNotSupported);
        if (!changesPending) return ServiceResponse.Simple.Instance;
        var operational = CertificateCheck.Parse(files[OperationalFile]);
        if (operational is null) return ServiceResponse.Fail(ErrorClass.Device, ErrorCode.InvalidConfigurationData);
        var issuers = new[] { IssuerFile1, IssuerFile2 }.Select(f => CertificateCheck.Parse(files[f])).OfType<X509Certificate2>().ToList();
        var key = pendingKey ?? this.key;
        var problem = CertificateCheck.Validate(operational, ExportPublicKey(key), issuers, DateTimeOffset.UtcNow);
        if (problem is not null)
        {
            LastActivationProblem = problem;
            return ServiceResponse.Fail(ErrorClass.Device, ErrorCode.InvalidConfigurationData);
        }
        if (pendingKey is not null) { this.key.Dispose(); this.key = pendingKey; pendingKey = null; }
        activeFiles = null;
        changesPending = false;
        ActiveCertificate = operational;
        LastActivationProblem = null;
        CertificateActivated?.Invoke();
        return ServiceResponse.Simple.Instance;
    }

    /// <summary>
    /// A power cycle: what was pending is lost (certificate files written since the last activation, a pending key, a CSR being
    /// generated) and Command is idle; the activated key and certificate stay. The site's <c>RestartAsync</c> also silences the device
    /// meanwhile.
    /// </summary>
    public void Restart()
    {
        lock (gate)
        {
            boot++;
            Discard();
            command = (uint)NetworkPortCommand.Idle;
        }
    }

    /// <summary>How often the device restarted.</summary>
    public int Restarts => Volatile.Read(ref boot);

    /// <summary>Why the last ACTIVATE_CHANGES was refused (for tests and the simulator's log).</summary>
    public string? LastActivationProblem { get; private set; }

    public void Dispose()
    {
        lock (gate)
        {
            key.Dispose();
            pendingKey?.Dispose();
        }
    }
}
