using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Simulator;
using Xunit;
using Xunit.Abstractions;

namespace CertLsp.Bacnet.Tests;

/// <summary>
/// Fuzzed datagrams over a real UDP socket on loopback (inside the test run's own network namespace) to a simulated device and
/// to the client's receive loop, while the client keeps asking the device for its name: no receive loop throws, memory stays
/// bounded, and afterwards both still work.
/// </summary>
[Collection(UdpCollection.Name)]
public class UdpFuzzTests(ITestOutputHelper output)
{
    [NeedsFact(Needs.Namespace)]
    public async Task Fuzzed_datagrams_to_a_device_and_to_the_client_stop_neither()
    {
        LoopbackNamespace.Require();
        const int datagrams = 20_000;
        var seed = Environment.GetEnvironmentVariable("CERTLSP_SEED") is { } s
            ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        var random = new Random(seed);
        var deviceAddress = BipEndpoint.Parse("127.0.13.2");
        await using var site = SimulatedSite.Start([new SimulatedDeviceSpec(13002, IPAddress.Parse("127.0.13.2"))],
            BipEndpoint.DefaultPort, null);
        await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.13.1", 0), null)
        {
            ApduTimeout =
            TimeSpan.FromMilliseconds(300), Retries = 1
        });
        using var fuzzer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        fuzzer.Bind(new IPEndPoint(IPAddress.Parse("127.0.13.3"), 0));
        var seeds = HostileInputTests.Seeds();
        var deviceName = ObjectId.Device(13002);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapBefore = GC.GetTotalMemory(true);
        using var stop = new CancellationTokenSource();
        int asked = 0, answered = 0;
        var asking = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var name = await client.ReadPropertyAsync(deviceAddress, deviceName, PropertyIdentifier.ObjectName);
                asked++;
                if (name.Ok) answered++;
            }
        });
        var watch = Stopwatch.StartNew();
        var toDevice = new IPEndPoint(IPAddress.Parse("127.0.13.2"), BipEndpoint.DefaultPort);
        var toClient = client.Local.ToIPEndPoint();
        for (var i = 0; i < datagrams; i++)
        {
            var packet = i % 10 == 0 ? HostileInputTests.RandomBytes(random)
                : HostileInputTests.Mutate(seeds[random.Next(seeds.Count)], random);
            fuzzer.SendTo(packet, i % 2 == 0 ? toDevice : toClient);
            if (i % 200 == 0) await Task.Delay(1);  // let the receive loops keep up rather than measure the socket buffers
        }
        await stop.CancelAsync();
        await asking;
        watch.Stop();

        // An answer after the fuzz: each receive loop takes its socket's datagrams in order, so the device has taken every
        // datagram sent to it before this request, and the client every one sent to it before this answer. The counts below
        // are complete once it is here; no sleep is needed to let the loops catch up.
        var name = await client.ReadPropertyAsync(deviceAddress, deviceName, PropertyIdentifier.ObjectName);
        Assert.True(name.Ok, name.ToString());
        Assert.Equal("SimDevice13002", ((BacnetValue.CharacterString)name.Value.Values[0]).Value);
        Assert.Equal(0, site.ReceiveFailures);
        Assert.Equal(0, client.ReceiveFailures);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var grown = GC.GetTotalMemory(true) - heapBefore;
        Assert.True(grown < 64 << 20, $"the heap grew by {grown >> 20} MB");
        Assert.True(answered > 0 && answered >= asked / 2, $"{answered} of {asked} ReadProperty answered during the fuzzing");
        Assert.True(site.MalformedReceived > datagrams / 20 && client.MalformedReceived > datagrams / 20,
            "most of the fuzz should be refused as malformed");
        output.WriteLine(
            $"seed {seed}: {datagrams} fuzzed datagrams in {watch.Elapsed.TotalSeconds:F1} s ({datagrams / 2} to the device, " +
            $"{datagrams / 2} to the client): " +
            $"device refused {site.MalformedReceived} as malformed, client {client.MalformedReceived} malformed and " +
                $"{client.UnmatchedAnswers} unmatched; " +
            $"{answered} of {asked} ReadProperty answered meanwhile; heap {grown / 1024} KiB larger; no receive loop threw");
    }
}
