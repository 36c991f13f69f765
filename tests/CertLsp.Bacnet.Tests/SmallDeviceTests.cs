using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Encoding;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Network;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Simulator;
using CertLsp.Bacnet.Transport;
using Xunit;

namespace CertLsp.Bacnet.Tests;

/// <summary>
/// Small devices (issue 13): the client learns each device's Max APDU, segmentation and max segments and sizes every request and
/// file chunk to fit; a simulated device with small limits refuses what a real one would; File_Size that is not writable; a device
/// without Network Port; the simulator's limit options.
/// </summary>
[Collection(UdpCollection.Name)]
public class SmallDeviceTests
{
    private const ushort Port = 47830;
    private static readonly IPAddress Broadcast = IPAddress.Parse(LoopbackNamespace.Broadcast);

    public static TheoryData<int, bool> Sizes()
    {
        var data = new TheoryData<int, bool>();
        foreach (var size in (int[])[1476, 1024, 480, 206])
        {
            data.Add(size, true);
            data.Add(size, false);
        }
        return data;
    }

    /// <summary>
    /// `csr --bind`, then `import` and `install --bind`: CSR read, issuer and operational certificate writes, activation and read-back
    /// on devices that accept 1476, 1024, 480 or 206 octets, with segmentation both ways or none; no device ever dropped an APDU.
    /// </summary>
    [NeedsTheory(Needs.Namespace)]
    [MemberData(nameof(Sizes))]
    public async Task CsrAndInstallBindProvisionDevicesOfEverySize(int maxApdu, bool segmentation)
    {
        LoopbackNamespace.Require();
        await using var site = DeviceKeySite.Start(2, Port, 40, firstInstance: 40001,
            configure: s => s with { MaxApdu = maxApdu, Segmentation = segmentation ? Segmentation.Both : Segmentation.None });
        var (exit, output, error) = await DeviceKeySite.RunAsync("csr", site.ManifestPath, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, output + error);
        string answer = site.SignAll();
        var certificates = DeviceKeySite.Certificates(answer);
        (exit, output, error) = await DeviceKeySite.RunAsync("import", site.ManifestPath, answer);
        Assert.True(exit == 0, output + error);
        (exit, output, error) = await DeviceKeySite.RunAsync("install", site.ManifestPath, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, output + error);
        Assert.Contains("Installs: 2 installed, 0 failed.", output);
        Assert.DoesNotContain("File_Size := 0 refused", output);
        for (var i = 0; i < 2; i++) site.AssertInstalled(i, certificates[DeviceKeySite.CommonName(i)]);
        Assert.Equal(0, site.Site.OversizedDropped);
        Assert.Equal(0, site.Site.MalformedReceived);
    }

    /// <summary>File chunks fill the APDU exactly: one octet more and the request (or the answer) would exceed the Max APDU.</summary>
    [Fact]
    public void FileChunksFillTheApduExactly()
    {
        var file = ObjectId.File(4);
        foreach (var maxApdu in Apdu.LegalMaxApduLengths.ToArray())
        {
            foreach (var start in (long[])[0, 100, 300, 70_000, 1L << 33])
            {
                int WriteApdu(int length) => Apdu.ConfirmedRequestHeader
                    + BacnetPacket.ToBytes(new AtomicWriteFileRequest(file, start, [.. new byte[length]]).Encode)!.Length;
                int ReadApdu(int length) => Apdu.ComplexAckHeader
                    + BacnetPacket.ToBytes(new AtomicReadFileAck(true, start, [.. new byte[length]]).Encode)!.Length;
                var write = AtomicWriteFileRequest.MaxDataLength(file, start, maxApdu);
                Assert.True(WriteApdu(write) <= maxApdu && WriteApdu(write + 1) > maxApdu,
                    $"write {write} at {start} for {maxApdu}: {WriteApdu(write)}");
                var read = AtomicReadFileAck.MaxDataLength(start, maxApdu);
                Assert.True(ReadApdu(read) <= maxApdu && ReadApdu(read + 1) > maxApdu,
                    $"read {read} at {start} for {maxApdu}: {ReadApdu(read)}");
            }
        }
        // 206 octets at offset 0: 4 header + 5 file id + 1 + 2 start + 2 octet string tag + 191 data + 1 closing.
        Assert.Equal(191, AtomicWriteFileRequest.MaxDataLength(file, 0, 206));
        // The answer to a read from 0: 3 header + 1 end-of-file + 1 + 2 start + 2 tag + 196 data + 1 closing.
        Assert.Equal(196, AtomicReadFileAck.MaxDataLength(0, 206));
        // At 480 the octet string's tag takes 4 octets (more than 253 data octets): 463 per write, 468 per read answer.
        Assert.Equal((463, 468), (AtomicWriteFileRequest.MaxDataLength(file, 0, 480), AtomicReadFileAck.MaxDataLength(0, 480)));
    }

