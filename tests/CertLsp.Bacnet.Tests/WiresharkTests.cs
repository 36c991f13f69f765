using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Simulator;
using CertLsp.Bacnet.Transport;
using Xunit;
using Xunit.Abstractions;

namespace CertLsp.Bacnet.Tests;

/// <summary>
/// Wireshark's BACnet dissectors (tshark) decode every packet CertLsp sends - client and simulated devices - in a
/// session that uses every service, errors, rejects and segmentation both ways, with no malformed packet and no
/// expert error. The capture runs on lo inside the test run's own network namespace.
/// </summary>
[Collection(UdpCollection.Name)]
public class WiresharkTests(ITestOutputHelper output)
{
    private const string Hostile = "127.0.1.2";

    [NeedsFact(Needs.Namespace, Needs.Tshark)]
    public async Task TsharkDecodesEveryPacketCertLspSends()
    {
        LoopbackNamespace.Require();
        var pcap = Path.Combine(Path.GetTempPath(), $"certlsp-bacnet-{Environment.ProcessId}.pcapng");
        using (var capture = await Tshark.StartCaptureAsync(pcap))
        {
            await RunSessionAsync();
            await Task.Delay(300);
            capture.Stop();
        }
        try
        {
            var total = Tshark.Read(pcap, "bvlc && !(ip.src==" + Hostile + ")", "frame.number");
            var functions = Tshark.Read(pcap, "bvlc && !(ip.src==" + Hostile + ")", "bvlc.function").Distinct().Order().ToList();
            var apdus = Tshark.Read(pcap, "bacapp && !(ip.src==" + Hostile + ")", "bacapp.type");
            var problems = Tshark.Read(pcap, "!(ip.src==" + Hostile + ") && (_ws.malformed || _ws.expert.severity >= \"Warning\")",
                "frame.number", "_ws.expert.message", "_ws.col.info");
            output.WriteLine(
                $"{total.Count} BACnet/IP packets captured, {apdus.Count} with an APDU; APDU types: " +
                $"{string.Join(" ", apdus.Distinct().Order())}; BVLC functions: {string.Join(" ", functions)}");
            Assert.Empty(problems);
            // The same filter does flag the deliberately malformed request, so an empty result means something.
            Assert.NotEmpty(Tshark.Read(pcap, "ip.src==" + Hostile + " && (_ws.malformed || _ws.expert.severity >= \"Warning\")",
                "frame.number"));
            Assert.True(total.Count > 80, $"only {total.Count} packets captured");
            Assert.Equal(["0x05", "0x09", "0x0a", "0x0b"], functions);  // register-FD, distribute-broadcast, unicast, broadcast
            // every APDU type
            Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7"], apdus.SelectMany(a => a.Split(',')).Distinct().Order());
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    private static async Task RunSessionAsync()
    {
        await using var site = SimulatedSite.Start(SimulatedDeviceSpec.Loopback(5, 2001), BipEndpoint.DefaultPort,
            IPAddress.Parse(LoopbackNamespace.Broadcast));
        await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.1", 0),
            BipEndpoint.Parse(LoopbackNamespace.Broadcast))
        {
            ApduTimeout = TimeSpan.FromMilliseconds(500), Retries = 1,
        });
        await using var hostile = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse(Hostile, 0), null)
        {
            ApduTimeout =
            TimeSpan.FromMilliseconds(300), Retries = 0
        });
        var provisioning = new CertificateProvisioning(client);
        var found = await client.WhoIsAsync(new WhoIs(), TimeSpan.FromSeconds(2), 5);
        Assert.Equal(5, found.Count);
        await client.WhoIsAsync(WhoIs.Range(2002, 2003), TimeSpan.FromMilliseconds(300));
        foreach (var device in found) Assert.True((await DeviceInventory.ReadAsync(client, device.Address, device.Instance)).Ok);
        var first = found[0].Address;
        await client.ReadPropertyAsync(first, ObjectId.Device(2001), (PropertyIdentifier)58);                                   // error
        // array index
        await client.ReadPropertyAsync(first, ObjectId.Device(2001), PropertyIdentifier.ObjectList, 0);
        foreach (var obj in new[] { ObjectId.Device(2001), ObjectId.NetworkPort(1), ObjectId.NetworkPort(2), ObjectId.File(1) })
            // every property's encoding
            Assert.True((await client.ReadPropertyMultipleAsync(first, ReadPropertyMultipleRequest.Of(obj, PropertyIdentifier.All))).Ok);
        await client.ReadPropertyMultipleAsync(first, ReadPropertyMultipleRequest.Of(ObjectId.NetworkPort(2),
            // 3-byte ids, error entry
            PropertyIdentifier.ScPrimaryHubUri, PropertyIdentifier.MaxBvlcLengthAccepted, PropertyIdentifier.ChangesPending,
                (PropertyIdentifier)4194399));
        // reject (request excluded: deliberately malformed)
        await hostile.ConfirmedAsync(first, new ClientSimulatorTestsGarbage(), ReadPropertyAck.Decode);
        var sim = site[2001];
        var csr = await provisioning.GenerateAndReadCsrAsync(first, ObjectId.NetworkPort(2), sim.Spec.GenerateCsrCommand);
        Assert.True(csr.Ok, csr.ToString());
        var big = new byte[6000];
        RandomNumberGenerator.Fill(big);
        client.RememberMaxApdu(first, 480);
        // segmented request
        Assert.True((await client.AtomicWriteFileAsync(first, new AtomicWriteFileRequest(ObjectId.File(2), 0, [.. big]))).Ok);
        // segmented response
        Assert.True((await client.AtomicReadFileAsync(first, new AtomicReadFileRequest(ObjectId.File(2), 0, 6000))).Ok);
        client.RememberMaxApdu(first, 1476);
        // On 44818, a port Wireshark gives EtherNet/IP: what an ephemeral port sometimes is (see Tshark.EveryUdpPortAsBvlc).
        await using (var plain = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.3", 44818),
            null)
        { AcceptSegmentedResponses = false }))
            // abort
            Assert.Equal(FailureKind.Abort, (await plain.AtomicReadFileAsync(first,
                new AtomicReadFileRequest(ObjectId.File(2), 0, 6000))).Failure?.Kind);
        var installed = await provisioning.InstallAsync(first, ObjectId.NetworkPort(2), [big.AsMemory(0, 100)], big.AsMemory(0, 50));
        // activation refused
        Assert.Equal(ErrorCode.InvalidConfigurationData, installed.Failure?.Error?.Code);
        Assert.True((await provisioning.DiscardChangesAsync(first, ObjectId.NetworkPort(2))).Ok);
        Assert.Equal(ErrorCode.OptionalFunctionalityNotSupported,
            // error with a password
            (await client.ReinitializeDeviceAsync(first, new ReinitializeDeviceRequest(ReinitializedState.WarmStart,
                "secret"))).Failure?.Error?.Code);
        // A small device (Max APDU 206, no segmentation; unicast only): its limits read from its Device object, CSR, install and
        // read-backs in chunks that fill 206 octets exactly, and its abort of an answer it cannot segment.
        await using (var small = SimulatedSite.Start([new SimulatedDeviceSpec(2099, IPAddress.Parse("127.0.0.20")) { MaxApdu = 206,
            Segmentation = Segmentation.None }],
            BipEndpoint.DefaultPort, null))
        {
            BacnetAddress address = BipEndpoint.Parse("127.0.0.20");
            Assert.True((await DeviceInventory.ReadAsync(client, address, 2099)).Ok);
            var smallCsr = await provisioning.GenerateAndReadCsrAsync(address, ObjectId.NetworkPort(2), 8);
            Assert.True(smallCsr.Ok, smallCsr.ToString());
            using var ca = ClientSimulatorTests.NewCa("Capture CA");
            var done = await provisioning.InstallAsync(address, ObjectId.NetworkPort(2), [ClientSimulatorTests.Pem(ca)],
                ClientSimulatorTests.Sign(ca, System.Text.Encoding.ASCII.GetString(smallCsr.Value.Content.AsSpan())));
            Assert.True(done.Ok, done.ToString());
            Assert.Equal(AbortReason.SegmentationNotSupported,
                (await client.AtomicReadFileAsync(address, new AtomicReadFileRequest(ObjectId.File(4), 0, 1000))).Failure?.AbortReason);
            Assert.Equal(0, small.OversizedDropped);
        }
        // nobody there: only the packets matter
        var bbmd = BipEndpoint.Parse("127.0.1.30");
        await client.RegisterForeignDeviceAsync(bbmd, TimeSpan.FromMinutes(10));
        await client.WhoIsThroughBbmdAsync(WhoIs.Range(2001, 2001), bbmd, TimeSpan.FromMilliseconds(200));
    }

    private sealed record ClientSimulatorTestsGarbage : IConfirmedRequest
    {
        public ConfirmedService Service => ConfirmedService.ReadProperty;
        public void Encode(ref Encoding.BacnetWriter writer) => writer.WriteBytes([0x1c, 2, 0, 4]);  // 4-byte tag, 3 bytes present
    }
}

