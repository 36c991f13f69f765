using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Simulator;
using CertLsp.Cli.Commands;
using CertLsp.Core.Certificates;
using CertLsp.TestSupport;
using CertLsp.Workflows.Files;

/// <summary>
/// The BACnet/SC bench (bench/run-sc.sh), one process in a loopback-only namespace (Program.cs checks), hub at 127.0.17.2:
/// <list type="number">
/// <item>the TLS handshake cost alone, sequential, against CertLsp's hub (<see cref="ScHubHost"/>, Kestrel): a whole join
/// (<see cref="ScHubConnector"/>: TLS 1.3 with both certificates checked, WebSocket upgrade, Connect-Request/Accept), a TLS 1.3
/// handshake only by .NET's <see cref="SslStream"/>, and the peer: <c>openssl s_time -new -tls1_3 -verify 2</c> with the same client
/// certificate against the same hub;</item>
/// <item>N simulated SC-only devices (<see cref="SimulatedSite"/>, each with its own P-256 certificate and key) join the hub;</item>
/// <item><c>certlsp verify</c> of all N (<see cref="VerifyCommand.RunAsync"/>, the code the command runs, the tool joining as the
/// manifest names it), once with key.source: device (Who-Is, identity, hub status, Operational_Certificate_File of every device)
/// and once with key.source: local (the same and a handshake with every device's own key from the key store);</item>
/// <item>with all of them connected, the hub's relay throughput: Encapsulated-NPDUs per second from one node to another.</item>
/// </list>
/// </summary>
internal static class ScBench
{
    private const string Tool = "bench-tool";

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var relaySeconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var address = IPAddress.Parse("127.0.17.2");
        using var ca = new TestAuthority("SC Bench Root CA");
        var issuing = Stopwatch.StartNew();
        var hubCertificate = ca.Issue(CertificateRole.Hub, "hub", address.ToString());
        var devices = Enumerable.Range(0, count).Select(i => new ScSiteDevice($"dev-{i + 1:D4}", 100_001 + (uint)i,
            ca.Issue(CertificateRole.Device, $"dev-{i + 1:D4}.bms.test.example"))).ToList();
        var nodes = Enumerable.Range(0, 2).Select(i => ca.Issue(CertificateRole.Device, $"node-{i}")).ToArray();
        var tool = ca.Issue(CertificateRole.Tool, $"{Tool}.bms.test.example");
        Console.WriteLine($"Certificates: {count + 4} P-256 (hub, {count} devices, the tool, 2 relay nodes) issued in " +
            $"{issuing.Elapsed.TotalSeconds:0.00} s (not part of the figures).");
        await using var host = await ScHubHost.StartAsync(new ScHubHostOptions(address, 0, hubCertificate,
            new ScPeerVerifier([ca.PublicCertificate])));
        ScCertificateCheck verifyHub = new ScPeerVerifier([ca.PublicCertificate]).CheckHub;
        ScConnectorOptions Options(X509Certificate2 certificate) => new()
        {
            PrimaryHub = host.Uri, Certificate = certificate, VerifyHub = verifyHub,
            ConnectWaitTimeout = TimeSpan.FromSeconds(60), MinimumReconnectTime = TimeSpan.FromSeconds(1),
            MaximumReconnectTime = TimeSpan.FromSeconds(5),
        };
        static bool Connected(ScHubConnector c) => c.State == ScHubConnectionStatus.ConnectedToPrimaryHub;

        // 1. one at a time: the cost of one handshake, ours and OpenSSL's, against the same hub with the same client certificate
        const int sequential = 20;
        var one = new List<double>();
        for (var i = 0; i < sequential; i++)
        {
            var watch = Stopwatch.StartNew();
            await using var node = new ScHubConnector(Options(nodes[0]));
            if (!await node.WaitUntilAsync(Connected, TimeSpan.FromSeconds(60))) throw new InvalidOperationException("a join failed");
            one.Add(watch.Elapsed.TotalMilliseconds);
        }
        one.Sort();
        Console.WriteLine($"One node joining alone ({sequential} times): median {one[sequential / 2]:0.0} ms, " +
            $"min {one[0]:0.0} ms, max {one[^1]:0.0} ms (TLS 1.3 handshake, WebSocket upgrade, Connect-Request/Accept)");
        var handshakeSeconds = Math.Min(5, Math.Max(1, relaySeconds));
        var dotnet = await TlsHandshakesAsync(host.Uri, nodes[0], ca.PublicCertificate, handshakeSeconds);
        Console.WriteLine($"TLS 1.3 handshakes only, sequential, {handshakeSeconds:0} s: .NET SslStream (CertLsp's TLS) " +
            $"{dotnet.Count} = {dotnet.Count / dotnet.Seconds:0} per second, {1000 * dotnet.Seconds / dotnet.Count:0.00} ms each");
        var peer = OpenSslTime(host.Uri, nodes[0], ca.PublicCertificate, handshakeSeconds);
        Console.WriteLine(peer is { } p
            ? $"TLS 1.3 handshakes only, sequential, {handshakeSeconds:0} s: openssl s_time -new ({p.Version}) {p.Count} = " +
                $"{p.Count / p.Seconds:0} per second, {1000 * p.Seconds / p.Count:0.00} ms each; ratio CertLsp/OpenSSL per handshake " +
                $"{dotnet.Seconds / dotnet.Count / (p.Seconds / p.Count):0.00}"
            : "openssl s_time: not run (no openssl on PATH, or it failed)");

