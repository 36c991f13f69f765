using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Certificates;

/// <summary>
/// Tools for the BACnet/SC conformance runs by hand against other stacks (docs/bacnet.md, "Conformance runs"), not tests:
/// <c>sc-probe</c> joins a hub as a CertLsp node and reads devices through it, <c>sc-hub</c> runs CertLsp's hub
/// (<see cref="ScHubHost"/>) until stopped, <c>sc-issue</c> signs a CSR as CertLsp's CA code does (so a strict peer judges the
/// certificates CertLsp issues; the key stays with whoever made the CSR). sc-probe and sc-hub run only in a loopback-only network
/// namespace (Program.cs checks). Certificates and keys are PEM files the caller made; nothing about a key is printed.
/// </summary>
internal static class ScTools
{
    private const string Usage =
        "usage: sc-probe --hub wss://HOST:PORT/ --cert node.pem --key node.key --issuer ca.pem [--device N] [--listen S] [--uuid U]\n" +
        "       sc-hub --bind 127.0.0.x:PORT --cert hub.pem --key hub.key --issuer ca.pem [--seconds S] [--debug]\n" +
        "       sc-relay --hub wss://HOST:PORT/ --cert node.pem --key node.key --issuer ca.pem [--seconds S]\n" +
        "       sc-issue --ca ca.pem --ca-key ca.key --csr node.csr --role device|hub|tool [--host 127.0.0.x] --out node.pem";

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected '{args[i]}'\n{Usage}");
            options[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
        }
        return options;
    }

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) && value.Length > 0 ? value : throw new ArgumentException($"--{name} is missing\n{Usage}");

    private static X509Certificate2 Credential(Dictionary<string, string> options) =>
        X509Certificate2.CreateFromPemFile(Required(options, "cert"), Required(options, "key"));

    private static X509Certificate2[] Issuers(Dictionary<string, string> options)
    {
        var issuers = new X509Certificate2Collection();
        issuers.ImportFromPemFile(Required(options, "issuer"));
        return [.. issuers];
    }

    /// <summary>sc-issue: signs a PKCS#10 CSR with <see cref="CertificateIssuer"/> for a role, valid from yesterday for 30 days.</summary>
    public static int Issue(string[] args)
    {
        var options = Options(args);
        using var ca = X509Certificate2.CreateFromPemFile(Required(options, "ca"), Required(options, "ca-key"));
        using var caKey = (System.Security.Cryptography.AsymmetricAlgorithm?)ca.GetECDsaPrivateKey() ?? ca.GetRSAPrivateKey()!;
        var role = Enum.Parse<CertificateRole>(Required(options, "role"), ignoreCase: true);
        var hosts = options.TryGetValue("host", out var h) ? new[] { h } : null;
        using var issued = new CertificateIssuer(ca, caKey).SignCsr(File.ReadAllText(Required(options, "csr")), role,
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), hosts);
        File.WriteAllText(Required(options, "out"), issued.ExportCertificatePem() + "\n");
        Console.WriteLine($"issued {issued.Subject} ({role}), serial {issued.SerialNumber}");
        return 0;
    }

    /// <summary>sc-probe: connect to the hub, Who-Is (all, or one instance), ReadProperty object-name of every device that answered.
    /// Exit code 0 when the node connected and every device found answered the read; 1 otherwise.</summary>
    public static async Task<int> ProbeAsync(string[] args)
    {
        var options = Options(args);
        var hub = new Uri(Required(options, "hub"));
        uint? device = options.TryGetValue("device", out var d) ? uint.Parse(d, CultureInfo.InvariantCulture) : null;
        var listen = TimeSpan.FromSeconds(options.TryGetValue("listen", out var l) ? double.Parse(l, CultureInfo.InvariantCulture) : 3);
        var connectorOptions = new ScConnectorOptions
        {
            PrimaryHub = hub,
            Certificate = Credential(options),
            VerifyHub = new ScPeerVerifier(Issuers(options)).CheckHub,
            DeviceUuid = options.TryGetValue("uuid", out var u) ? Guid.Parse(u) : Guid.NewGuid(),
            MinimumReconnectTime = TimeSpan.FromSeconds(1),
            MaximumReconnectTime = TimeSpan.FromSeconds(2),
        };
        await using var link = new ScDatalink(connectorOptions);
        var connected = await link.Connector.WaitUntilAsync(c => c.State != ScHubConnectionStatus.NoHubConnection
            || c.PrimaryStatus.State == ScConnectionState.FailedToConnect, TimeSpan.FromSeconds(15));
        Console.WriteLine($"node VMAC {link.Connector.Vmac}, Device UUID {link.Connector.DeviceUuid}");
        Console.WriteLine($"hub connector state: {link.Connector.State}; primary status: {link.Connector.PrimaryStatus}");
        if (!connected || link.Connector.State == ScHubConnectionStatus.NoHubConnection) return 1;
        Console.WriteLine($"max NPDU toward the hub: {link.Connector.MaxNpduLength}");

        await using var client = BacnetClient.Start(link, new BacnetClientOptions { ApduTimeout = TimeSpan.FromSeconds(5) });
        var found = await client.WhoIsAsync(new WhoIs(device, device), listen);
        Console.WriteLine($"Who-Is{(device is { } n ? $" {n}" : "")}: {found.Count} I-Am(s) in {listen.TotalSeconds:0.#} s");
        var failures = 0;
        foreach (var answer in found.OrderBy(f => f.Instance))
        {
            var read = await client.ReadPropertyAsync(answer.Address, ObjectId.Device(answer.Instance), PropertyIdentifier.ObjectName);
            Console.WriteLine($"  device {answer.Instance} at {answer.Address}: vendor {answer.Announcement.VendorId}, " +
                $"object-name {(read.Ok ? string.Join(", ", read.Value.Values) : $"FAILED: {read}")}");
            if (!read.Ok) failures++;
        }
        Console.WriteLine($"malformed received {client.MalformedReceived}, NAKs {link.Connector.NaksReceived}, " +
            $"messages sent {link.FramesSent}, received {link.FramesReceived}");
        return found.Count > 0 && failures == 0 ? 0 : 1;
    }

    /// <summary>sc-relay: two CertLsp nodes (the same certificate) join a hub, one sends Encapsulated-NPDUs to the other through
    /// it for the given seconds (default 5): the hub's relay throughput, for a hub that is not CertLsp's.</summary>
    public static async Task<int> RelayAsync(string[] args)
    {
        var options = Options(args);
        var seconds = options.TryGetValue("seconds", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : 5;
        var connector = new ScConnectorOptions
        {
            PrimaryHub = new Uri(Required(options, "hub")), Certificate = Credential(options),
            VerifyHub = new ScPeerVerifier(Issuers(options)).CheckHub,
        };
        await using var a = new ScHubConnector(connector);
        await using var b = new ScHubConnector(connector with { DeviceUuid = Guid.NewGuid() });
        foreach (var node in new[] { a, b })
        {
            if (await node.WaitUntilAsync(c => c.State != ScHubConnectionStatus.NoHubConnection, TimeSpan.FromSeconds(20))) continue;
            Console.WriteLine($"not connected: {node.PrimaryStatus}");
            return 1;
        }
        var (sent, delivered, took) = await ScBench.RelayAsync(a, b, seconds);
        Console.WriteLine($"Relay through {connector.PrimaryHub}: {ScBench.Relayed(sent, delivered, took, b)}");
        return delivered == sent ? 0 : 1;
    }

    /// <summary>sc-hub: CertLsp's hub on a 127.x address until the given seconds passed (or Ctrl-C); prints every new status
    /// of its connections.</summary>
    public static async Task<int> HubAsync(string[] args)
    {
        var options = Options(args);
        var bind = IPEndPoint.Parse(Required(options, "bind"));
        var seconds = options.TryGetValue("seconds", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : 600;
        await using var host = await ScHubHost.StartAsync(new ScHubHostOptions(bind.Address, bind.Port, Credential(options),
            new ScPeerVerifier(Issuers(options)))
        {
            Log = line => Console.Error.WriteLine(line), Debug = options.ContainsKey("debug"),
        });
        Console.WriteLine($"CertLsp hub listening at {host.Uri} (VMAC {host.Hub.Vmac}, Device UUID {host.Hub.DeviceUuid})");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        var printed = new HashSet<ScHubFunctionConnection>();
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(1), stop.Token); } catch (OperationCanceledException) { }
            foreach (var c in host.Hub.Connections.Where(printed.Add))
                Console.WriteLine($"  {c.PeerAddress} VMAC {c.PeerVmac} UUID {c.PeerUuid}: {c.State}" +
                    $"{(c.Error is { } e ? $" {e}: {c.ErrorDetails}" : "")}");
        }
        return 0;
    }
}