/// <summary>Runs tshark: a capture on lo, and field extraction from a capture file.</summary>
internal sealed class Tshark : IDisposable
{
    private readonly Process process;

    private Tshark(Process process) => this.process = process;

    public static async Task<Tshark> StartCaptureAsync(string file, string captureFilter = "udp port 47808")
    {
        var start = new ProcessStartInfo("tshark", ["-i", "lo", "-f", captureFilter, "-w", file, "-q"])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
            "tshark is required (apt-get install tshark; ./test.sh installs it)", e);
        }
        var ready = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Capturing on",
            StringComparison.Ordinal) == true) ready.TrySetResult();
        };
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(Waits.HangGuard);
        await Task.Delay(200);
        return new Tshark(process);
    }

    /// <summary>Stops the capture with SIGINT so the file is complete.</summary>
    public void Stop()
    {
        if (process.HasExited) return;
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(
            System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        if (!process.WaitForExit(10_000)) process.Kill();
    }

    public void Dispose()
    {
        Stop();
        process.Dispose();
    }

    /// <summary>
    /// Every UDP port decoded as BACnet/IP. A capture here holds only BACnet/IP (its filter is udp port 47808), but a client's
    /// ephemeral port is sometimes one Wireshark gives another protocol (44818 EtherNet/IP, 41170 Manolito, 47000 HCrt, …); tshark
    /// tries the lower port first and would report our BACnet as that protocol's malformed packet.
    /// </summary>
    public const string EveryUdpPortAsBvlc = "udp.port==1-65535,bvlc";

    /// <summary>Every TCP port decoded as HTTP (then WebSocket, then BACnet/SC), for a capture of one hub port: as above.</summary>
    public const string EveryTcpPortAsHttp = "tcp.port==1-65535,http";

    /// <summary>One line per packet matching <paramref name="filter"/> in a BACnet/IP capture, with the given fields separated by
    /// tabs.</summary>
    public static List<string> Read(string file, string filter, params string[] fields) =>
        ReadAs(file, EveryUdpPortAsBvlc, filter, fields);

    /// <summary>As <see cref="Read"/>, with a "decode as" rule (tshark -d, e.g. <c>tcp.port==8443,http</c>).</summary>
    public static List<string> ReadAs(string file, string? decodeAs, string filter, params string[] fields)
    {
        var args = new List<string> { "-r", file, "-Y", filter, "-T", "fields" };
        if (decodeAs is not null) { args.Add("-d"); args.Add(decodeAs); }
        foreach (var f in fields) { args.Add("-e"); args.Add(f); }
        var start = new ProcessStartInfo("tshark", args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute =
            false
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"tshark {string.Join(' ', args)} failed: {stderr}");
        return [.. stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
