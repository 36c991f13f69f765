using System.Collections.Immutable;
using System.Net;
using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Simulator;
using CertLsp.Bacnet.Transport;
using Xunit;
using Xunit.Abstractions;

namespace CertLsp.Bacnet.Tests;

/// <summary>
/// BACnet faults between CertLsp's client and a simulated device, injected by a <see cref="FaultyLink"/>: a device that stops
/// answering in the middle of a file transfer, duplicated and reordered answers, a late answer to an invoke id the client gave
/// up on, segments lost, doubled or swapped each way, and a device that restarts in the middle of an install. Each ends in the
/// right per-device verdict after a bounded number of attempts, counted on the link (no clock: a loaded machine changes times,
/// not counts).
/// </summary>
[Collection(UdpCollection.Name)]
public class FaultTests(ITestOutputHelper output)
{
    private static readonly ObjectId ScPort = ObjectId.NetworkPort(SimulatedDevice.ScPort);
    private static readonly ObjectId OperationalFile = ObjectId.File(SimulatedDevice.OperationalFile);
    private static readonly TimeSpan ApduTimeout = TimeSpan.FromMilliseconds(300);
    private const int Retries = 2;

    /// <summary>One simulated device behind a faulty link, and a client that talks to the link.</summary>
    private sealed class Rig(SimulatedSite site, FaultyLink link, BacnetClient client) : IAsyncDisposable
    {
        public SimulatedSite Site => site;
        public SimulatedDevice Device => site.Devices[0];
        public FaultyLink Link => link;
        public BacnetClient Client => client;
        public BacnetAddress Address => link.Address;

        public async ValueTask DisposeAsync()
        {
            await client.DisposeAsync();
            await link.DisposeAsync();
            await site.DisposeAsync();
        }
    }

