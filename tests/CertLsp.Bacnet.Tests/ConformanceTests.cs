using System.Net;
using System.Net.Sockets;
using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Network;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Simulator;
using CertLsp.Bacnet.Transport;
using Xunit;
using P = CertLsp.Bacnet.PropertyIdentifier;

namespace CertLsp.Bacnet.Tests;

/// <summary>
/// The simulator as a conforming device (ASHRAE 135-2020): the properties clause 12 requires of its Device, Network Port and
/// File objects, Property_List, array indexes, ReadPropertyMultiple's ALL/REQUIRED/OPTIONAL (15.7.3.1.2), confirmed requests
/// sent by broadcast and NPDUs for a remote network, and ReinitializeDevice states it does not support.
/// </summary>
[Collection(UdpCollection.Name)]
public class ConformanceTests : IAsyncLifetime
{
    private const uint Instance = 7001;
    private static readonly BacnetAddress Device = BipEndpoint.Parse("127.0.7.2");
    private SimulatedSite site = null!;
    private BacnetClient client = null!;

    public Task InitializeAsync()
    {
        LoopbackNamespace.Require();
        site = SimulatedSite.Start([new SimulatedDeviceSpec(Instance, IPAddress.Parse("127.0.7.2"))], BipEndpoint.DefaultPort,
            IPAddress.Parse(LoopbackNamespace.Broadcast));
        client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.7.100", 0), null)
        {
            ApduTimeout =
            TimeSpan.FromSeconds(1), Retries = 1
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (client is not null) await client.DisposeAsync();
        if (site is not null) await site.DisposeAsync();
    }

    private async Task<IReadOnlyList<BacnetValue>> ReadAsync(ObjectId obj, P property, uint? index = null)
    {
        var read = await client.ReadPropertyAsync(Device, obj, property, index);
        Assert.True(read.Ok, $"{obj} {property}[{index}]: {read}");
        return read.Value.Values;
    }

    private async Task<BacnetError?> ErrorAsync(ObjectId obj, P property, uint? index = null) =>
        (await client.ReadPropertyAsync(Device, obj, property, index)).Failure?.Error;

    private async Task<HashSet<P>> PropertyListAsync(ObjectId obj) =>
        [.. (await ReadAsync(obj, P.PropertyList)).Select(v => (P)((BacnetValue.Enumerated)v).Value)];

    // 135-2020 clause 12: the required properties (and those a condition the object meets makes required), Property_List aside.
    private static readonly P[] DeviceRequired =
    [
        P.SystemStatus, P.VendorName, P.VendorIdentifier, P.ModelName, P.FirmwareRevision, P.ApplicationSoftwareVersion,
        P.ProtocolVersion, P.ProtocolRevision, P.ProtocolServicesSupported, P.ProtocolObjectTypesSupported, P.ObjectList,
        P.MaxApduLengthAccepted, P.SegmentationSupported, P.MaxSegmentsAccepted, P.ApduSegmentTimeout, P.ApduTimeout,
        P.NumberOfApduRetries, P.DeviceAddressBinding, P.DatabaseRevision,
    ];
    private static readonly P[] PortRequired =
    [
        P.StatusFlags, P.Reliability, P.OutOfService, P.NetworkType, P.ProtocolLevel, P.NetworkNumber, P.NetworkNumberQuality,
        P.ChangesPending, P.ApduLength, P.LinkSpeed, P.MacAddress,
    ];
    private static readonly P[] IpPortRequired = [.. PortRequired, P.BacnetIpMode, P.IpAddress, P.BacnetIpUdpPort, P.IpSubnetMask,
        P.IpDefaultGateway, P.IpDnsServer];
    private static readonly P[] ScPortRequired =
    [
        .. PortRequired, P.MaxBvlcLengthAccepted, P.MaxNpduLengthAccepted, P.ScPrimaryHubUri, P.ScFailoverHubUri,
        P.ScMinimumReconnectTime, P.ScMaximumReconnectTime, P.ScConnectWaitTimeout, P.ScDisconnectWaitTimeout, P.ScHeartbeatTimeout,
        P.ScHubConnectorState, P.OperationalCertificateFile, P.IssuerCertificateFiles, P.CertificateSigningRequestFile,
        P.ScPrimaryHubConnectionStatus, P.ScFailoverHubConnectionStatus,
    ];
    private static readonly P[] FileRequired = [P.FileType, P.FileSize, P.ModificationDate, P.Archive, P.ReadOnly, P.FileAccessMethod];

    private static P[] RequiredOf(ObjectId obj) => obj.Type switch
    {
        ObjectType.Device => DeviceRequired,
        ObjectType.NetworkPort => obj.Instance == SimulatedDevice.ScPort ? ScPortRequired : IpPortRequired,
        _ => FileRequired,
    };

    [NeedsFact(Needs.Namespace)]
    public async Task EveryObjectHasTheRequiredPropertiesAndEveryListedPropertyReads()
    {
        var objects = (await ReadAsync(ObjectId.Device(Instance), P.ObjectList)).Select(v =>
            ((BacnetValue.ObjectIdentifier)v).Value).ToList();
        Assert.Equal(7, objects.Count);
        foreach (var obj in objects)
        {
            var listed = await PropertyListAsync(obj);
            Assert.Empty(listed.Intersect([P.ObjectIdentifier, P.ObjectName, P.ObjectType, P.PropertyList]));  // 12.1.1.4.1
            Assert.Empty(RequiredOf(obj).Except(listed));
            foreach (var property in listed.Concat([P.ObjectIdentifier, P.ObjectName, P.ObjectType, P.PropertyList]))
                await ReadAsync(obj, property);
            Assert.Equal(new BacnetError(ErrorClass.Property, ErrorCode.UnknownProperty), await ErrorAsync(obj, P.Description));
        }
    }

    [NeedsFact(Needs.Namespace)]
    public async Task DevicePropertiesTellTheTruth()
    {
        var device = ObjectId.Device(Instance);
        var services = Assert.IsType<BacnetValue.BitString>(Assert.Single(await ReadAsync(device, P.ProtocolServicesSupported)));
        Assert.Equal([6, 7, 12, 14, 15, 20, 34], SetBits(services, 49));  // exactly the services it executes, revision 24's 49 bits
        var types = Assert.IsType<BacnetValue.BitString>(Assert.Single(await ReadAsync(device, P.ProtocolObjectTypesSupported)));
        Assert.Equal([8, 10, 56], SetBits(types, 65));
        Assert.Equal(BacnetValue.FromUnsigned((ulong)site[Instance].Spec.MaxSegments),
            Assert.Single(await ReadAsync(device, P.MaxSegmentsAccepted)));
        Assert.Equal(BacnetValue.FromUnsigned(3), Assert.Single(await ReadAsync(device, P.NumberOfApduRetries)));
        Assert.Empty(await ReadAsync(device, P.DeviceAddressBinding));
        var port = ObjectId.NetworkPort(SimulatedDevice.IpPort);
        Assert.Equal(BacnetValue.FromBytes([127, 0, 7, 2]), Assert.Single(await ReadAsync(port, P.IpAddress)));
        Assert.Equal(BacnetValue.FromUnsigned(47808), Assert.Single(await ReadAsync(port, P.BacnetIpUdpPort)));
        Assert.Equal(BacnetValue.FromUnsigned(1476), Assert.Single(await ReadAsync(port, P.ApduLength)));
        Assert.Equal(new BacnetValue.BitString(4, [0]), Assert.Single(await ReadAsync(port, P.StatusFlags)));

        var noRpm = SimulatedSite.Start([new SimulatedDeviceSpec(7002, IPAddress.Parse("127.0.7.3")) { SupportsReadPropertyMultiple =
            false }], BipEndpoint.DefaultPort, null);
        await using (noRpm)
        {
            var read = await client.ReadPropertyAsync(BipEndpoint.Parse("127.0.7.3"), ObjectId.Device(7002), P.ProtocolServicesSupported);
            Assert.True(read.Ok, read.ToString());
            Assert.Equal([6, 7, 12, 15, 20, 34], SetBits((BacnetValue.BitString)read.Value.Values[0], 49));
        }
    }

    private static int[] SetBits(BacnetValue.BitString bits, int length)
    {
        Assert.Equal(length, bits.Bits.Length * 8 - bits.UnusedBits);
        return [.. Enumerable.Range(0, length).Where(i => (bits.Bits[i / 8] & (0x80 >> (i % 8))) != 0)];
    }

    [NeedsFact(Needs.Namespace)]
    public async Task FilesCarryModificationDateAndArchive()
    {
        var file = ObjectId.File(SimulatedDevice.IssuerFile1);
        var date = await ReadAsync(file, P.ModificationDate);
        Assert.IsType<BacnetValue.Date>(date[0]);
        Assert.IsType<BacnetValue.Time>(date[1]);
        Assert.True((await client.WritePropertyAsync(Device,
            new WritePropertyRequest(file, P.Archive, new[] { BacnetValue.From(true) }))).Ok);
        Assert.Equal(BacnetValue.From(true), Assert.Single(await ReadAsync(file, P.Archive)));
        await Task.Delay(30);
        Assert.True((await client.AtomicWriteFileAsync(Device, new AtomicWriteFileRequest(file, 0, [1, 2, 3]))).Ok);
        Assert.Equal(BacnetValue.From(false), Assert.Single(await ReadAsync(file, P.Archive)));  // a change clears Archive
        Assert.NotEqual(date, await ReadAsync(file, P.ModificationDate));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ArrayPropertiesReadByIndexAndOthersRefuseAnIndex()
    {
        var device = ObjectId.Device(Instance);
        Assert.Equal(BacnetValue.FromUnsigned(7), Assert.Single(await ReadAsync(device, P.ObjectList, 0)));
        Assert.Equal(BacnetValue.From(ObjectId.NetworkPort(1)), Assert.Single(await ReadAsync(device, P.ObjectList, 2)));
        var list = await ReadAsync(device, P.PropertyList);
        Assert.Equal(BacnetValue.FromUnsigned((ulong)list.Count), Assert.Single(await ReadAsync(device, P.PropertyList, 0)));
        Assert.Equal(list[^1], Assert.Single(await ReadAsync(device, P.PropertyList, (uint)list.Count)));
        Assert.Equal(new BacnetError(ErrorClass.Property, ErrorCode.InvalidArrayIndex),
            await ErrorAsync(device, P.PropertyList, (uint)list.Count + 1));
        Assert.Equal(BacnetValue.FromUnsigned(0), Assert.Single(await ReadAsync(ObjectId.NetworkPort(1), P.IpDnsServer, 0)));
        Assert.Equal(BacnetValue.FromUnsigned(2), Assert.Single(await ReadAsync(ObjectId.NetworkPort(2), P.IssuerCertificateFiles, 0)));
        Assert.Equal(new BacnetError(ErrorClass.Property, ErrorCode.PropertyIsNotAnArray), await ErrorAsync(device, P.VendorName, 1));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ReadPropertyMultipleExpandsAllRequiredAndOptional()
    {
        foreach (var obj in new[] { ObjectId.Device(Instance), ObjectId.NetworkPort(1), ObjectId.NetworkPort(2), ObjectId.File(1) })
        {
            var listed = await PropertyListAsync(obj);
            var request = new ReadPropertyMultipleRequest(new[]
            {
                new ReadAccessSpecification(obj, new[] { new PropertyReference(P.All) }),
                new ReadAccessSpecification(obj, new[] { new PropertyReference(P.Required) }),
                new ReadAccessSpecification(obj, new[] { new PropertyReference(P.Optional) }),
            });
            var rpm = await client.ReadPropertyMultipleAsync(Device, request);
            Assert.True(rpm.Ok, rpm.ToString());
            var (all, required, optional) = (rpm.Value.Results[0].Results, rpm.Value.Results[1].Results, rpm.Value.Results[2].Results);
            Assert.All([.. all, .. required, .. optional], r => Assert.Null(r.Error));
            HashSet<P> every = [.. listed, P.ObjectIdentifier, P.ObjectName, P.ObjectType];  // ALL: every property but Property_List
            Assert.Equal(every.Order(), all.Select(r => r.Property).Order());
            Assert.Equal(every.Count, all.Count);
            Assert.Empty(RequiredOf(obj).Concat([P.ObjectIdentifier, P.ObjectName, P.ObjectType]).Except(required.Select(r => r.Property)));
            Assert.DoesNotContain(P.PropertyList, required.Select(r => r.Property));
            Assert.Equal(every.Order(), required.Concat(optional).Select(r => r.Property).Order());
            Assert.Empty(required.Select(r => r.Property).Intersect(optional.Select(r => r.Property)));
            Assert.All(all, r => Assert.Null(r.ArrayIndex));
        }
        var file = await client.ReadPropertyMultipleAsync(Device, ReadPropertyMultipleRequest.Of(ObjectId.File(2), P.Optional));
        Assert.True(file.Ok, file.ToString());
        Assert.Empty(file.Value.Results[0].Results);  // a File has no optional property here: an empty list of results
        Assert.Equal([P.SerialNumber], (await client.ReadPropertyMultipleAsync(Device,
            ReadPropertyMultipleRequest.Of(ObjectId.Device(Instance), P.Optional))).Value.Results[0].Results.Select(r => r.Property));

        var unknown = await client.ReadPropertyMultipleAsync(Device, ReadPropertyMultipleRequest.Of(ObjectId.File(99), P.All));
        Assert.True(unknown.Ok, unknown.ToString());
        var entry = Assert.Single(unknown.Value.Results[0].Results);
        Assert.Equal((P.All, new BacnetError(ErrorClass.Object, ErrorCode.UnknownObject)), (entry.Property, entry.Error));
    }

    // ---------------- broadcasts and remote networks ----------------

    private static byte[] Packet(BvlcFunction function, NpduHeader npdu, ApduHeader apdu, ContentEncoder content)
    {
        var buffer = new byte[200];
        var length = BacnetPacket.Encode(buffer, function, npdu, apdu, content);
        Assert.True(length.Ok);
        return buffer[..length.Length];
    }

    private static byte[] ReadName(BvlcFunction function, NpduHeader npdu) => Packet(function, npdu,
        ApduHeader.ConfirmedRequest(5, ConfirmedService.ReadProperty),
            new ReadPropertyRequest(ObjectId.Device(Instance), P.ObjectName).Encode);

    private static byte[] WhoIsPacket(BvlcFunction function, NpduHeader npdu) =>
        Packet(function, npdu, ApduHeader.Unconfirmed(UnconfirmedService.WhoIs), WhoIs.Range(Instance, Instance).Encode);

    /// <summary>Sends one datagram from a fresh socket and returns the APDU types of what came back within 600 ms.</summary>
    private static async Task<List<ApduType>> AnswersAsync(byte[] datagram, string to)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
        socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.7.101"), 0));
        await socket.SendToAsync(datagram, new IPEndPoint(IPAddress.Parse(to), BipEndpoint.DefaultPort));
        var answers = new List<ApduType>();
        var buffer = new byte[1500];
        using var window = new CancellationTokenSource(TimeSpan.FromMilliseconds(600));
        while (true)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), window.Token);
                var packet = BacnetPacket.Decode(buffer.AsSpan(0, received.ReceivedBytes));
                Assert.True(packet.Ok, packet.ToString());
                answers.Add(packet.Value.Apdu!.Value.Type);
            }
            catch (OperationCanceledException) { return answers; }
        }
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ConfirmedRequestsSentByBroadcastAreDiscarded()
    {
        var remote = new NetworkAddress(5, [127, 0, 7, 2, 0xBA, 0xC0]);
        // control: the same request sent to the device alone is answered
        Assert.Equal([ApduType.ComplexAck], await AnswersAsync(ReadName(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(true)),
            "127.0.7.2"));
        var discarded = site.Discarded;
        Assert.Empty(await AnswersAsync(ReadName(BvlcFunction.OriginalBroadcastNpdu, NpduHeader.Local(true)), LoopbackNamespace.Broadcast));
        // came in on the broadcast address
        Assert.Empty(await AnswersAsync(ReadName(BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(true)), LoopbackNamespace.Broadcast));
        Assert.Empty(await AnswersAsync(ReadName(BvlcFunction.OriginalUnicastNpdu,
            new NpduHeader(true, Destination: NetworkAddress.GlobalBroadcast)), "127.0.7.2"));
        // for network 5
        Assert.Empty(await AnswersAsync(ReadName(BvlcFunction.OriginalUnicastNpdu, new NpduHeader(true, Destination: remote)),
            "127.0.7.2"));
        Assert.Equal(discarded + 4, site.Discarded);
        // Who-Is: by broadcast and with DNET 0xFFFF it is answered; addressed to network 5 it is not (a non-router drops it)
        Assert.Equal([ApduType.UnconfirmedRequest], await AnswersAsync(
            WhoIsPacket(BvlcFunction.OriginalBroadcastNpdu, NpduHeader.GlobalBroadcast), LoopbackNamespace.Broadcast));
        Assert.Equal([ApduType.UnconfirmedRequest], await AnswersAsync(
            WhoIsPacket(BvlcFunction.OriginalUnicastNpdu, NpduHeader.GlobalBroadcast), "127.0.7.2"));
        Assert.Empty(await AnswersAsync(WhoIsPacket(BvlcFunction.OriginalUnicastNpdu,
            new NpduHeader(Destination: new NetworkAddress(5, []))), "127.0.7.2"));
        Assert.Empty(await AnswersAsync(WhoIsPacket(BvlcFunction.OriginalUnicastNpdu, new NpduHeader(Destination: remote)), "127.0.7.2"));
    }

    // ---------------- ReinitializeDevice ----------------

    [NeedsTheory(Needs.Namespace)]
    [InlineData(ReinitializedState.ColdStart)]
    [InlineData(ReinitializedState.WarmStart)]
    [InlineData(ReinitializedState.StartBackup)]
    [InlineData(ReinitializedState.EndBackup)]
    [InlineData(ReinitializedState.StartRestore)]
    [InlineData(ReinitializedState.EndRestore)]
    [InlineData(ReinitializedState.AbortRestore)]
    public async Task ReinitializeStatesItDoesNotImplementAreRefused(ReinitializedState state)
    {
        var answer = await client.ReinitializeDeviceAsync(Device, new ReinitializeDeviceRequest(state, null));
        Assert.Equal(new BacnetError(ErrorClass.Services, ErrorCode.OptionalFunctionalityNotSupported), answer.Failure?.Error);
        Assert.Equal(0, site[Instance].Restarts);
    }
}
