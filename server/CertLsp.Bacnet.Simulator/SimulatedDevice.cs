using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertLsp.Bacnet.Encoding;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Simulator;

/// <summary>
/// One simulated BACnet/SC-capable device: a Device object, two Network Ports (1 = BACnet/IP, 2 = secure-connect with
/// certificate properties) and four File objects (1 = CSR, read-only; 2, 3 = issuer certificates; 4 = operational
/// certificate). Writing the generate-csr-file value to port 2's Command makes a new key pair (pending until
/// activation) and writes its PKCS#10 CSR as PEM into File 1, then Command returns to idle. ReinitializeDevice
/// ACTIVATE_CHANGES checks the operational certificate against the key and the installed issuers.
/// </summary>
public sealed class SimulatedDevice : IDeviceHandler, IDisposable
{
    public const uint IpPort = 1, ScPort = 2;
    public const uint CsrFile = 1, IssuerFile1 = 2, IssuerFile2 = 3, OperationalFile = 4;
    public const int MaxFileSize = 64 * 1024;
    private const uint StreamAccess = 1;

    private readonly object _lock = new();
    private readonly SimulatedDeviceSpec _spec;
    private readonly ObjectId _device;
    private readonly Dictionary<uint, byte[]> _files = new() { [CsrFile] = [], [IssuerFile1] = [], [IssuerFile2] = [], [OperationalFile] = [] };
    private Dictionary<uint, byte[]>? _activeFiles;  // the installed state while changes are pending
    private AsymmetricAlgorithm _key;
    private AsymmetricAlgorithm? _pendingKey;
    private uint _command;
    private bool _changesPending;
    private int _boot;  // restarts so far: a CSR being generated when the device restarts is never finished

    public SimulatedDevice(SimulatedDeviceSpec spec, ushort port)
    {
        _spec = spec;
        _device = ObjectId.Device(spec.Instance);
        Endpoint = new BipEndpoint(BipEndpoint.From(new System.Net.IPEndPoint(spec.Address, port)).Address, port);
        _key = NewKey();
        if (spec.LimitsProblem() is { } problem) throw new ArgumentException($"device {spec.Instance}: {problem}", nameof(spec));
        Identity = new IAm(_device, (uint)spec.MaxApdu, spec.Segmentation, spec.VendorId);
    }

    public IAm Identity { get; }
    public int? MaxSegmentsAccepted => _spec.MaxSegments;
    public SimulatedDeviceSpec Spec => _spec;
    public BipEndpoint Endpoint { get; }

    /// <summary>The device's active public key (SubjectPublicKeyInfo), for tests and the demo.</summary>
    public byte[] ActivePublicKey { get { lock (_lock) return ExportPublicKey(_key); } }
    public byte[] FileContent(uint file) { lock (_lock) return [.. _files[file]]; }
    public bool ChangesPending { get { lock (_lock) return _changesPending; } }
    /// <summary>
    /// A device that stops answering (powered off, unplugged): while true every datagram to it is dropped unanswered, Who-Is
    /// included (<see cref="SimulatedSite"/> counts them with the malformed ones); its state is kept for when it answers again.
    /// </summary>
    public bool Unresponsive { get; set; }

    /// <summary>The operational certificate activated last (null until one is).</summary>
    public X509Certificate2? ActiveCertificate { get; private set; }

    private AsymmetricAlgorithm NewKey() =>
        _spec.KeyAlgorithm == SimulatedKeyAlgorithm.Rsa2048 ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private static byte[] ExportPublicKey(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => ec.ExportSubjectPublicKeyInfo(),
        RSA rsa => rsa.ExportSubjectPublicKeyInfo(),
        _ => throw new InvalidOperationException("unknown key type"),
    };