    /// <summary>Device 127.0.9.n, the link at 127.0.10.n, the client at 127.0.12.n.</summary>
    private static Rig Start(int n, TimeSpan? segmentTimeout = null, TimeSpan? apduTimeout = null)
    {
        LoopbackNamespace.Require();
        var site = SimulatedSite.Start([new SimulatedDeviceSpec(9000 + (uint)n, IPAddress.Parse($"127.0.9.{n}"))], BipEndpoint.DefaultPort,
            null);
        var link = new FaultyLink(BipEndpoint.Parse($"127.0.10.{n}"), BipEndpoint.Parse($"127.0.11.{n}", 0),
            BipEndpoint.Parse($"127.0.9.{n}"));
        var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse($"127.0.12.{n}", 0), null)
        {
            ApduTimeout = apduTimeout ?? ApduTimeout, Retries = Retries, SegmentTimeout = segmentTimeout ?? TimeSpan.FromSeconds(2),
        });
        return new Rig(site, link, client);
    }

    private static byte[] Content(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Ascii(ImmutableArray<byte> bytes) => System.Text.Encoding.ASCII.GetString(bytes.AsSpan());

    /// <summary>A CSR from the device and a certificate for it from a new CA: what an install writes.</summary>
    private static async Task<(byte[] Issuer, byte[] Certificate)> SignedAsync(Rig rig, CertificateProvisioning provisioning)
    {
        var csr = await provisioning.GenerateAndReadCsrAsync(rig.Address, ScPort, rig.Device.Spec.GenerateCsrCommand);
        Assert.True(csr.Ok, csr.ToString());
        using var ca = ClientSimulatorTests.NewCa("Fault Test CA");
        return (ClientSimulatorTests.Pem(ca), ClientSimulatorTests.Sign(ca, Ascii(csr.Value.Content)));
    }

    private static Predicate<FaultyLink.Packet> Request(ConfirmedService service) => p => p.Is(ApduType.ConfirmedRequest, service);

    /// <summary>From the <paramref name="after"/>-th request of a kind on, the device hears nothing more of that kind.</summary>
    private static FaultyLink.Relay SilentAfter(Predicate<FaultyLink.Packet> kind, int after, Action dropped)
    {
        var seen = 0;
        return (p, forward) =>
        {
            if (kind(p) && Interlocked.Increment(ref seen) > after) { dropped(); return; }
            forward(p.Bytes);
        };
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_device_that_stops_answering_in_the_middle_of_a_csr_read_gives_a_timeout_after_bounded_retries()
    {
        await using var rig = Start(2);
        var provisioning = new CertificateProvisioning(rig.Client) { FileChunk = 100 };  // a CSR of ~500 bytes takes several reads
        var dropped = 0;
        rig.Link.ToDevice = SilentAfter(Request(ConfirmedService.AtomicReadFile), 2, () => Interlocked.Increment(ref dropped));
        var csr = await provisioning.GenerateAndReadCsrAsync(rig.Address, ScPort, rig.Device.Spec.GenerateCsrCommand);
        Assert.Equal(FailureKind.Timeout, csr.Failure?.Kind);
        Assert.Equal($"read File:1: no answer after {Retries + 1} attempt(s)", csr.Failure!.Detail);
        Assert.Equal(Retries + 1, Volatile.Read(ref dropped));  // the third chunk asked Retries + 1 times
        // Nothing more of it after the verdict: a request sent now reaches the device through the same link, in order, and
        // the third chunk was still asked only Retries + 1 times.
        rig.Link.ToDevice = (p, forward) =>
        {
            if (Request(ConfirmedService.AtomicReadFile)(p)) Interlocked.Increment(ref dropped);
            forward(p.Bytes);
        };
        Assert.True((await rig.Client.ReadPropertyAsync(rig.Address, ObjectId.Device(rig.Device.Spec.Instance),
            PropertyIdentifier.ObjectName)).Ok);
        Assert.Equal(Retries + 1, Volatile.Read(ref dropped));
        output.WriteLine($"CSR read stopped after 2 chunks: {csr.Failure}, {dropped} attempts at the third");
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_device_that_stops_answering_in_the_middle_of_a_segmented_answer_gives_a_timeout()
    {
        await using var rig = Start(3, segmentTimeout: TimeSpan.FromMilliseconds(300));
        var file = ObjectId.File(SimulatedDevice.IssuerFile1);
        var content = Content(20_000, 3);
        Assert.True((await rig.Client.AtomicWriteFileAsync(rig.Address, new AtomicWriteFileRequest(file, 0, [.. content]))).Ok);
        var dropped = 0;
        rig.Link.ToClient = SilentAfter(p => p.Apdu is { Type: ApduType.ComplexAck, Segmented: true }, 3, () =>
            Interlocked.Increment(ref dropped));
        var read = await rig.Client.AtomicReadFileAsync(rig.Address, new AtomicReadFileRequest(file, 0, 30_000));
        Assert.Equal(FailureKind.Timeout, read.Failure?.Kind);
        Assert.True(dropped > 0);
        output.WriteLine($"segmented answer stopped after 3 segments: {read.Failure}, {dropped} segments dropped");
    }

    [NeedsTheory(Needs.Namespace)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_device_that_stops_answering_in_the_middle_of_a_certificate_write_gives_a_timeout_and_discard_undoes(bool segmented)
    {
        await using var rig = Start(segmented ? 5 : 4, segmentTimeout: TimeSpan.FromMilliseconds(300));
        var provisioning = new CertificateProvisioning(rig.Client) { FileChunk = segmented ? 1400 : 200 };
        if (segmented) rig.Client.RememberMaxApdu(rig.Address, 480);  // each 1,400-byte write goes in 474-byte segments
        var certificate = Content(2_000, 4);
        var dropped = 0;
        rig.Link.ToDevice = segmented
            ? SilentAfter(p => p.Apdu is { Type: ApduType.ConfirmedRequest, Segmented: true }
                && p.Is(ApduType.ConfirmedRequest, ConfirmedService.AtomicWriteFile), 4, () => Interlocked.Increment(ref dropped))
            : SilentAfter(Request(ConfirmedService.AtomicWriteFile), 2, () => Interlocked.Increment(ref dropped));
        var installed = await provisioning.InstallAsync(rig.Address, ScPort, [], certificate);
        Assert.Equal(FailureKind.Timeout, installed.Failure?.Kind);
        Assert.Equal($"write File:4: no answer after {Retries + 1} attempt(s)", installed.Failure!.Detail);
        // Chunked, the third chunk was sent Retries + 1 times; segmented, each attempt lost at least one segment.
        if (segmented) Assert.True(Volatile.Read(ref dropped) >= Retries + 1, $"{dropped} segments dropped");
        else Assert.Equal(Retries + 1, Volatile.Read(ref dropped));
        Assert.True(rig.Device.ChangesPending);  // a partial certificate, never activated
        Assert.Null(rig.Device.ActiveCertificate);

        rig.Link.ToDevice = FaultyLink.Forward;  // the device answers again: discard-changes undoes the partial write
        Assert.True((await provisioning.DiscardChangesAsync(rig.Address, ScPort)).Ok);
        Assert.False(rig.Device.ChangesPending);
        Assert.Empty(rig.Device.FileContent(SimulatedDevice.OperationalFile));
        output.WriteLine($"{(segmented ? "segmented" : "chunked")} write stopped: {installed.Failure}, {dropped} datagrams dropped");
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Every_answer_twice_changes_nothing_for_a_whole_provisioning()
    {
        await using var rig = Start(6);
        var provisioning = new CertificateProvisioning(rig.Client) { FileChunk = 200 };
        var doubled = 0;
        rig.Link.ToClient = (p, forward) => { forward(p.Bytes); forward(p.Bytes); Interlocked.Increment(ref doubled); };
        var (issuer, certificate) = await SignedAsync(rig, provisioning);
        var installed = await provisioning.InstallAsync(rig.Address, ScPort, [issuer], certificate);
        Assert.True(installed.Ok, installed.ToString() + " / " + rig.Device.LastActivationProblem);
        Assert.Equal(certificate, rig.Device.FileContent(SimulatedDevice.OperationalFile));
        Assert.NotNull(rig.Device.ActiveCertificate);

        // a segmented answer whose every segment comes twice
        var file = ObjectId.File(SimulatedDevice.IssuerFile2);
        var content = Content(20_000, 6);
        Assert.True((await rig.Client.AtomicWriteFileAsync(rig.Address, new AtomicWriteFileRequest(file, 0, [.. content]))).Ok);
        var read = await rig.Client.AtomicReadFileAsync(rig.Address, new AtomicReadFileRequest(file, 0, 30_000));
        Assert.True(read.Ok, read.ToString());
        Assert.Equal(content, read.Value.Data.ToArray());
        Assert.True(doubled > 20, $"{doubled} answers doubled");
        Assert.True((await provisioning.DiscardChangesAsync(rig.Address, ScPort)).Ok);
        output.WriteLine($"{doubled} answers doubled; {rig.Client.UnmatchedAnswers} ignored by the client");
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Answers_to_concurrent_requests_in_reverse_order_each_reach_their_request()
    {
        await using var rig = Start(7);
        PropertyIdentifier[] properties =
        [
            PropertyIdentifier.ObjectName, PropertyIdentifier.VendorName, PropertyIdentifier.ModelName, PropertyIdentifier.SerialNumber,
            PropertyIdentifier.FirmwareRevision, PropertyIdentifier.ApplicationSoftwareVersion, PropertyIdentifier.ProtocolRevision,
                PropertyIdentifier.VendorIdentifier,
        ];
        var held = new List<byte[]>();
        var reordered = 0;
        rig.Link.ToClient = (p, forward) =>
        {
            lock (held)
            {
                if (reordered > 0) { forward(p.Bytes); return; }
                held.Add(p.Bytes);
                if (held.Count < properties.Length) return;
                for (var i = held.Count - 1; i >= 0; i--) forward(held[i]);
                reordered = held.Count;
            }
        };
        var device = ObjectId.Device(rig.Device.Spec.Instance);
        var answers = await Task.WhenAll(properties.Select(p => rig.Client.ReadPropertyAsync(rig.Address, device, p)));
        Assert.Equal(properties.Length, reordered);
        for (var i = 0; i < properties.Length; i++)
        {
            Assert.True(answers[i].Ok, answers[i].ToString());
            Assert.Equal(properties[i], answers[i].Value.Property);
        }
        Assert.Equal("SimDevice9007", ((BacnetValue.CharacterString)answers[0].Value.Values[0]).Value);
        Assert.Equal("SN-0009007", ((BacnetValue.CharacterString)answers[3].Value.Values[0]).Value);
        Assert.Equal(999UL, ((BacnetValue.Unsigned)answers[7].Value.Values[0]).Value);
    }

    /// <summary>
    /// The client gives up on a request (its answer is held back), makes 255 more requests to the same device (one byte of invoke
    /// ids later, its id would come round again), and then asks for another property; the held answer arrives just before the new
    /// request. It must not be taken for the answer: the given-up id is not reused while a late answer to it may come.
    /// </summary>
    [NeedsFact(Needs.Namespace)]
    public async Task A_late_answer_to_a_request_given_up_on_is_never_taken_for_a_new_request()
    {
        await using var rig = Start(8);
        var device = ObjectId.Device(rig.Device.Spec.Instance);
        byte[]? late = null;
        var lateInvokeId = -1;
        rig.Link.ToClient = (p, forward) =>
        {
            if (p.Apdu is { Type: ApduType.ComplexAck } a && ReadPropertyAck.Decode(p.ServiceData) is { Ok: true } ack
                && ack.Value.Property == PropertyIdentifier.VendorName)
            {
                late ??= p.Bytes;  // the answers to the request and its resends never reach the client in time
                lateInvokeId = a.InvokeId;
                return;
            }
            forward(p.Bytes);
        };
        var given = await rig.Client.ReadPropertyAsync(rig.Address, device, PropertyIdentifier.VendorName);
        Assert.Equal(FailureKind.Timeout, given.Failure?.Kind);
        for (var i = 0; i < 255; i++)
            Assert.True((await rig.Client.ReadPropertyAsync(rig.Address, device, PropertyIdentifier.ObjectIdentifier)).Ok);

        var newInvokeId = -1;
        rig.Link.ToDevice = (p, forward) =>
        {
            if (p.Is(ApduType.ConfirmedRequest, ConfirmedService.ReadProperty)
                && ReadPropertyRequest.Decode(p.ServiceData) is { Ok: true } r && r.Value.Property == PropertyIdentifier.ObjectName)
            {
                newInvokeId = p.Apdu!.Value.InvokeId;
                rig.Link.SendToClient(late!);  // the late answer first, then the new request goes on to the device
                FaultyLink.Later(p.Bytes, forward, TimeSpan.FromMilliseconds(50));
                return;
            }
            forward(p.Bytes);
        };
        var unmatched = rig.Client.UnmatchedAnswers;
        var name = await rig.Client.ReadPropertyAsync(rig.Address, device, PropertyIdentifier.ObjectName);
        Assert.True(name.Ok, name.ToString());
        Assert.Equal(PropertyIdentifier.ObjectName, name.Value.Property);
        Assert.Equal("SimDevice9008", ((BacnetValue.CharacterString)name.Value.Values[0]).Value);
        Assert.True(rig.Client.UnmatchedAnswers > unmatched, "the late answer reached the client and was ignored");
        Assert.NotEqual(lateInvokeId, newInvokeId);
        output.WriteLine($"late answer for invoke id {lateInvokeId} ignored; the new request used {newInvokeId}");
    }

    public enum SegmentFault { Lost, Doubled, Swapped }

    /// <summary>
    /// The same fault to the segments of a write (client to device, 474-byte segments) and of a read (device to client,
    /// 1,471-byte segments): one lost once, every one doubled, or two swapped once. The file arrives whole.
    /// </summary>
    [NeedsTheory(Needs.Namespace)]
    [InlineData(SegmentFault.Lost)]
    [InlineData(SegmentFault.Doubled)]
    [InlineData(SegmentFault.Swapped)]
    public async Task Segments_lost_doubled_or_swapped_are_recovered_both_ways(SegmentFault fault)
    {
        // A 20,000-byte transfer of 42 segments (84 when doubled) through the relay: on a loaded 2-core machine it can take longer
        // than the 300 ms the silent-device tests use, and this test is about the segments, not the timeout.
        await using var rig = Start(10 + (int)fault, apduTimeout: TimeSpan.FromSeconds(2));
        var faults = 0;
        FaultyLink.Relay Inject(ApduType type)
        {
            var done = false;
            byte[]? held = null;
            return (p, forward) =>
            {
                if (p.Apdu is not { Segmented: true } a || a.Type != type) { forward(p.Bytes); return; }
                switch (fault)
                {
                    case SegmentFault.Doubled:
                        forward(p.Bytes); forward(p.Bytes); Interlocked.Increment(ref faults);
                        return;
                    case SegmentFault.Lost when !done && a.SequenceNumber == 3:
                        done = true; Interlocked.Increment(ref faults);
                        return;
                    case SegmentFault.Swapped when !done && a.SequenceNumber == 4:
                        done = true; held = p.Bytes; Interlocked.Increment(ref faults);
                        FaultyLink.Later(p.Bytes, b => { if (Interlocked.Exchange(ref held, null) is { } h) forward(h); },
                            TimeSpan.FromMilliseconds(200));
                        return;
                    case SegmentFault.Swapped when a.SequenceNumber == 5:
                        forward(p.Bytes);
                        if (Interlocked.Exchange(ref held, null) is { } h) forward(h);
                        return;
                    default:
                        forward(p.Bytes);
                        return;
                }
            };
        }
        rig.Link.ToDevice = Inject(ApduType.ConfirmedRequest);
        rig.Link.ToClient = Inject(ApduType.ComplexAck);
        rig.Client.RememberMaxApdu(rig.Address, 480);
        var file = ObjectId.File(SimulatedDevice.IssuerFile1);
        var content = Content(20_000, 10 + (int)fault);
        var written = await rig.Client.AtomicWriteFileAsync(rig.Address, new AtomicWriteFileRequest(file, 0, [.. content]));
        Assert.True(written.Ok, written.ToString());
        Assert.Equal(content, rig.Device.FileContent(SimulatedDevice.IssuerFile1));
        var read = await rig.Client.AtomicReadFileAsync(rig.Address, new AtomicReadFileRequest(file, 0, 30_000));
        Assert.True(read.Ok, read.ToString());
        Assert.Equal(content, read.Value.Data.ToArray());
        Assert.True(faults >= 2, $"{faults} faults injected");
        output.WriteLine($"{fault}: {faults} segment faults, 20,000 bytes each way");
    }

    public enum RestartMoment { AfterTheCsr, InTheCertificateWrite, BeforeTheActivation }

    /// <summary>
    /// The device restarts during an install and loses what was pending: the install's verdict is a failure naming the step (never
    /// a success), the device holds no half-installed certificate, and a new provisioning (new CSR, new certificate) succeeds.
    /// </summary>
    [NeedsTheory(Needs.Namespace)]
    [InlineData(RestartMoment.AfterTheCsr)]
    [InlineData(RestartMoment.InTheCertificateWrite)]
    [InlineData(RestartMoment.BeforeTheActivation)]
    public async Task A_device_restarting_during_an_install_gets_the_right_verdict(RestartMoment moment)
    {
        await using var rig = Start(20 + (int)moment);
        var provisioning = new CertificateProvisioning(rig.Client) { FileChunk = 200 };
        var instance = rig.Device.Spec.Instance;
        var (issuer, certificate) = await SignedAsync(rig, provisioning);
        var downtime = TimeSpan.FromMilliseconds(200);
        void RestartOn(Predicate<FaultyLink.Packet> trigger) => rig.Link.ToDevice = (p, forward) =>
        {
            // the request is lost with the restart
            if (rig.Device.Restarts == 0 && trigger(p)) { _ = rig.Site.RestartAsync(instance, downtime); return; }
            forward(p.Bytes);
        };
        var writes = 0;
        switch (moment)
        {
            case RestartMoment.AfterTheCsr:
                await rig.Site.RestartAsync(instance, downtime);
                break;
            case RestartMoment.InTheCertificateWrite:
                RestartOn(p => p.Is(ApduType.ConfirmedRequest, ConfirmedService.AtomicWriteFile)
                    && AtomicWriteFileRequest.Decode(p.ServiceData).Value.File == OperationalFile
                    && Interlocked.Increment(ref writes) == 2);
                break;
            case RestartMoment.BeforeTheActivation:
                RestartOn(Request(ConfirmedService.ReinitializeDevice));
                break;
        }
        var installed = await provisioning.InstallAsync(rig.Address, ScPort, [issuer], certificate);
        Assert.False(installed.Ok, $"{moment}: a restart that dropped the pending certificate was reported as installed");
        Assert.Equal(1, rig.Device.Restarts);
        var failure = installed.Failure!;
        switch (moment)
        {
            case RestartMoment.AfterTheCsr:  // the pending key went with the restart: the device refuses a certificate for it
                Assert.StartsWith("ReinitializeDevice ACTIVATE_CHANGES", failure.Detail);
                Assert.Equal(ErrorCode.InvalidConfigurationData, failure.Error?.Code);
                Assert.Equal("the certificate's public key is not the device's key", rig.Device.LastActivationProblem);
                break;
            case RestartMoment.InTheCertificateWrite:  // the file was reset: the next chunk's position no longer exists
                Assert.StartsWith("write File:4", failure.Detail);
                Assert.Equal(ErrorCode.InvalidFileStartPosition, failure.Error?.Code);
                break;
            case RestartMoment.BeforeTheActivation:  // the device acknowledges an activation with nothing pending: only the file tells
                Assert.StartsWith("read File:4 after activation", failure.Detail);
                Assert.Contains("restart", failure.Detail);
                break;
        }
        output.WriteLine($"{moment}: {failure}");
        Assert.True((await provisioning.DiscardChangesAsync(rig.Address, ScPort)).Ok);
        Assert.Null(rig.Device.ActiveCertificate);
        Assert.Empty(rig.Device.FileContent(SimulatedDevice.OperationalFile));

        rig.Link.ToDevice = FaultyLink.Forward;
        var (issuer2, certificate2) = await SignedAsync(rig, provisioning);
        var again = await provisioning.InstallAsync(rig.Address, ScPort, [issuer2], certificate2);
        Assert.True(again.Ok, again.ToString() + " / " + rig.Device.LastActivationProblem);
        Assert.Equal(certificate2, rig.Device.FileContent(SimulatedDevice.OperationalFile));
        Assert.NotNull(rig.Device.ActiveCertificate);
    }
}