    /// <summary>
    /// A device that said no-segmentation in its I-Am never gets a segmented request: a request too large for it fails at once and
    /// says what the device accepts (not a timeout, not an abort); the file write is chunked to fit instead. A device with
    /// Max_Segments_Accepted 2 (read from its Device object) gets no request needing 3.
    /// </summary>
    [NeedsFact(Needs.Namespace)]
    public async Task NoSegmentedRequestToADeviceThatDoesNotTakeOne()
    {
        LoopbackNamespace.Require();
        await using var site = SimulatedSite.Start(
        [
            new SimulatedDeviceSpec(40101, IPAddress.Parse("127.0.41.2")) { MaxApdu = 206, Segmentation = Segmentation.None },
            new SimulatedDeviceSpec(40102, IPAddress.Parse("127.0.41.3")) { MaxApdu = 480, Segmentation = Segmentation.Both, MaxSegments =
                2 },
        ], Port, Broadcast);
        await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.41.1", 0),
            BipEndpoint.From(new IPEndPoint(Broadcast, Port)))
        {
            ApduTimeout = TimeSpan.FromMilliseconds(500), Retries = 2,
        });
        var found = await client.WhoIsAsync(WhoIs.Range(40101, 40101), TimeSpan.FromSeconds(2), 1);
        var small = Assert.Single(found).Address;
        var content = Enumerable.Range(0, 400).Select(i => (byte)(i * 3)).ToArray();
        var write = await client.AtomicWriteFileAsync(small,
            new AtomicWriteFileRequest(ObjectId.File(SimulatedDevice.IssuerFile1), 0, [.. content]));
        Assert.Equal(FailureKind.TooLarge, write.Failure?.Kind);
        Assert.Equal("the device accepts 206 octets and no segmented requests; this AtomicWriteFile request is 417 octets",
            write.Failure!.Detail);
        Assert.Empty(site[40101].FileContent(SimulatedDevice.IssuerFile1));

        var files = new CertificateProvisioning(client);
        var written = await files.WriteFileAsync(small, ObjectId.File(SimulatedDevice.IssuerFile1), content);
        Assert.True(written.Ok, written.ToString());
        Assert.Equal(content, site[40101].FileContent(SimulatedDevice.IssuerFile1));

        BacnetAddress limited = BipEndpoint.From(new IPEndPoint(IPAddress.Parse("127.0.41.3"), Port));
        var limits = await DeviceInventory.LearnLimitsAsync(client, limited, 40102);
        Assert.Equal(new DeviceLimits(480, Segmentation.Both, 2), limits.Value);
        var three = await client.AtomicWriteFileAsync(limited,
            new AtomicWriteFileRequest(ObjectId.File(SimulatedDevice.IssuerFile1), 0, [.. new byte[1000]]));
        Assert.Equal("the device accepts 480 octets in at most 2 segments; this AtomicWriteFile request is 1017 octets, 3 segments",
            three.Failure?.Detail);
        var two = await client.AtomicWriteFileAsync(limited,
            new AtomicWriteFileRequest(ObjectId.File(SimulatedDevice.IssuerFile1), 0, [.. new byte[900]]));
        Assert.True(two.Ok, two.ToString());
        // Its Max_Segments_Accepted not known (an I-Am's limits only): the device's abort of the third segment is said as such.
        client.RememberLimits(limited, new DeviceLimits(480, Segmentation.Both));
        three = await client.AtomicWriteFileAsync(limited, new AtomicWriteFileRequest(ObjectId.File(SimulatedDevice.IssuerFile1), 0,
            [.. new byte[1000]]));
        Assert.Equal((FailureKind.TooLarge, AbortReason.BufferOverflow), (three.Failure?.Kind, three.Failure?.AbortReason));
        Assert.Equal(
            "the device accepts 480 octets and refused this AtomicWriteFile request of 1017 octets in 3 segments (abort " +
            "buffer-overflow); " +
            "its Max_Segments_Accepted is not known", three.Failure!.Detail);
        Assert.Equal(0, site.OversizedDropped);
    }

    /// <summary>
    /// A device found by its I-Am (Max APDU and segmentation, not Max_Segments_Accepted) that takes segmented requests: the inventory
    /// reads Max_Segments_Accepted from its Device object and the client remembers it; file writes asked in larger chunks are cut to
    /// the segments the device accepts (2 of 200 octets at Max APDU 206: 387 data octets), so the device refuses none.
    /// </summary>
    [NeedsFact(Needs.Namespace)]
    public async Task SegmentedWritesFitTheMaxSegmentsOfADeviceFoundByItsIAm()
    {
        LoopbackNamespace.Require();
        await using var site = SimulatedSite.Start(
            [new SimulatedDeviceSpec(40701, IPAddress.Parse("127.0.41.52")) { MaxApdu = 206, Segmentation = Segmentation.Receive,
                MaxSegments = 2 }], Port, Broadcast);
        await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.41.51", 0),
            BipEndpoint.From(new IPEndPoint(Broadcast, Port)))
        {
            ApduTimeout = TimeSpan.FromMilliseconds(500), Retries = 2,
        });
        var device = Assert.Single(await client.WhoIsAsync(WhoIs.Range(40701, 40701), TimeSpan.FromSeconds(2), 1)).Address;
        Assert.Equal(new DeviceLimits(206, Segmentation.Receive), client.Limits(device));  // all an I-Am tells
        var info = await DeviceInventory.ReadAsync(client, device, 40701);
        Assert.True(info.Ok, info.ToString());
        Assert.Equal(new DeviceLimits(206, Segmentation.Receive, 2), client.Limits(device));

        var file = ObjectId.File(SimulatedDevice.IssuerFile1);
        var files = new CertificateProvisioning(client) { FileChunk = 1400 };
        Assert.Equal((191, 387), (AtomicWriteFileRequest.MaxDataLength(file, 0, 206), files.WriteSize(device, file, 0)));
        var content = Enumerable.Range(0, 1000).Select(i => (byte)(i * 11)).ToArray();
        var written = await files.WriteFileAsync(device, file, content);
        Assert.True(written.Ok, written.ToString());
        Assert.Equal(content, site[40701].FileContent(SimulatedDevice.IssuerFile1));
        Assert.Equal(0, site.OversizedDropped);
    }

    /// <summary>The client's own Max APDU bounds the octet count it asks for: a client taking 206 octets unsegmented reads a large
    /// CSR.</summary>
    [NeedsFact(Needs.Namespace)]
    public async Task FileReadsFitTheClientsOwnMaxApdu()
    {
        LoopbackNamespace.Require();
        await using var site = SimulatedSite.Start([new SimulatedDeviceSpec(40201, IPAddress.Parse("127.0.41.12")) { KeyAlgorithm =
            SimulatedKeyAlgorithm.Rsa2048 }], Port, null);
        await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.41.11", 0), null)
        {
            ApduTimeout = TimeSpan.FromMilliseconds(500), Retries = 2, MaxApduAccepted = 206, AcceptSegmentedResponses = false,
        });
        BacnetAddress device = BipEndpoint.From(new IPEndPoint(IPAddress.Parse("127.0.41.12"), Port));
        var csr = await new CertificateProvisioning(client).GenerateAndReadCsrAsync(device, ObjectId.NetworkPort(SimulatedDevice.ScPort),
            8);
        Assert.True(csr.Ok, csr.ToString());
        Assert.True(csr.Value.Content.Length > 800);
        Assert.Equal(site[40201].FileContent(SimulatedDevice.CsrFile), csr.Value.Content.ToArray());
    }

    /// <summary>
    /// A device that refuses File_Size := 0 (write-access-denied) gets its certificates written from offset 0; the read-back proves them
    /// and the install says which path it took.
    /// </summary>
    [NeedsFact(Needs.Namespace)]
    public async Task ADeviceWhoseFileSizeIsNotWritableGetsItsCertificateWrittenFromOffsetZero()
    {
        LoopbackNamespace.Require();
        await using var site = DeviceKeySite.Start(1, Port, 40, firstInstance: 40301, configure: s =>
            s with { FileSizeWritable = false, MaxApdu = 480, Segmentation = Segmentation.None });
        var (exit, output, error) = await DeviceKeySite.RunAsync("csr", site.ManifestPath, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, output + error);
        string answer = site.SignAll();
        (exit, output, error) = await DeviceKeySite.RunAsync("import", site.ManifestPath, answer, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, output + error);
        Assert.Contains("Installs: 1 installed, 0 failed.", output);
        Assert.Matches(@"installed\s+dev-0001: issuer and operational certificates written, read back and activated; " +
        @"File_Size := 0 refused \(write-access-denied\) " +
            @"on file 2, file 4: written from offset 0 and read back \(\d+ bytes, \d+ bytes, identical\)", output);
        site.AssertInstalled(0, DeviceKeySite.Certificates(answer)[DeviceKeySite.CommonName(0)]);
    }

    /// <summary>`discover` says that a device without Network Port objects cannot hold certificates (text and JSON).</summary>
    [NeedsFact(Needs.Namespace)]
    public async Task DiscoverSaysADeviceWithoutNetworkPortCannotHoldCertificates()
    {
        LoopbackNamespace.Require();
        await using var site = SimulatedSite.Start(
        [
            new SimulatedDeviceSpec(40401, IPAddress.Parse("127.0.41.22")) { HasNetworkPorts = false, Name = "OldController" },
            new SimulatedDeviceSpec(40402, IPAddress.Parse("127.0.41.23")),
        ], Port, Broadcast);
        var (exit, output, error) = await DeviceKeySite.RunAsync("discover", "--bind", "127.0.41.21", "--broadcast",
            LoopbackNamespace.Broadcast, "--port", $"{Port}", "--timeout", "1", "--expect", "2");
        Assert.True(exit == 0, output + error);
        Assert.Matches(@"40401\s+127\.0\.41\.22:47830\s+" +
            @"OldController\s.*\(no Network Port object: it cannot hold certificates \(they are properties of a Network Port\)\)", output);
        Assert.Contains("2:secure-connect", output);
        (exit, output, error) = await DeviceKeySite.RunAsync("discover", "--bind", "127.0.41.21", "--broadcast",
            LoopbackNamespace.Broadcast, "--port", $"{Port}", "--timeout", "1", "--expect", "2", "--format", "json");
        Assert.True(exit == 0, output + error);
        using var json = JsonDocument.Parse(output);
        var devices = json.RootElement.GetProperty("devices");
        Assert.Equal(DeviceInfo.NoNetworkPortRemark, devices[0].GetProperty("remark").GetString());
        Assert.Equal(0, devices[0].GetProperty("networkPorts").GetArrayLength());
        Assert.False(devices[1].TryGetProperty("remark", out _));
    }

    /// <summary>`certlsp simulate --max-apdu --segmentation --max-segments`, and `--device-limits` for one device of a manifest's
    /// site.</summary>
    [NeedsFact(Needs.Namespace)]
    public async Task SimulateTakesTheDevicesLimits()
    {
        LoopbackNamespace.Require();
        var manifest = Path.Combine(Path.GetTempPath(), $"limits-{Environment.ProcessId}.site.yaml");
        await File.WriteAllTextAsync(manifest, """
            site: Limits
            ca: { profile: bacnet-sc }
            subject: { country: US, organization: Test }
            bacnet: { port: 47831, broadcast: 127.255.255.255, generateCsrCommand: 8 }
            devices:
              - name: big-one
                instance: 40501
              - name: small-one
                instance: 40502
            """);
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var run = Task.Run(() => Cli.Program.RunAsync(["simulate", "--manifest", manifest, "--bind", "127.0.41.32", "--max-apdu",
                "480", "--segmentation", "none",
                "--device-limits", "small-one=206/receive/8", "--duration", "4"], stdout, stderr));
            await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.41.31", 0),
                BipEndpoint.Parse(LoopbackNamespace.Broadcast, 47831)));
            IReadOnlyList<DiscoveredDevice> found = [];
            for (var attempt = 0; attempt < 20 && found.Count < 2; attempt++)
                found = await client.WhoIsAsync(WhoIs.Range(40501, 40502), TimeSpan.FromMilliseconds(500), 2);
            Assert.True(found.Count == 2, stderr.ToString());
            Assert.Equal((480u, Segmentation.None), (found[0].Announcement.MaxApduLength, found[0].Announcement.Segmentation));
            Assert.Equal((206u, Segmentation.Receive), (found[1].Announcement.MaxApduLength, found[1].Announcement.Segmentation));
            var segments = await client.ReadPropertyAsync(found[1].Address, ObjectId.Device(40502), PropertyIdentifier.MaxSegmentsAccepted);
            Assert.Equal(BacnetValue.FromUnsigned(8), Assert.Single(segments.Value.Values));
            Assert.Equal(0, await run);
            Assert.Matches(@"40502\s+127\.0\.41\.33\s+8\s+206\s+receive\s+small-one", stdout.ToString());

            var (exit, _, error) = await DeviceKeySite.RunAsync("simulate", "--devices", "1", "--bind", "127.0.41.32", "--max-apdu", "500",
                "--duration", "0");
            Assert.Equal(2, exit);
            Assert.Contains("Max APDU 500 is not one of 50, 128, 206, 480, 1024, 1476", error);
            (exit, _, error) = await DeviceKeySite.RunAsync("simulate", "--manifest", manifest, "--bind", "127.0.41.32", "--device-limits",
                "nobody=480", "--duration", "0");
            Assert.Equal(2, exit);
            Assert.Contains("no simulated device is named or numbered nobody", error);
            (exit, _, error) = await DeviceKeySite.RunAsync("simulate", "--devices", "1", "--bind", "127.0.41.32", "--segmentation",
                "sometimes", "--duration", "0");
            Assert.Equal(2, exit);
            Assert.Contains("segmentation \"sometimes\" is not both, transmit, receive or none", error);
        }
        finally
        {
            File.Delete(manifest);
        }
    }

    /// <summary>
    /// A simulated device with Max APDU 480 refuses what a real one would: an APDU larger than 480 is dropped unanswered; a segmented
    /// request to a device without segmentation is aborted (segmentation-not-supported); an answer larger than the requester's Max
    /// APDU is aborted when the device does not transmit segments, and segmented within the smaller of both limits when it does.
    /// </summary>
    [NeedsFact(Needs.Namespace)]
    public async Task ASmallSimulatedDeviceRefusesWhatARealOneWould()
    {
        LoopbackNamespace.Require();
        var none = new IPEndPoint(IPAddress.Parse("127.0.41.42"), Port);
        var both = new IPEndPoint(IPAddress.Parse("127.0.41.43"), Port);
        await using var site = SimulatedSite.Start(
        [
            new SimulatedDeviceSpec(40601, none.Address) { MaxApdu = 480, Segmentation = Segmentation.None },
            new SimulatedDeviceSpec(40602, both.Address) { MaxApdu = 480, Segmentation = Segmentation.Both },
        ], Port, null);
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.41.41"), 0));
        var file = ObjectId.File(SimulatedDevice.IssuerFile1);
        var invokeId = (byte)0;

        async Task<(ApduHeader Header, int ApduLength)?> SendAsync(IPEndPoint to, ApduHeader header, ContentEncoder content, int waitMs =
            3000)
        {
            var buffer = new byte[BacnetPacket.MaxDatagram];
            var length = BacnetPacket.Encode(buffer, BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(true), header, content);
            await socket.SendAsync(buffer.AsMemory(0, length.Length), to);
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(waitMs));
            try
            {
                var answer = await socket.ReceiveAsync(wait.Token);
                var packet = BacnetPacket.Decode(answer.Buffer).Value;
                return (packet.Apdu!.Value, answer.Buffer.Length - 4 - 2);  // BVLC 4 and NPDU 2 are not part of the APDU
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        async Task EndAsync(IPEndPoint to)  // this side aborts a segmented answer it has seen enough of: no resends arrive later
        {
            var buffer = new byte[64];
            var length = BacnetPacket.Encode(buffer, BvlcFunction.OriginalUnicastNpdu, NpduHeader.Local(false),
                ApduHeader.Abort((byte)(invokeId - 1), AbortReason.Other, false), ReadOnlySpan<byte>.Empty);
            await socket.SendAsync(buffer.AsMemory(0, length.Length), to);
        }
        ApduHeader Request(ConfirmedService service, int maxApdu, bool segmentedAccepted) =>
            ApduHeader.ConfirmedRequest(invokeId++, service, maxApdu, segmentedAccepted);
        ContentEncoder Write(int length) => (ref BacnetWriter w) =>
            new AtomicWriteFileRequest(file, 0, [.. new byte[length]]).Encode(ref w);

        // 480 octets exactly: taken. 481: dropped unanswered, as by a device whose buffer is 480.
        var fits = AtomicWriteFileRequest.MaxDataLength(file, 0, 480);
        Assert.Equal(ApduType.ComplexAck, (await SendAsync(none, Request(ConfirmedService.AtomicWriteFile, 1476, true),
            Write(fits)))?.Header.Type);
        Assert.Null(await SendAsync(none, Request(ConfirmedService.AtomicWriteFile, 1476, true), Write(fits + 1), waitMs: 1000));
        Assert.Equal(1, site.OversizedDropped);

        // A segmented request to the device without segmentation: Abort segmentation-not-supported.
        var segment = Request(ConfirmedService.AtomicWriteFile, 1476, true) with
        {
            Segmented = true,
            MoreFollows = true,
            SequenceNumber =
            0,
            WindowSize = 4
        };
        var abort = await SendAsync(none, segment, (ref BacnetWriter w) => w.WriteBytes(new byte[200]));
        Assert.Equal((ApduType.Abort, true, (byte)AbortReason.SegmentationNotSupported),
            (abort?.Header.Type, abort?.Header.FromServer, abort?.Header.Reason));

        // A 1,000-octet answer: the device that cannot segment aborts; the one that can sends segments of at most min(206, 480) octets,
        // or of 480 (its own limit) to a requester that takes 1476.
        ContentEncoder Read(int count) => (ref BacnetWriter w) => new AtomicReadFileRequest(file, 0, (uint)count).Encode(ref w);
        var content = new byte[1000];
        foreach (var device in new[] { none, both })
        {
            for (var offset = 0; offset < content.Length;)
            {
                // the start position's octets count too
                var size = Math.Min(AtomicWriteFileRequest.MaxDataLength(file, offset, 480), content.Length - offset);
                var at = offset;
                Assert.Equal(ApduType.ComplexAck, (await SendAsync(device, Request(ConfirmedService.AtomicWriteFile, 1476, true),
                    (ref BacnetWriter w) => new AtomicWriteFileRequest(file, at, [.. content.AsSpan(at, size)]).Encode(
                        ref w)))?.Header.Type);
                offset += size;
            }
        }
        abort = await SendAsync(none, Request(ConfirmedService.AtomicReadFile, 1476, true), Read(1000));
        Assert.Equal((ApduType.Abort, (byte)AbortReason.SegmentationNotSupported), (abort?.Header.Type, abort?.Header.Reason));
        var first = await SendAsync(both, Request(ConfirmedService.AtomicReadFile, 206, true), Read(1000));
        Assert.Equal((ApduType.ComplexAck, true, 206), (first?.Header.Type, first?.Header.Segmented, first?.ApduLength));
        await EndAsync(both);
        first = await SendAsync(both, Request(ConfirmedService.AtomicReadFile, 1476, true), Read(1000));
        Assert.Equal((ApduType.ComplexAck, true, 480), (first?.Header.Type, first?.Header.Segmented, first?.ApduLength));
        await EndAsync(both);
        abort = await SendAsync(both, Request(ConfirmedService.AtomicReadFile, 206, false), Read(1000));
        Assert.Equal((ApduType.Abort, (byte)AbortReason.SegmentationNotSupported), (abort?.Header.Type, abort?.Header.Reason));
    }
}
