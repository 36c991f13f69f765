using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Encoding;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Simulator;
using CertLsp.Bacnet.Transport;
using Xunit;

namespace CertLsp.Bacnet.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public class UdpCollection { public const string Name = "BACnet over loopback UDP"; }

/// <summary>CertLsp's client against the simulator, over UDP on loopback inside the test run's own network namespace.</summary>
[Collection(UdpCollection.Name)]
public class ClientSimulatorTests : IAsyncLifetime
{
    private const int Devices = 20;
    private SimulatedSite site = null!;
    private BacnetClient client = null!;
    private CertificateProvisioning provisioning = null!;

    public Task InitializeAsync()
    {
        LoopbackNamespace.Require();
        site = SimulatedSite.Start(SimulatedDeviceSpec.Loopback(Devices), BipEndpoint.DefaultPort,
            IPAddress.Parse(LoopbackNamespace.Broadcast));
        client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.1", 0),
            BipEndpoint.Parse(LoopbackNamespace.Broadcast))
        {
            ApduTimeout = TimeSpan.FromMilliseconds(500), Retries = 2,
        });
        provisioning = new CertificateProvisioning(client);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (client is not null) await client.DisposeAsync();
        if (site is not null) await site.DisposeAsync();
    }

    private static BacnetAddress At(int host) => BipEndpoint.Parse($"127.0.0.{host}");
    private static readonly ObjectId ScPort = ObjectId.NetworkPort(SimulatedDevice.ScPort);

    [NeedsFact(Needs.Namespace)]
    public async Task WhoIsDiscoversEveryDevice()
    {
        var found = await client.WhoIsAsync(new WhoIs(), TimeSpan.FromSeconds(3), Devices);
        Assert.Equal(Enumerable.Range(1001, Devices).Select(i => (uint)i), found.Select(d => d.Instance));
        Assert.All(found, d =>
        {
            Assert.Equal(BipEndpoint.Parse($"127.0.0.{d.Instance - 1001 + 2}"), d.Address.Endpoint);
            Assert.Equal(1476u, d.Announcement.MaxApduLength);
            Assert.Equal(Segmentation.Both, d.Announcement.Segmentation);
        });
    }

    [NeedsFact(Needs.Namespace)]
    public async Task WhoIsWithARangeFindsOnlyThatRange()
    {
        var found = await client.WhoIsAsync(WhoIs.Range(1005, 1007), TimeSpan.FromSeconds(1));
        Assert.Equal([1005u, 1006u, 1007u], found.Select(d => d.Instance));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ReadsIdentityAndNetworkPorts()
    {
        var info = await DeviceInventory.ReadAsync(client, At(4), 1003);
        Assert.True(info.Ok, info.ToString());
        var d = info.Value;
        Assert.Equal(("SimDevice1003", "CertLsp Simulated Devices", "SIM-SC-1", "SN-0001003"),
            (d.ObjectName, d.VendorName, d.ModelName, d.SerialNumber));
        Assert.Empty(d.Problems);
        Assert.Equal(2, d.NetworkPorts.Count);
        var ip = d.NetworkPorts[0];
        Assert.Equal(NetworkType.Ipv4, ip.NetworkType);
        Assert.Equal(Convert.FromHexString("7F000004BAC0"), ip.MacAddress);
        Assert.Null(ip.CsrFile);
        var sc = d.NetworkPorts[1];
        Assert.True(sc.IsSecureConnect);
        Assert.Equal(ObjectId.File(1), sc.CsrFile);
        Assert.Equal(new EquatableArray<ObjectId>([ObjectId.File(2), ObjectId.File(3)]), sc.IssuerCertificateFiles);
        Assert.Equal(ObjectId.File(4), sc.OperationalCertificateFile);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task InventoryFallsBackToReadPropertyWhenADeviceRejectsRpm()
    {
        await using var small = SimulatedSite.Start([new SimulatedDeviceSpec(7001,
            IPAddress.Parse("127.0.7.2")) { SupportsReadPropertyMultiple = false }], BipEndpoint.DefaultPort, null);
        var rpm = await client.ReadPropertyMultipleAsync(BipEndpoint.Parse("127.0.7.2"),
            ReadPropertyMultipleRequest.Of(ObjectId.Device(7001), PropertyIdentifier.ObjectName));
        Assert.Equal(RejectReason.UnrecognizedService, rpm.Failure?.RejectReason);
        var info = await DeviceInventory.ReadAsync(client, BipEndpoint.Parse("127.0.7.2"), 7001);
        Assert.True(info.Ok, info.ToString());
        Assert.Equal(("SimDevice7001", "SN-0007001"), (info.Value.ObjectName, info.Value.SerialNumber));
        Assert.Equal(ObjectId.File(4), info.Value.NetworkPorts[1].OperationalCertificateFile);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ALargeAnswerToAClientThatTakesNoSegmentsIsAnAbort()
    {
        await using var plain = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.10", 0),
            null)
        { AcceptSegmentedResponses = false });
        var device = At(20);
        var big = new byte[4000];
        Assert.True((await client.AtomicWriteFileAsync(device,
            new AtomicWriteFileRequest(ObjectId.File(SimulatedDevice.IssuerFile2), 0, [.. big]))).Ok);
        var read = await plain.AtomicReadFileAsync(device, new AtomicReadFileRequest(ObjectId.File(SimulatedDevice.IssuerFile2), 0, 4000));
        Assert.Equal(FailureKind.Abort, read.Failure?.Kind);
        Assert.Equal(AbortReason.SegmentationNotSupported, read.Failure!.AbortReason);
        Assert.True((await plain.AtomicReadFileAsync(device,
            new AtomicReadFileRequest(ObjectId.File(SimulatedDevice.IssuerFile2), 0, 1400))).Ok);
        await provisioning.DiscardChangesAsync(device, ScPort);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ErrorsAreTyped()
    {
        var location = await client.ReadPropertyAsync(At(2), ObjectId.Device(1001), (PropertyIdentifier)58);
        Assert.Equal(FailureKind.Error, location.Failure?.Kind);
        Assert.Equal(new BacnetError(ErrorClass.Property, ErrorCode.UnknownProperty), location.Failure!.Error);
        var missing = await client.ReadPropertyAsync(At(2), ObjectId.File(99), PropertyIdentifier.FileSize);
        Assert.Equal(new BacnetError(ErrorClass.Object, ErrorCode.UnknownObject), missing.Failure!.Error);
        var readOnly = await client.AtomicWriteFileAsync(At(2), new AtomicWriteFileRequest(ObjectId.File(SimulatedDevice.CsrFile), 0, [1]));
        Assert.Equal(new BacnetError(ErrorClass.Services, ErrorCode.FileAccessDenied), readOnly.Failure!.Error);
    }

    private sealed record Garbage(ConfirmedService Service, byte[] Data) : IConfirmedRequest
    {
        public void Encode(ref BacnetWriter writer) => writer.WriteBytes(Data);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task UndecodableRequestsAreRejected()
    {
        var bad = await client.ConfirmedAsync(At(2), new Garbage(ConfirmedService.ReadProperty, [0x1c, 2, 0, 4, 0xd2, 0x19, 0x4d]),
            ReadPropertyAck.Decode);
        Assert.Equal(FailureKind.Reject, bad.Failure?.Kind);
        Assert.Equal(RejectReason.InvalidTag, bad.Failure!.RejectReason);
        var unknown = await client.ConfirmedAsync<Acknowledged>(At(2), new Garbage((ConfirmedService)30, [1]), null);
        Assert.Equal(RejectReason.UnrecognizedService, unknown.Failure!.RejectReason);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task NoAnswerIsATimeoutAfterTheRetries()
    {
        var watch = Stopwatch.StartNew();
        var result = await client.ReadPropertyAsync(At(250), ObjectId.Device(1), PropertyIdentifier.ObjectName);
        Assert.Equal(FailureKind.Timeout, result.Failure?.Kind);
        Assert.Equal("no answer after 3 attempt(s)", result.Failure?.Detail); // the first and its 2 retries
        Assert.True(watch.Elapsed.TotalMilliseconds >= 1400,
            $"{watch.Elapsed.TotalMilliseconds:F0} ms: an attempt did not wait its 500 ms");
    }

    [NeedsFact(Needs.Namespace)]
    public async Task CancellationThrows()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.ReadPropertyAsync(At(250), ObjectId.Device(1), PropertyIdentifier.ObjectName, cancellationToken: cts.Token));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task SegmentationBothWays()
    {
        var content = new byte[20_000];
        new Random(7).NextBytes(content);
        var device = At(5);
        client.RememberMaxApdu(device, 480);  // 474-byte segments: 43 of them, several windows
        var file = ObjectId.File(SimulatedDevice.IssuerFile1);
        var written = await client.AtomicWriteFileAsync(device, new AtomicWriteFileRequest(file, 0, [.. content]));
        Assert.True(written.Ok, written.ToString());
        Assert.Equal(content, site[1004].FileContent(SimulatedDevice.IssuerFile1));
        var read = await client.AtomicReadFileAsync(device, new AtomicReadFileRequest(file, 0, 30_000));
        Assert.True(read.Ok, read.ToString());
        Assert.True(read.Value.EndOfFile);
        Assert.Equal(content, read.Value.Data.ToArray());
        await provisioning.DiscardChangesAsync(device, ScPort);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task GeneratesAndReadsACsrWithTheDevicesOwnKey()
    {
        var sim = site[1006];
        var csr = await provisioning.GenerateAndReadCsrAsync(At(7), ScPort, sim.Spec.GenerateCsrCommand);
        Assert.True(csr.Ok, csr.ToString());
        Assert.True(csr.Value.IsPem);
        var request = CertificateRequest.LoadSigningRequestPem(System.Text.Encoding.ASCII.GetString(csr.Value.Content.AsSpan()),
            HashAlgorithmName.SHA256);
        Assert.Equal("CN=SimDevice1006", request.SubjectName.Name);
        Assert.NotEqual(sim.ActivePublicKey, request.PublicKey.ExportSubjectPublicKeyInfo());  // a new key, pending until activation
        Assert.True(sim.ChangesPending);
        await provisioning.DiscardChangesAsync(At(7), ScPort);
        Assert.False(sim.ChangesPending);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task TheOtherVendorsGenerateCsrValueIsRefused()
    {
        var sim = site[1008];
        var other = sim.Spec.GenerateCsrCommand == 8 ? 9u : 8u;
        var csr = await provisioning.GenerateAndReadCsrAsync(At(9), ScPort, other);
        Assert.Equal(new BacnetError(ErrorClass.Property, ErrorCode.ValueOutOfRange), csr.Failure?.Error);
        Assert.Contains("generate-csr-file", csr.Failure!.Detail);
    }

    internal static X509Certificate2 NewCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    internal static byte[] Sign(X509Certificate2 ca, string csrPem)
    {
        var request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30), [1, 2, 3, 4]);
        return System.Text.Encoding.ASCII.GetBytes(cert.ExportCertificatePem());
    }

    internal static byte[] Pem(X509Certificate2 cert) => System.Text.Encoding.ASCII.GetBytes(cert.ExportCertificatePem());

    [NeedsFact(Needs.Namespace)]
    public async Task InstallsAndActivatesACertificateForTheDevicesKey()
    {
        var sim = site[1010];
        using var ca = NewCa("Test Site CA");
        var csr = await provisioning.GenerateAndReadCsrAsync(At(11), ScPort, sim.Spec.GenerateCsrCommand);
        Assert.True(csr.Ok, csr.ToString());
        var certificate = Sign(ca, System.Text.Encoding.ASCII.GetString(csr.Value.Content.AsSpan()));
        var installed = await provisioning.InstallAsync(At(11), ScPort, [Pem(ca)], certificate);
        Assert.True(installed.Ok, installed.ToString() + " / " + sim.LastActivationProblem);
        Assert.False(sim.ChangesPending);
        Assert.Equal(certificate, sim.FileContent(SimulatedDevice.OperationalFile));
        Assert.Equal(CertificateRequest.LoadSigningRequestPem(System.Text.Encoding.ASCII.GetString(csr.Value.Content.AsSpan()),
            HashAlgorithmName.SHA256).PublicKey.ExportSubjectPublicKeyInfo(),
            sim.ActivePublicKey);
        Assert.NotNull(sim.ActiveCertificate);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task RefusesACertificateForAnotherKeyAndDiscardUndoes()
    {
        var sim = site[1012];
        using var ca = NewCa("Test Site CA");
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var foreignCsr = new CertificateRequest("CN=SimDevice1012", otherKey, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var installed = await provisioning.InstallAsync(At(13), ScPort, [Pem(ca)], Sign(ca, foreignCsr));
        Assert.Equal(new BacnetError(ErrorClass.Device, ErrorCode.InvalidConfigurationData), installed.Failure?.Error);
        Assert.StartsWith("ReinitializeDevice ACTIVATE_CHANGES", installed.Failure!.Detail);
        Assert.Equal("the certificate's public key is not the device's key", sim.LastActivationProblem);
        Assert.True(sim.ChangesPending);
        var discarded = await provisioning.DiscardChangesAsync(At(13), ScPort);
        Assert.True(discarded.Ok, discarded.ToString());
        Assert.False(sim.ChangesPending);
        Assert.Empty(sim.FileContent(SimulatedDevice.OperationalFile));
        Assert.Empty(sim.FileContent(SimulatedDevice.IssuerFile1));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task RefusesACertificateFromAnIssuerNotInstalled()
    {
        var sim = site[1014];
        using var installedCa = NewCa("Installed CA");
        using var otherCa = NewCa("Installed CA");  // same name, different key: only the signature tells them apart
        var csr = await provisioning.GenerateAndReadCsrAsync(At(15), ScPort, sim.Spec.GenerateCsrCommand);
        Assert.True(csr.Ok, csr.ToString());
        var installed = await provisioning.InstallAsync(At(15), ScPort, [Pem(installedCa)],
            Sign(otherCa, System.Text.Encoding.ASCII.GetString(csr.Value.Content.AsSpan())));
        Assert.Equal(ErrorCode.InvalidConfigurationData, installed.Failure?.Error?.Code);
        Assert.Equal("the certificate is not signed by an installed issuer certificate", sim.LastActivationProblem);
        await provisioning.DiscardChangesAsync(At(15), ScPort);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task GarbageDatagramsDoNotStopADevice()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.1.2"), 0));
        var random = new Random(3);
        var before = site.MalformedReceived;
        for (var i = 0; i < 500; i++)
        {
            var junk = new byte[random.Next(0, 1600)];
            random.NextBytes(junk);
            if (junk.Length > 4 && i % 2 == 0)
            {
                junk[0] = 0x81; junk[1] = 0x0A; junk[2] = (byte)(junk.Length >> 8); junk[3] =
                (byte)junk.Length;
            }
            socket.SendTo(junk, new IPEndPoint(IPAddress.Parse("127.0.0.17"), BipEndpoint.DefaultPort));
        }
        var name = await client.ReadPropertyAsync(At(17), ObjectId.Device(1016), PropertyIdentifier.ObjectName);
        Assert.True(name.Ok, name.ToString());
        Assert.True(site.MalformedReceived > before);
    }

    /// <summary>
    /// A minimal BBMD: accepts foreign-device registrations (BVLC-Result 0) and re-broadcasts a
    /// Distribute-Broadcast-To-Network on its local network as a Forwarded-NPDU naming the foreign device.
    /// </summary>
    private static async Task RunBbmdAsync(Socket bbmd, CancellationToken cancellationToken)
    {
        var buffer = new byte[1500];
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try { received = await bbmd.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancellationToken); }
            catch (OperationCanceledException) { return; }
            var from = (IPEndPoint)received.RemoteEndPoint;
            var frame = Bvlc.Decode(buffer.AsSpan(0, received.ReceivedBytes));
            if (!frame.Ok) continue;
            if (frame.Value.Function == BvlcFunction.RegisterForeignDevice)
            {
                var result = new byte[6];
                Bvlc.EncodeResult(result, BvlcResultCode.Successful);
                await bbmd.SendToAsync(result, from);
            }
            else if (frame.Value.Function == BvlcFunction.DistributeBroadcastToNetwork)
            {
                var forwarded = new byte[1500];
                var w = new BacnetWriter(forwarded);
                var start = Bvlc.Begin(ref w, BvlcFunction.ForwardedNpdu, BipEndpoint.From(from));
                w.WriteBytes(buffer.AsSpan(frame.Value.NpduOffset, frame.Value.NpduLength));
                Bvlc.Complete(ref w, start);
                await bbmd.SendToAsync(forwarded.AsMemory(0, w.Position),
                    new IPEndPoint(IPAddress.Parse(LoopbackNamespace.Broadcast), BipEndpoint.DefaultPort));
            }
        }
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ForeignDeviceDiscoversThroughABbmd()
    {
        using var bbmd = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
        bbmd.Bind(new IPEndPoint(IPAddress.Parse("127.0.1.20"), BipEndpoint.DefaultPort));
        using var stop = new CancellationTokenSource();
        var running = RunBbmdAsync(bbmd, stop.Token);
        await using var foreign = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.21", 0), null)
        {
            ApduTimeout =
            TimeSpan.FromMilliseconds(500)
        });
        var registered = await foreign.RegisterForeignDeviceAsync(BipEndpoint.Parse("127.0.1.20"), TimeSpan.FromMinutes(5));
        Assert.True(registered.Ok, registered.ToString());
        Assert.Equal(BvlcResultCode.Successful, registered.Value);
        var found = await foreign.WhoIsThroughBbmdAsync(WhoIs.Range(1001, 1010), BipEndpoint.Parse("127.0.1.20"), TimeSpan.FromSeconds(3),
            10);
        Assert.Equal(Enumerable.Range(1001, 10).Select(i => (uint)i), found.Select(d => d.Instance));
        var silent = await foreign.RegisterForeignDeviceAsync(BipEndpoint.Parse("127.0.1.22"), TimeSpan.FromMinutes(5));
        Assert.Equal(FailureKind.Timeout, silent.Failure?.Kind);
        await stop.CancelAsync();
        await running;
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ForwardedNpdusAreAnsweredAtTheirOriginalSourceOnLoopbackOnly()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.1.8"), 0));
        var reply = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        reply.Bind(new IPEndPoint(IPAddress.Parse("127.0.1.9"), 47900));
        using (reply)
        {
            // a Forwarded-NPDU carries a broadcast (J.4.5): a Who-Is is answered, a confirmed request is discarded (5.4.5.1)
            byte[] Forwarded(string source, ushort port, bool confirmed)
            {
                var buffer = new byte[100];
                var length = confirmed
                    ? Application.BacnetPacket.Encode(buffer, BvlcFunction.ForwardedNpdu, Network.NpduHeader.Local(true),
                        Application.ApduHeader.ConfirmedRequest(9, ConfirmedService.ReadProperty),
                        new ReadPropertyRequest(ObjectId.Device(1018), PropertyIdentifier.ObjectName).Encode,
                            BipEndpoint.Parse(source, port))
                    : Application.BacnetPacket.Encode(buffer, BvlcFunction.ForwardedNpdu, Network.NpduHeader.GlobalBroadcast,
                        Application.ApduHeader.Unconfirmed(UnconfirmedService.WhoIs), WhoIs.Range(1018, 1018).Encode,
                            BipEndpoint.Parse(source, port));
                return buffer[..length.Length];
            }
            var before = site.MalformedReceived;
            var discarded = site.Discarded;
            socket.SendTo(Forwarded("10.1.2.3", 47808, false), new IPEndPoint(IPAddress.Parse("127.0.0.19"), BipEndpoint.DefaultPort));
            socket.SendTo(Forwarded("127.0.1.9", 47900, true), new IPEndPoint(IPAddress.Parse("127.0.0.19"), BipEndpoint.DefaultPort));
            socket.SendTo(Forwarded("127.0.1.9", 47900, false), new IPEndPoint(IPAddress.Parse("127.0.0.19"), BipEndpoint.DefaultPort));
            var answer = new byte[1500];
            reply.ReceiveTimeout = 2000;
            var received = reply.Receive(answer);
            var packet = Application.BacnetPacket.Decode(answer.AsSpan(0, received));
            Assert.True(packet.Ok, packet.ToString());
            Assert.Equal(Application.ApduType.UnconfirmedRequest, packet.Value.Apdu?.Type);
            Assert.Equal(ObjectId.Device(1018), IAm.Decode(packet.Value.ServiceData(answer.AsSpan(0, received))).Value.Device);
            Assert.Equal(before + 1, site.MalformedReceived);  // the one naming 10.1.2.3 was dropped, not answered
            Assert.Equal(discarded + 1, site.Discarded);       // the confirmed one was discarded
            reply.ReceiveTimeout = 300;
            Assert.Throws<SocketException>(() => reply.Receive(answer));  // and nothing else came
        }
    }

    [NeedsTheory(Needs.Namespace)]
    [InlineData("255.255.255.255")]
    [InlineData("0.0.0.0")]
    public void RefusesUnsafeAddresses(string address)
    {
        Assert.Throws<ArgumentException>(() => BacnetClient.Start(
            new BacnetClientOptions(BipEndpoint.Parse("127.0.1.3", 0), BipEndpoint.Parse(address))));
        Assert.Throws<ArgumentException>(() => BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse(address, 0), null)));
    }
}
