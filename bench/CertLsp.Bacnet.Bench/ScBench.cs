using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Certificates;

/// <summary>
/// The BACnet/SC bench (bench/run-sc.sh): N nodes (CertLsp's <see cref="ScHubConnector"/>, each with its own P-256 certificate)
/// join CertLsp's hub (<see cref="ScHubHost"/>, Kestrel) with TLS 1.3 mutual authentication: the wall time until all are
/// connected, and the TLS handshake cost per node (one at a time: handshake + upgrade + Connect-Request/Accept; and the CPU
/// time of the whole join divided by N, hub and nodes being in this one process); then, with all N connected, the hub's relay
/// throughput: Encapsulated-NPDUs per second from one node to another through the hub. One process, 127.0.17.x, a loopback-only
/// namespace (Program.cs checks).
/// </summary>
internal static class ScBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        var relaySeconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var address = IPAddress.Parse("127.0.17.2");
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = CertificateIssuer.CreateRoot(new X500DistinguishedName("CN=SC Bench Root CA"), caKey,
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var issuer = new CertificateIssuer(root, caKey);
        var issuing = Stopwatch.StartNew();
        var hubCertificate = Issue(issuer, CertificateRole.Hub, "hub", [address.ToString()]);
        var nodeCertificates = Enumerable.Range(0, count + 2).Select(i => Issue(issuer, CertificateRole.Device, $"node-{i}", null))
            .ToArray();
        Console.WriteLine($"Certificates: {count + 3} P-256 (hub, {count + 2} nodes) issued in {issuing.Elapsed.TotalSeconds:0.00} s " +
            "(not part of the figures).");
        await using var host = await ScHubHost.StartAsync(new ScHubHostOptions(address, 0, hubCertificate,
            new ScPeerVerifier([root])));
        ScCertificateCheck verifyHub = new ScPeerVerifier([root]).CheckHub;
        ScConnectorOptions Options(X509Certificate2 certificate) => new()
        {
            PrimaryHub = host.Uri, Certificate = certificate, VerifyHub = verifyHub,
            ConnectWaitTimeout = TimeSpan.FromSeconds(60), MinimumReconnectTime = TimeSpan.FromSeconds(1),
            MaximumReconnectTime = TimeSpan.FromSeconds(5),
        };
        static bool Connected(ScHubConnector c) => c.State == ScHubConnectionStatus.ConnectedToPrimaryHub;

        // one at a time: the latency of one join (TLS 1.3 handshake with both certificates checked, upgrade, Connect-Accept)
        const int sequential = 20;
        var one = new List<double>();
        for (var i = 0; i < sequential; i++)
        {
            var watch = Stopwatch.StartNew();
            await using var node = new ScHubConnector(Options(nodeCertificates[i % nodeCertificates.Length]));
            if (!await node.WaitUntilAsync(Connected, TimeSpan.FromSeconds(60))) throw new InvalidOperationException("a join failed");
            one.Add(watch.Elapsed.TotalMilliseconds);
        }
        one.Sort();
        Console.WriteLine($"One node joining alone ({sequential} times): median {one[sequential / 2]:0.0} ms, " +
            $"min {one[0]:0.0} ms, max {one[^1]:0.0} ms");

        // all N at once
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var nodes = nodeCertificates.Take(count).Select(c => new ScHubConnector(Options(c))).ToArray();
        var joined = await Task.WhenAll(nodes.Select(n => n.WaitUntilAsync(Connected, TimeSpan.FromSeconds(120))));
        var joinSeconds = wall.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        var ok = joined.Count(j => j);
        Console.WriteLine($"{count} nodes joining at once: {ok} connected in {joinSeconds:0.00} s wall; CPU (hub and nodes, this " +
            $"process) {cpu / 1000:0.00} s = {cpu / count:0.00} ms per node; hub connections open: " +
            $"{host.Hub.Connections.Count(c => c.State == ScConnectionState.Connected)}; " +
            $"{nodes.Count(n => n.PrimaryStatus.Error is not null)} nodes had a failed try first");

        // relay throughput with everyone connected: node A → hub → node B, Encapsulated-NPDUs of a ReadProperty request
        await using var a = new ScHubConnector(Options(nodeCertificates[count]));
        await using var b = new ScHubConnector(Options(nodeCertificates[count + 1]));
        foreach (var n in new[] { a, b })
            if (!await n.WaitUntilAsync(Connected, TimeSpan.FromSeconds(60))) throw new InvalidOperationException("a relay node");
        var (sent, delivered, seconds) = await RelayAsync(a, b, relaySeconds);
        Console.WriteLine($"Relay through the hub ({count + 2} nodes connected): {Relayed(sent, delivered, seconds, b)}");

        var closing = Stopwatch.StartNew();
        await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        Console.WriteLine($"{count} nodes disconnected in order in {closing.Elapsed.TotalSeconds:0.00} s");
        Console.WriteLine();
        Console.WriteLine("certlsp verify of 1,000 devices: not measured here (see bench/sc-results.md).");
        return ok == count && delivered == sent ? 0 : 1;
    }

    private static readonly byte[] ReadPropertyNpdu = Convert.FromHexString("0204000f0c020004d2194d"); // RP device 1234 object-name

    /// <summary>Node <paramref name="a"/> sends Encapsulated-NPDUs (a ReadProperty request) to node <paramref name="b"/> through
    /// their hub for <paramref name="seconds"/>, at most 512 in flight (the connector's send queue holds 1024 and drops what does
    /// not fit); then waits up to 10 s for the rest. Returns sent, delivered and the seconds taken.</summary>
    public static async Task<(long Sent, long Delivered, double Seconds)> RelayAsync(ScHubConnector a, ScHubConnector b,
        double seconds)
    {
        long received = 0;
        void Count(ScMessage m)
        {
            if (m.Payload is ScPayload.EncapsulatedNpdu) Interlocked.Increment(ref received);
        }
        b.MessageReceived += Count;
        long sent = 0;
        var relay = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        while (relay.Elapsed < until)
        {
            if (sent - Interlocked.Read(ref received) < 512 && a.Send(ScMessages.NpduToHub(a.NextMessageId(), b.Vmac, ReadPropertyNpdu)))
                sent++;
            else await Task.Yield();
        }
        var deadline = Stopwatch.StartNew();
        while (Interlocked.Read(ref received) < sent && deadline.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(5);
        b.MessageReceived -= Count;
        return (sent, Interlocked.Read(ref received), relay.Elapsed.TotalSeconds);
    }

    public static string Relayed(long sent, long delivered, double seconds, ScHubConnector b) =>
        $"{sent} Encapsulated-NPDUs sent, {delivered} delivered in {seconds:0.00} s = {delivered / seconds:0} per second " +
        $"({ReadPropertyNpdu.Length}-octet NPDU, {BvlcSc.EncodedLength(ScMessages.NpduToHub(0, b.Vmac, ReadPropertyNpdu))} " +
        "octets to the hub)";

    private static X509Certificate2 Issue(CertificateIssuer issuer, CertificateRole role, string name, string[]? hosts)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = issuer.Issue(new X500DistinguishedName($"CN={name}"),
            new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).PublicKey, role, DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddDays(30), hosts);
        return issued.CopyWithPrivateKey(key);
    }
}