        // 2. the simulated site joins the hub
        using var tls = new TlsCounters();
        var (handshakesBefore, failedBefore) = await tls.SnapshotAsync();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var specs = devices.Select(d => new SimulatedDeviceSpec(d.Instance, IPAddress.Loopback)
        {
            Name = d.Name, ScOnly = true, InitialCertificate = d.Certificate,
        });
        await using var site = await SimulatedSite.StartAsync(specs, 47808, null, new SimulatedScOptions
        {
            Issuers = [ca.PublicCertificate], PrimaryHub = host.Uri,
            MinimumReconnectTime = TimeSpan.FromSeconds(1), MaximumReconnectTime = TimeSpan.FromSeconds(5),
        });
        var deadline = Stopwatch.StartNew();
        while (site.Devices.Any(d => d.HubConnector is not { State: ScHubConnectionStatus.ConnectedToPrimaryHub })
            && deadline.Elapsed < TimeSpan.FromSeconds(120))
            await Task.Delay(10);
        var joinSeconds = wall.Elapsed.TotalSeconds;
        process.Refresh();
        var joinCpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        var ok = site.Devices.Count(d => d.HubConnector is { State: ScHubConnectionStatus.ConnectedToPrimaryHub });
        var (handshakesAfter, failedAfter) = await tls.SnapshotAsync();
        Console.WriteLine($"{count} simulated SC devices joining at once: {ok} connected in {joinSeconds:0.00} s wall; CPU (hub and " +
            $"devices, this process) {joinCpu / 1000:0.00} s = {joinCpu / count:0.00} ms per device; hub connections open: " +
            $"{host.Hub.Connections.Count(c => c.State == ScConnectionState.Connected)}; TLS handshakes in this process (device and hub " +
            $"sides count one each): {handshakesAfter - handshakesBefore}, failed {failedAfter - failedBefore}");