    public ServiceResponse Handle(ConfirmedService service, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            switch (service)
            {
                case ConfirmedService.ReadProperty:
                    {
                        var request = ReadPropertyRequest.Decode(data);
                        if (!request.Ok) return ServiceResponse.From(request.Error!);
                        var r = request.Value;
                        var value = Read(r.Object, r.Property, r.ArrayIndex);
                        return value.Ok ? ServiceResponse.Ack(new ReadPropertyAck(r.Object, r.Property, r.ArrayIndex, value.Value)) : new ServiceResponse.Failed(value.Error);
                    }
                case ConfirmedService.ReadPropertyMultiple when !_spec.SupportsReadPropertyMultiple:
                    return new ServiceResponse.Rejected(RejectReason.UnrecognizedService);
                case ConfirmedService.ReadPropertyMultiple:
                    {
                        var request = ReadPropertyMultipleRequest.Decode(data);
                        if (!request.Ok) return ServiceResponse.From(request.Error!);
                        var results = request.Value.Specifications.Select(spec => new ReadAccessResult(spec.Object,
                            spec.Properties.Select(p => Read(spec.Object, p.Property, p.ArrayIndex) is var v && v.Ok
                                ? new PropertyResult(p.Property, p.ArrayIndex, v.Value)
                                : PropertyResult.Failed(p.Property, p.ArrayIndex, v.Error)).ToArray())).ToArray();
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
        _spec.HasNetworkPorts
            ? [_device, ObjectId.NetworkPort(IpPort), ObjectId.NetworkPort(ScPort), .. _files.Keys.Order().Select(ObjectId.File)]
            : [_device];

    private ReadResult Read(ObjectId obj, PropertyIdentifier property, uint? index)
    {
        if (!Objects().Contains(obj)) return Fail(ErrorClass.Object, ErrorCode.UnknownObject);
        var values = ReadWhole(obj, property);
        if (!values.Ok || index is null) return values;
        var items = values.Value;
        if (property is not (PropertyIdentifier.ObjectList or PropertyIdentifier.IssuerCertificateFiles))
            return Fail(ErrorClass.Property, ErrorCode.PropertyIsNotAnArray);
        if (index == 0) return Value(BacnetValue.FromUnsigned((ulong)items.Count));
        return index <= items.Count ? Value(items[(int)index - 1]) : Fail(ErrorClass.Property, ErrorCode.InvalidArrayIndex);
    }

    private ReadResult ReadWhole(ObjectId obj, PropertyIdentifier property)
    {
        switch (property)
        {
            case PropertyIdentifier.ObjectIdentifier: return Value(BacnetValue.From(obj));
            case PropertyIdentifier.ObjectType: return Value(BacnetValue.FromEnumerated((uint)obj.Type));
        }
        if (obj.Type == ObjectType.Device)
        {
            return property switch
            {
                PropertyIdentifier.ObjectName => Value(BacnetValue.From(_spec.EffectiveName)),
                PropertyIdentifier.VendorName => Value(BacnetValue.From(_spec.VendorName)),
                PropertyIdentifier.VendorIdentifier => Value(BacnetValue.FromUnsigned(_spec.VendorId)),
                PropertyIdentifier.ModelName => Value(BacnetValue.From(_spec.ModelName)),
                PropertyIdentifier.SerialNumber => Value(BacnetValue.From(_spec.EffectiveSerial)),
                PropertyIdentifier.FirmwareRevision => Value(BacnetValue.From("1.0")),
                PropertyIdentifier.ApplicationSoftwareVersion => Value(BacnetValue.From("certlsp-sim 1.0")),
                PropertyIdentifier.SystemStatus => Value(BacnetValue.FromEnumerated(0)),
                PropertyIdentifier.ProtocolVersion => Value(BacnetValue.FromUnsigned(1)),
                PropertyIdentifier.ProtocolRevision => Value(BacnetValue.FromUnsigned(24)),
                PropertyIdentifier.MaxApduLengthAccepted => Value(BacnetValue.FromUnsigned((ulong)_spec.MaxApdu)),
                PropertyIdentifier.SegmentationSupported => Value(BacnetValue.FromEnumerated((uint)_spec.Segmentation)),
                PropertyIdentifier.MaxSegmentsAccepted => Value(BacnetValue.FromUnsigned((ulong)_spec.MaxSegments)),
                PropertyIdentifier.ObjectList => Value([.. Objects().Select(BacnetValue.From)]),
                _ => Fail(ErrorClass.Property, ErrorCode.UnknownProperty),
            };
        }
        if (obj.Type == ObjectType.NetworkPort)
        {
            var sc = obj.Instance == ScPort;
            switch (property)
            {
                case PropertyIdentifier.ObjectName: return Value(BacnetValue.From(sc ? "SC" : "BIP"));
                case PropertyIdentifier.NetworkType: return Value(BacnetValue.FromEnumerated((uint)(sc ? NetworkType.SecureConnect : NetworkType.Ipv4)));
                case PropertyIdentifier.MacAddress: return Value(BacnetValue.FromBytes(sc ? Vmac() : Endpoint.ToMac()));
                case PropertyIdentifier.ChangesPending: return Value(BacnetValue.From(sc && _changesPending));
                case PropertyIdentifier.Command: return Value(BacnetValue.FromEnumerated(sc ? _command : 0));
            }
            if (!sc) return Fail(ErrorClass.Property, ErrorCode.UnknownProperty);
            return property switch
            {
                PropertyIdentifier.CertificateSigningRequestFile => Value(BacnetValue.From(ObjectId.File(CsrFile))),
                PropertyIdentifier.IssuerCertificateFiles => Value(BacnetValue.From(ObjectId.File(IssuerFile1)), BacnetValue.From(ObjectId.File(IssuerFile2))),
                PropertyIdentifier.OperationalCertificateFile => Value(BacnetValue.From(ObjectId.File(OperationalFile))),
                PropertyIdentifier.ScPrimaryHubUri => Value(BacnetValue.From("wss://hub.site.invalid:4443")),
                PropertyIdentifier.ScFailoverHubUri => Value(BacnetValue.From("")),
                PropertyIdentifier.ScHubConnectorState => Value(BacnetValue.FromEnumerated(0)),
                PropertyIdentifier.MaxBvlcLengthAccepted => Value(BacnetValue.FromUnsigned(1600)),
                PropertyIdentifier.MaxNpduLengthAccepted => Value(BacnetValue.FromUnsigned(1497)),
                _ => Fail(ErrorClass.Property, ErrorCode.UnknownProperty),
            };
        }
        var content = _files[obj.Instance];
        return property switch
        {
            PropertyIdentifier.ObjectName => Value(BacnetValue.From(obj.Instance switch
            {
                CsrFile => "CSR", OperationalFile => "Operational certificate", _ => $"Issuer certificate {obj.Instance - 1}",
            })),
            PropertyIdentifier.FileType => Value(BacnetValue.From(obj.Instance == CsrFile ? "application/pkcs10" : "application/x-pem-file")),
            PropertyIdentifier.FileSize => Value(BacnetValue.FromUnsigned((ulong)content.Length)),
            PropertyIdentifier.ReadOnly => Value(BacnetValue.From(obj.Instance == CsrFile)),
            PropertyIdentifier.FileAccessMethod => Value(BacnetValue.FromEnumerated(StreamAccess)),
            _ => Fail(ErrorClass.Property, ErrorCode.UnknownProperty),
        };
    }

    private byte[] Vmac() => [0x02, 0xCE, (byte)(_spec.Instance >> 24), (byte)(_spec.Instance >> 16), (byte)(_spec.Instance >> 8), (byte)_spec.Instance];

    private ServiceResponse Write(WritePropertyRequest request)
    {
        var obj = request.Object;
        if (!Objects().Contains(obj)) return ServiceResponse.Fail(ErrorClass.Object, ErrorCode.UnknownObject);
        if (ReadWhole(obj, request.Property) is { Ok: false } missing) return new ServiceResponse.Failed(missing.Error);
        var single = request.Values.Count == 1 ? request.Values[0] : null;
        if (obj == ObjectId.NetworkPort(ScPort) && request.Property == PropertyIdentifier.Command)
        {
            if (single is not BacnetValue.Enumerated command) return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.InvalidDataType);
            if (_command != (uint)NetworkPortCommand.Idle) return ServiceResponse.Fail(ErrorClass.Device, ErrorCode.DeviceBusy);
            if (command.Value == _spec.GenerateCsrCommand) { StartCsr(); return ServiceResponse.Simple.Instance; }
            if (command.Value == (uint)NetworkPortCommand.DiscardChanges) { Discard(); return ServiceResponse.Simple.Instance; }
            if (command.Value == (uint)NetworkPortCommand.Idle) return ServiceResponse.Simple.Instance;
            return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.ValueOutOfRange);
        }
        if (obj.Type == ObjectType.File && request.Property == PropertyIdentifier.FileSize)
        {
            if (obj.Instance == CsrFile || !_spec.FileSizeWritable) return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.WriteAccessDenied);
            if (single is not BacnetValue.Unsigned size) return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.InvalidDataType);
            var content = _files[obj.Instance];
            if (size.Value > (ulong)content.Length) return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.ValueOutOfRange);
            Modify(obj.Instance, content[..(int)size.Value]);
            return ServiceResponse.Simple.Instance;
        }
        return ServiceResponse.Fail(ErrorClass.Property, ErrorCode.WriteAccessDenied);
    }

    // ---------------- files ----------------

    private ServiceResponse ReadFile(AtomicReadFileRequest request)
    {
        if (request.File.Type != ObjectType.File || !_files.TryGetValue(request.File.Instance, out var content))
            return ServiceResponse.Fail(ErrorClass.Object, ErrorCode.UnknownObject);
        if (request.Start < 0 || request.Start > content.Length) return ServiceResponse.Fail(ErrorClass.Services, ErrorCode.InvalidFileStartPosition);
        var count = (int)Math.Min(request.Count, (uint)(content.Length - request.Start));
        var chunk = content.AsSpan((int)request.Start, count);
        return ServiceResponse.Ack(new AtomicReadFileAck(request.Start + count == content.Length, request.Start, [.. chunk]));
    }

    private ServiceResponse WriteFile(AtomicWriteFileRequest request)
    {
        if (request.File.Type != ObjectType.File || !_files.TryGetValue(request.File.Instance, out var content))
            return ServiceResponse.Fail(ErrorClass.Object, ErrorCode.UnknownObject);
        if (request.File.Instance == CsrFile) return ServiceResponse.Fail(ErrorClass.Services, ErrorCode.FileAccessDenied);
        var start = request.Start == -1 ? content.Length : request.Start;
        if (start < 0 || start > content.Length) return ServiceResponse.Fail(ErrorClass.Services, ErrorCode.InvalidFileStartPosition);
        var end = start + request.Data.Length;
        if (end > MaxFileSize) return ServiceResponse.Fail(ErrorClass.Resources, ErrorCode.NoSpaceToWriteProperty);
        // A device whose File_Size is not writable replaces the file on a write at 0 (as bacnet-stack's file object does).
        var replace = start == 0 && !_spec.FileSizeWritable;
        var updated = new byte[replace ? end : Math.Max(content.Length, end)];
        if (!replace) content.CopyTo(updated, 0);
        request.Data.CopyTo(updated, (int)start);
        Modify(request.File.Instance, updated);
        return ServiceResponse.Ack(new AtomicWriteFileAck(start));
    }

    private void Modify(uint file, byte[] content)
    {
        if (file != CsrFile) BeginChanges();
        _files[file] = content;
    }

    private void BeginChanges()
    {
        _activeFiles ??= _files.ToDictionary(kv => kv.Key, kv => kv.Value);
        _changesPending = true;
    }

    // ---------------- CSR, activation ----------------

    private void StartCsr()
    {
        _command = _spec.GenerateCsrCommand;
        BeginChanges();
        var key = NewKey();
        var boot = _boot;
        _ = Task.Run(async () =>
        {
            var pem = CreateCsr(key);
            await Task.Delay(_spec.CsrDelay).ConfigureAwait(false);
            lock (_lock)
            {
                if (boot != _boot) { key.Dispose(); return; }
                _pendingKey?.Dispose();
                _pendingKey = key;
                _files[CsrFile] = System.Text.Encoding.ASCII.GetBytes(pem);
                _command = (uint)NetworkPortCommand.Idle;
            }
        });
    }

    private string CreateCsr(AsymmetricAlgorithm key)
    {
        var subject = new X500DistinguishedName($"CN={(_spec.CsrCommonName ?? _spec.EffectiveName).Replace(",", "\\,", StringComparison.Ordinal)}");
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
        if (_activeFiles is not null)
        {
            foreach (var (file, content) in _activeFiles) if (file != CsrFile) _files[file] = content;
        }
        _activeFiles = null;
        _pendingKey?.Dispose();
        _pendingKey = null;
        _changesPending = false;
    }

    private ServiceResponse Reinitialize(ReinitializedState state)
    {
        if (state != ReinitializedState.ActivateChanges) return ServiceResponse.Simple.Instance;
        if (!_changesPending) return ServiceResponse.Simple.Instance;
        var operational = CertificateCheck.Parse(_files[OperationalFile]);
        if (operational is null) return ServiceResponse.Fail(ErrorClass.Device, ErrorCode.InvalidConfigurationData);
        var issuers = new[] { IssuerFile1, IssuerFile2 }.Select(f => CertificateCheck.Parse(_files[f])).OfType<X509Certificate2>().ToList();
        var key = _pendingKey ?? _key;
        var problem = CertificateCheck.Validate(operational, ExportPublicKey(key), issuers, DateTimeOffset.UtcNow);
        if (problem is not null)
        {
            LastActivationProblem = problem;
            return ServiceResponse.Fail(ErrorClass.Device, ErrorCode.InvalidConfigurationData);
        }
        if (_pendingKey is not null) { _key.Dispose(); _key = _pendingKey; _pendingKey = null; }
        _activeFiles = null;
        _changesPending = false;
        ActiveCertificate = operational;
        LastActivationProblem = null;
        return ServiceResponse.Simple.Instance;
    }

    /// <summary>
    /// A power cycle: what was pending is lost (certificate files written since the last activation, a pending key, a CSR being
    /// generated) and Command is idle; the activated key and certificate stay. The site's <c>RestartAsync</c> also silences the device meanwhile.
    /// </summary>
    public void Restart()
    {
        lock (_lock)
        {
            _boot++;
            Discard();
            _command = (uint)NetworkPortCommand.Idle;
        }
    }

    /// <summary>How often the device restarted.</summary>
    public int Restarts => Volatile.Read(ref _boot);

    /// <summary>Why the last ACTIVATE_CHANGES was refused (for tests and the simulator's log).</summary>
    public string? LastActivationProblem { get; private set; }

    public void Dispose()
    {
        lock (_lock)
        {
            _key.Dispose();
            _pendingKey?.Dispose();
        }
    }
}
