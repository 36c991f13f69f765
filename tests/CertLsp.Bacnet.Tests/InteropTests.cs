using System.Diagnostics;
using System.Net;
using System.Text.Json;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Simulator;
using Xunit;

namespace CertLsp.Bacnet.Tests;

/// <summary>
/// Interop with an implementation no one here wrote: @bacnet-js/client 3.3.2 (tests/interop-bacnet, installed by
/// ./test.sh with npm ci) as a client against the simulator, and as a device against CertLsp's client.
/// </summary>
[Collection(UdpCollection.Name)]
public class InteropTests
{
    private static string InteropFolder()
    {
        var folder = RepoPaths.Combine("tests", "interop-bacnet");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@bacnet-js", "client")))
            throw new InvalidOperationException($"@bacnet-js/client is not installed: run `npm ci` in {folder} (./test.sh does)");
        return folder;
    }

    private static Process Node(string script, params string[] args)
    {
        var folder = InteropFolder();
        var start = new ProcessStartInfo("node", [Path.Combine(folder, script), .. args])
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("cannot start node");
    }

    /// <summary>Runs a client script to its end: it must exit 0 and print one JSON object without an "error" member.</summary>
    private static async Task<JsonDocument> RunScriptAsync(string script, params string[] args)
    {
        using var node = Node(script, args);
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, stderr);
        var json = JsonDocument.Parse(await stdout);
        Assert.False(json.RootElement.TryGetProperty("error", out var error), error.ToString());
        return json;
    }

    [NeedsFact(Needs.Namespace, Needs.BacnetPeer)]
    public async Task BacnetJsClientAgainstTheSimulator()
    {
        LoopbackNamespace.Require();
        await using var site = SimulatedSite.Start(SimulatedDeviceSpec.Loopback(5, 5001).Select((s, i) =>
            s with { Address = IPAddress.Parse($"127.0.5.{i + 2}") }),
            BipEndpoint.DefaultPort, IPAddress.Parse(LoopbackNamespace.Broadcast));
        using var json = await RunScriptAsync("peer-client.mjs", "--bind", "127.0.2.1", "--broadcast", LoopbackNamespace.Broadcast,
            "--device", "127.0.5.3", "--instance", "5002", "--expect", "5");
        var r = json.RootElement;
        Assert.Equal([5001, 5002, 5003, 5004, 5005], r.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("id").GetInt32()));
        Assert.Equal("127.0.5.3", r.GetProperty("devices")[1].GetProperty("address").GetString());
        Assert.Equal("SimDevice5002", r.GetProperty("objectName").GetString());
        var rpm = r.GetProperty("rpm");
        Assert.Equal("8:5002", rpm[0].GetProperty("object").GetString());
        Assert.Equal(["SimDevice5002", "CertLsp Simulated Devices", "SIM-SC-1", "SN-0005002"],
            rpm[0].GetProperty("values").EnumerateArray().Select(v => v.GetProperty("value")[0].GetString()));
        var port = rpm[1].GetProperty("values").EnumerateArray().ToDictionary(v => v.GetProperty("id").GetInt64(), v =>
            v.GetProperty("value")[0].GetInt64());
        Assert.Equal(new Dictionary<long, long> { [427] = 11, [509] = 1, [4194306] = 4 }, port);
        Assert.Equal(0, r.GetProperty("writtenAt").GetInt32());
        Assert.True(r.GetProperty("readBack").GetProperty("same").GetBoolean());
        Assert.True(r.GetProperty("readBack").GetProperty("endOfFile").GetBoolean());
        Assert.Equal("BacnetError - Class:2 - Code:32", r.GetProperty("unknownProperty").GetString());
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)), site[5002].FileContent(SimulatedDevice.IssuerFile1));
    }

    /// <summary>
    /// @bacnet-js/client walks the simulator as a client would to learn a device: Object_List, each object's Property_List,
    /// every property in it and the four it leaves out, each array's length, and ReadPropertyMultiple ALL, REQUIRED and
    /// OPTIONAL. Not a single error comes back, and the three special identifiers agree with Property_List.
    /// </summary>
    [NeedsFact(Needs.Namespace, Needs.BacnetPeer)]
    public async Task BacnetJsClientWalksEveryObjectAndProperty()
    {
        LoopbackNamespace.Require();
        await using var site = SimulatedSite.Start([new SimulatedDeviceSpec(5101, IPAddress.Parse("127.0.5.20"))], BipEndpoint.DefaultPort,
            IPAddress.Parse(LoopbackNamespace.Broadcast));
        using var json = await RunScriptAsync("peer-walk.mjs", "--bind", "127.0.2.2", "--broadcast", LoopbackNamespace.Broadcast,
            "--device", "127.0.5.20", "--instance", "5101");
        var r = json.RootElement;
        Assert.Equal("[]", r.GetProperty("errors").GetRawText());
        var objects = r.GetProperty("objects").EnumerateArray().ToList();
        Assert.Equal(["8:5101", "56:1", "56:2", "10:1", "10:2", "10:3", "10:4"], objects.Select(o => o.GetProperty("object").GetString()));
        static int[] Ids(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32()).Order()];
        foreach (var o in objects)
        {
            var listed = Ids(o.GetProperty("propertyList"));
            Assert.NotEmpty(listed);
            Assert.Equal(listed.Concat([75, 77, 79, 371]).Order(),
                o.GetProperty("read").EnumerateObject().Select(p =>
                int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture)).Order());
            Assert.Equal(listed.Length, o.GetProperty("lengths").GetProperty("371").GetInt32());
            var all = Ids(o.GetProperty("all"));
            Assert.Equal(listed.Concat([75, 77, 79]).Order(), all);                       // ALL: every property but Property_List
            var (required, optional) = (Ids(o.GetProperty("required")), Ids(o.GetProperty("optional")));
            Assert.Equal(all, required.Concat(optional).Order());
            Assert.Empty(new[] { 75, 77, 79 }.Except(required));                         // REQUIRED: the identity properties at least
        }
        Assert.Equal(7, objects[0].GetProperty("lengths").GetProperty("76").GetInt32());
        Assert.Equal(0, site.ReceiveFailures);
    }

    [NeedsFact(Needs.Namespace, Needs.BacnetPeer)]
    public async Task CertLspClientAgainstABacnetJsDevice()
    {
        LoopbackNamespace.Require();
        using var node = Node("peer-device.mjs", "--bind", "127.0.2.10", "--broadcast", LoopbackNamespace.Broadcast, "--instance", "4242");
        try
        {
            var ready = await node.StandardOutput.ReadLineAsync().WaitAsync(Waits.HangGuard);
            Assert.Equal("ready", ready);
            await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.7", 0),
                BipEndpoint.Parse(LoopbackNamespace.Broadcast))
            {
                ApduTimeout = TimeSpan.FromSeconds(1), Retries = 2,
            });
            var found = await client.WhoIsAsync(new WhoIs(), TimeSpan.FromSeconds(3), 1);
            var peer = Assert.Single(found);
            Assert.Equal(4242u, peer.Instance);
            Assert.Equal(BipEndpoint.Parse("127.0.2.10"), peer.Address.Endpoint);
            Assert.Equal(1482u, peer.Announcement.MaxApduLength);  // bacnet-js's quirk: not a legal BACnet/IP value; the client clamps it

            var info = await DeviceInventory.ReadAsync(client, peer.Address, peer.Instance);
            Assert.True(info.Ok, info.ToString());
            Assert.Equal(("BacnetJsDevice", "bacnet-js", "peer-device", "JS-0001"),
                (info.Value.ObjectName, info.Value.VendorName, info.Value.ModelName, info.Value.SerialNumber));
            var port = Assert.Single(info.Value.NetworkPorts);
            Assert.Equal(NetworkType.Ipv4, port.NetworkType);
            Assert.Equal(Convert.FromHexString("7F00020ABAC0"), port.MacAddress);
            Assert.Null(port.CsrFile);  // RPM error entries (unknown-property) decoded per property

            var files = new CertificateProvisioning(client) { FileChunk = 700 };
            var csr = await files.ReadFileAsync(peer.Address, ObjectId.File(1));
            Assert.True(csr.Ok, csr.ToString());
            Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", System.Text.Encoding.ASCII.GetString(csr.Value.AsSpan()));
            var content = Enumerable.Range(0, 3000).Select(i => (byte)(i * 13)).ToArray();
            var written = await files.WriteFileAsync(peer.Address, ObjectId.File(2), content);
            Assert.True(written.Ok, written.ToString());
            var readBack = await files.ReadFileAsync(peer.Address, ObjectId.File(2));
            Assert.True(readBack.Ok, readBack.ToString());
            Assert.Equal(content, readBack.Value.ToArray());

            var unknown = await client.ReadPropertyAsync(peer.Address, ObjectId.Device(4242), (PropertyIdentifier)58);
            Assert.Equal(new BacnetError(ErrorClass.Property, ErrorCode.UnknownProperty), unknown.Failure?.Error);
            var denied = await client.AtomicWriteFileAsync(peer.Address, new AtomicWriteFileRequest(ObjectId.File(1), 0, [1]));
            Assert.Equal(new BacnetError(ErrorClass.Services, ErrorCode.FileAccessDenied), denied.Failure?.Error);
        }
        finally
        {
            if (!node.HasExited) node.Kill();
            await node.WaitForExitAsync();
        }
    }

    public static TheoryData<int, string> SmallDeviceCases()
    {
        var data = new TheoryData<int, string>();
        foreach (var size in (int[])[1476, 1024, 480, 206])
        {
            data.Add(size, "none");
            data.Add(size, "receive");
        }
        return data;
    }

    /// <summary>
    /// A small device no one here wrote (tests/interop-bacnet/peer-small-device.mjs: @bacnet-js/client's encoders and transport, Max
    /// APDU 1476, 1024, 480 or 206, no segmentation or segmented requests received (the library's reassembly, at most 2 segments), a
    /// secure-connect Network Port with the certificate properties, stream File objects, its CSR made with Node's crypto, the
    /// activation checked with Node's X509Certificate) provisioned end to end by CertLsp: discovery, inventory (limits: the I-Am's
    /// Max APDU and segmentation, Max_Segments_Accepted from the Device object), CSR read, issuer and operational certificate writes
    /// asked in 1,400-octet chunks and cut to what the device takes, activation, read-back. The device never had to drop or abort
    /// anything; it received segmented requests exactly where a write did not fit one APDU and it takes them; tshark finds no
    /// malformed packet and no expert warning in the capture.
    /// </summary>
    [NeedsTheory(Needs.Namespace, Needs.BacnetPeer)]
    [MemberData(nameof(SmallDeviceCases))]
    public async Task CertLspProvisionsASmallBacnetJsDevice(int maxApdu, string segmentation)
    {
        LoopbackNamespace.Require();
        var receives = segmentation == "receive";
        var pcap = Path.Combine(Path.GetTempPath(), $"certlsp-small-js-{Environment.ProcessId}-{maxApdu}-{segmentation}.pcapng");
        var events = new List<string>();
        byte[] certificate, issuer;
        try
        {
            using (var capture = await Tshark.StartCaptureAsync(pcap))
            {
                (certificate, issuer) = await ProvisionSmallDeviceAsync(maxApdu, receives, events);
                await Task.Delay(300);
                capture.Stop();
            }
            Assert.Empty(Tshark.Read(pcap, "_ws.malformed || _ws.expert.severity >= \"Warning\"", "frame.number", "_ws.expert.message",
                "_ws.col.info"));
            // SegmentACKs: only where segmented requests were sent
            var segmentAcks = Tshark.Read(pcap, "bacapp.type == 4", "frame.number");
            Assert.Equal(events.Count > 0, segmentAcks.Count > 0);
        }
        finally
        {
            File.Delete(pcap);
        }
        // nothing dropped or aborted, never more than Max_Segments_Accepted
        Assert.All(events, e => Assert.Equal("reassembled 2 segments", e));
        var fits = AtomicWriteFileRequest.MaxDataLength(ObjectId.File(4), 0, maxApdu);
        Assert.Equal(receives && (certificate.Length > fits || issuer.Length > fits), events.Count > 0);
    }

    /// <summary>Runs the small device and provisions it; the device's event lines before "activated" go to <paramref
    /// name="events"/>.</summary>
    private static async Task<(byte[] Certificate, byte[] Issuer)> ProvisionSmallDeviceAsync(int maxApdu, bool receives,
        List<string> events)
    {
        string[] limits = receives ? ["--segmentation", "receive", "--max-segments", "2"] : ["--segmentation", "none"];
        using var node = Node("peer-small-device.mjs", ["--bind", "127.0.2.20", "--broadcast", LoopbackNamespace.Broadcast, "--instance",
            "4343",
            "--max-apdu", $"{maxApdu}", "--name", "small-js.bms.test.example", .. limits]);
        byte[] certificate, issuer;
        try
        {
            Assert.Equal("ready", await node.StandardOutput.ReadLineAsync().WaitAsync(Waits.HangGuard));
            await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.8", 0),
                BipEndpoint.Parse(LoopbackNamespace.Broadcast))
            {
                ApduTimeout = TimeSpan.FromSeconds(1), Retries = 2,
            });
            var peer = Assert.Single(await client.WhoIsAsync(WhoIs.Range(4343, 4343), TimeSpan.FromSeconds(3), 1));
            var announced = receives ? Segmentation.Receive : Segmentation.None;
            Assert.Equal(((uint)maxApdu, announced), (peer.Announcement.MaxApduLength, peer.Announcement.Segmentation));
            var info = await DeviceInventory.ReadAsync(client, peer.Address, peer.Instance);
            Assert.True(info.Ok, info.ToString());
            var port = Assert.Single(info.Value.NetworkPorts);
            Assert.Equal((NetworkType.SecureConnect, ObjectId.File(1), ObjectId.File(4)),
                (port.NetworkType, port.CsrFile, port.OperationalCertificateFile));
            Assert.Equal([ObjectId.File(2), ObjectId.File(3)], port.IssuerCertificateFiles);
            Assert.Equal(new DeviceLimits(maxApdu, announced, receives ? 2 : null), client.Limits(peer.Address));

            var provisioning = new CertificateProvisioning(client) { PollInterval = TimeSpan.FromMilliseconds(10), FileChunk = 1400 };
            var csr = await provisioning.GenerateAndReadCsrAsync(peer.Address, port.Port, 9);
            Assert.True(csr.Ok, csr.ToString());
            var pem = System.Text.Encoding.ASCII.GetString(csr.Value.Content.AsSpan());
            // checks its signature
            var request = System.Security.Cryptography.X509Certificates.CertificateRequest.LoadSigningRequestPem(pem,
                System.Security.Cryptography.HashAlgorithmName.SHA256);
            Assert.Equal("CN=small-js.bms.test.example", request.SubjectName.Name);
            using var ca = ClientSimulatorTests.NewCa("Interop Site CA");
            certificate = ClientSimulatorTests.Sign(ca, pem);
            issuer = ClientSimulatorTests.Pem(ca);
            Assert.True(certificate.Length > 206 && issuer.Length > 206);  // at 206 octets each file takes several writes and reads
            var installed = await provisioning.InstallAsync(peer.Address, port.Port, [issuer], certificate);
            Assert.True(installed.Ok, installed.ToString());
            for (var line = await ReadEventAsync(node); line != "activated"; line = await ReadEventAsync(node)) events.Add(line);
            var held = await provisioning.ReadFileAsync(peer.Address, ObjectId.File(4));
            Assert.Equal(certificate, held.Value.ToArray());
        }
        finally
        {
            if (!node.HasExited) node.Kill();
            await node.WaitForExitAsync();
        }
        Assert.Equal("", await node.StandardOutput.ReadToEndAsync());  // nothing after the activation: no read-back dropped or aborted
        Assert.Equal("", await node.StandardError.ReadToEndAsync());
        return (certificate, issuer);
    }

    private static async Task<string> ReadEventAsync(Process node) =>
        await node.StandardOutput.ReadLineAsync().WaitAsync(Waits.HangGuard)
            ?? throw new InvalidOperationException("the device ended before it activated");
}