        // 3. certlsp verify of all of them, as the command runs it: device-held keys, then local keys (a handshake each)
        var folder = Directory.CreateTempSubdirectory("certlsp-sc-bench-").FullName;
        try
        {
            var heldSite = ScSiteFiles.Write(Path.Combine(folder, "held"), "held.site.yaml", host.Uri, ca.PublicCertificate, devices,
                localKeys: false, tool, Tool);
            var localSite = ScSiteFiles.Write(Path.Combine(folder, "local"), "local.site.yaml", host.Uri, ca.PublicCertificate, devices,
                localKeys: true, tool, Tool);
            // the first run includes compiling the verify code (a new certlsp process pays it too); the others do not
            var cold = await VerifyAsync(heldSite, count, "key.source: device, first run", tls);
            var local = await VerifyAsync(localSite, count, "key.source: local", tls);
            var held = await VerifyAsync(heldSite, count, "key.source: device", tls);
            Console.WriteLine($"Handshake cost per device in verify (local keys minus device-held keys): " +
                $"{1000 * (local.Seconds - held.Seconds) / count:0.00} ms wall, {(local.CpuMs - held.CpuMs) / count:0.00} ms CPU");
            Console.WriteLine($"Join + verify of {count} devices: {joinSeconds + held.Seconds:0.00} s with device-held keys, " +
                $"{joinSeconds + local.Seconds:0.00} s with local keys (a handshake each); target under 10 s: " +
                $"{(joinSeconds + local.Seconds < 10 ? "met" : "NOT met")}");

            // 4. relay throughput with everyone connected: node A → hub → node B, Encapsulated-NPDUs of a ReadProperty request
            await using var a = new ScHubConnector(Options(nodes[0]));
            await using var b = new ScHubConnector(Options(nodes[1]));
            foreach (var n in new[] { a, b })
                if (!await n.WaitUntilAsync(Connected, TimeSpan.FromSeconds(60))) throw new InvalidOperationException("a relay node");
            var (sent, delivered, seconds) = await RelayAsync(a, b, relaySeconds);
            Console.WriteLine($"Relay through the hub ({count} devices and 2 nodes connected): {Relayed(sent, delivered, seconds, b)}");
            return ok == count && cold.Green == count && held.Green == count && local.Green == count && delivered == sent ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record Verified(double Seconds, double CpuMs, int Green);

    /// <summary><c>certlsp verify &lt;manifest&gt; --format json</c> in this process: its wall and CPU time, and how many devices
    /// joined the hub with their recorded certificate.</summary>
    private static async Task<Verified> VerifyAsync(string manifest, int count, string what, TlsCounters tls)
    {
        var (handshakesBefore, _) = await tls.SnapshotAsync();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var wall = Stopwatch.StartNew();
        int exit = await VerifyCommand.RunAsync(manifest, "json", 5, null, stdout, stderr, CancellationToken.None);
        var seconds = wall.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        var (handshakesAfter, _) = await tls.SnapshotAsync();
        int green = 0;
        if (exit is 0 or 1)
        {
            using var json = JsonDocument.Parse(stdout.ToString());
            green = json.RootElement.GetProperty("devices").EnumerateArray()
                .Count(d => d.GetProperty("result").GetString() == "joined");
        }
        Console.WriteLine($"certlsp verify, {what}: {green} of {count} devices verified green (joined with the recorded certificate) in " +
            $"{seconds:0.00} s wall; CPU {cpu / 1000:0.00} s = {cpu / count:0.00} ms per device; TLS handshakes " +
            $"{handshakesAfter - handshakesBefore}; exit {exit}" +
            (stderr.ToString().Trim() is { Length: > 0 } error ? $"; stderr: {error}" : ""));
        return new Verified(seconds, cpu, green);
    }

    /// <summary>TLS 1.3 handshakes (client certificate, hub certificate checked against the issuer), one after another for
    /// <paramref name="seconds"/>, by .NET's SslStream as CertLsp's connector makes them; no WebSocket, no BVLC-SC.</summary>
    private static async Task<(int Count, double Seconds)> TlsHandshakesAsync(Uri hub, X509Certificate2 client, X509Certificate2 issuer,
        double seconds)
    {
        var verifier = new ScPeerVerifier([issuer]);
        var watch = Stopwatch.StartNew();
        var done = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(hub.Host, hub.Port);
            await using var tls = new SslStream(tcp.GetStream(), false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = hub.Host,
                ClientCertificates = [client],
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is X509Certificate2 presented && verifier.Verify(presented, ScPeerRole.Hub, hub.Host) is null,
            });
            done++;
        }
        return (done, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The peer: <c>openssl s_time -new -tls1_3 -verify 2</c> (the hub's chain checked) with the same client certificate
    /// and key (written 0600 to a temporary folder, deleted after) against the same hub. Null when openssl is missing or fails.
    /// </summary>
    private static (int Count, double Seconds, string Version)? OpenSslTime(Uri hub, X509Certificate2 client, X509Certificate2 issuer,
        double seconds)
    {
        var folder = Directory.CreateTempSubdirectory("certlsp-sc-bench-tls-").FullName;
        try
        {
            var cert = Path.Combine(folder, "node.pem");
            var key = Path.Combine(folder, "node.key");
            var ca = Path.Combine(folder, "ca.pem");
            File.WriteAllText(cert, client.ExportCertificatePem() + "\n");
            File.WriteAllText(ca, issuer.ExportCertificatePem() + "\n");
            using (var ec = client.GetECDsaPrivateKey()!)
                AtomicFile.Write(key, System.Text.Encoding.ASCII.GetBytes(ec.ExportPkcs8PrivateKeyPem()), AtomicFile.OwnerOnly, false);
            // s_time counts whole real seconds only: its process's wall time, less the start-up of an openssl process, is the time
            var startup = Stopwatch.StartNew();
            var version = OpenSslRunner.Run("version").Output.Trim();
            var startupSeconds = startup.Elapsed.TotalSeconds;
            var wall = Stopwatch.StartNew();
            var (exit, output) = OpenSslRunner.Run("s_time", "-connect", $"{hub.Host}:{hub.Port}", "-new", "-tls1_3", "-cert", cert,
                "-key", key, "-CAfile", ca, "-verify", "2", "-time", ((int)seconds).ToString(CultureInfo.InvariantCulture));
            var elapsed = wall.Elapsed.TotalSeconds - startupSeconds;
            // "1234 connections in 0.38s; 402.63 connections/user sec, bytes read 0" (user CPU), "1234 connections in 5 real seconds"
            var match = Regex.Match(output, @"(\d+) connections in \d+ real seconds");
            if (exit != 0 || !match.Success) return null;
            var count = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return count == 0 ? null : (count, elapsed, version);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no openssl
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
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
}
