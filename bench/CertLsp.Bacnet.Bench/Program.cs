using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Text.Json;
using CertLsp.Bacnet;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Simulator;

// Discovery + four identity properties of every device of a simulated site, then reading every device's CSR:
// CertLsp's client, then @bacnet-js/client (node bench/bacnet-js-client.mjs), against the same simulator in one run.
// Runs only inside a network namespace with nothing but loopback (bench/bacnet.sh creates it).

if (args.FirstOrDefault() == "sc-issue") return ScTools.Issue(args[1..]); // no network
var interfaces = NetworkInterface.GetAllNetworkInterfaces();
if (interfaces.Length != 1 || interfaces[0].NetworkInterfaceType != NetworkInterfaceType.Loopback)
{
    Console.Error.WriteLine("refusing to run: not in a loopback-only network namespace (use bench/bacnet.sh)");
    return 2;
}
switch (args.FirstOrDefault())
{
    case "sc-probe": return await ScTools.ProbeAsync(args[1..]);
    case "sc-hub": return await ScTools.HubAsync(args[1..]);
    case "sc-relay": return await ScTools.RelayAsync(args[1..]);
    case "sc": return await ScBench.RunAsync(args[1..]);
}
var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
var root = args.Length > 1 ? args[1] : Directory.GetCurrentDirectory();
const string broadcast = "127.255.255.255";

await using var site = SimulatedSite.Start(SimulatedDeviceSpec.Loopback(count), BipEndpoint.DefaultPort, IPAddress.Parse(broadcast));
Console.WriteLine($"Simulated site: {count} devices on 127.0.0.2 and up, port 47808.");

// Every device makes its CSR first (untimed for the comparison): both clients then read the same files.
var setup = Stopwatch.StartNew();
await using (var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.1", 0), BipEndpoint.Parse(broadcast))))
{
    var provisioning = new CertificateProvisioning(client) { PollInterval = TimeSpan.FromMilliseconds(10) };
    var csrs = 0;
    await Parallel.ForEachAsync(site.Devices, new ParallelOptions { MaxDegreeOfParallelism = 128 }, async (d, ct) =>
    {
        var csr = await provisioning.GenerateAndReadCsrAsync(d.Endpoint, ObjectId.NetworkPort(SimulatedDevice.ScPort),
            d.Spec.GenerateCsrCommand, ct);
        if (csr.Ok) Interlocked.Increment(ref csrs);
    });
    Console.WriteLine(
        $"Setup: {csrs} devices generated a key and CSR on command and CertLsp read it back, in {setup.Elapsed.TotalSeconds:F2} s.");
}

var list = Path.Combine(Path.GetTempPath(), $"bacnet-bench-{Environment.ProcessId}.json");
await File.WriteAllTextAsync(list, JsonSerializer.Serialize(
    site.Devices.Select(d => new object[] { d.Spec.Instance, d.Spec.Address.ToString() })));
var certlsp = await RunCertLspAsync(count, site.Devices);
Console.WriteLine($"CertLsp: {certlsp}");
var peer = await RunBacnetJsAsync(root, count, list);
File.Delete(list);
Console.WriteLine($"@bacnet-js/client: {peer}");
Console.WriteLine();
Console.WriteLine($"{"",-32} {"CertLsp",12} {"@bacnet-js/client",18}");
Row("devices discovered", certlsp.Found, peer.Found);
Row("Who-Is until all answered (s)", certlsp.Discovery, peer.Discovery);
Row("identity of every device (s)", certlsp.Identity, peer.Identity);
Row("discovery + identity (s)", certlsp.Discovery + certlsp.Identity, peer.Discovery + peer.Identity);
Row("devices with 4 identity values", certlsp.IdentityOk, peer.IdentityOk);
Row("read every CSR (s)", certlsp.Csr, peer.Csr);
Row("CSRs read (PEM)", certlsp.CsrOk, peer.CsrOk);
Console.WriteLine();
Console.WriteLine(
    $"Target: discovery + identity of {count} devices under 3 s: {(certlsp.Discovery + certlsp.Identity < 3 ? "met" : "NOT met")}; " +
    $"CertLsp {(certlsp.Discovery + certlsp.Identity < peer.Discovery + peer.Identity ? "faster" : "slower")} than the peer at discovery " +
        $"+ identity, " +
    $"{(certlsp.Csr < peer.Csr ? "faster" : "slower")} at reading CSRs. Simulator dropped {site.MalformedReceived} malformed datagram(s).");

// Provisioning end to end, as `certlsp csr --bind` and `install --bind` do it, on sites of small and large devices.
var provisioningCount = Math.Min(200, count);
Console.WriteLine();
Console.WriteLine(
    $"Provisioning {provisioningCount} devices end to end (inventory and limits, generate + read CSR, sign, write issuer and operational");
Console.WriteLine("certificate, read back, activate, read back), 64 devices at a time, one run:");
Console.WriteLine(
    $"{"Max APDU, segmentation",-24} {"provisioned",12} {"time (s)",9} {"ms per device",14} {"packets per device",19} {"dropped",8}");
foreach (var (maxApdu, segmentation, subnet) in new[] { (1476, Segmentation.Both, (byte)10), (480, Segmentation.None, (byte)20) })
{
    var p = await ProvisionAsync(provisioningCount, maxApdu, segmentation, subnet);
    Console.WriteLine(
        $"{$"{maxApdu}, {segmentation.ToString().ToLowerInvariant()}",-24} {$"{p.Done}/{p.Count}",12} {p.Seconds,9:0.00} " +
        $"{p.Seconds * 1000 / p.Count,14:0.0} {p.PacketsPerDevice,19:0.0} {p.Dropped,8}");
    if (p.FirstFailure is { } failure) Console.WriteLine($"  first failure: {failure}");
}
return 0;

static async Task<Provisioned> ProvisionAsync(int count, int maxApdu, Segmentation segmentation, byte subnet)
{
    var specs = Enumerable.Range(0, count).Select(i => new SimulatedDeviceSpec((uint)(subnet * 10_000 + i + 1),
        new IPAddress([127, subnet, (byte)((i + 2) >> 8), (byte)((i + 2) & 0xFF)]))
    {
        MaxApdu = maxApdu, Segmentation = segmentation, GenerateCsrCommand = 9, CsrCommonName = $"dev-{i + 1:D4}.bench.example",
    }).ToList();
    await using var site = SimulatedSite.Start(specs, BipEndpoint.DefaultPort, null);
    using var caKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
    var caRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Bench Site CA", caKey,
        System.Security.Cryptography.HashAlgorithmName.SHA256);
    caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0,
        true));
    using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    var issuer = System.Text.Encoding.ASCII.GetBytes(ca.ExportCertificatePem());
    await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.2", 0), null));
    var provisioning = new CertificateProvisioning(client) { PollInterval = TimeSpan.FromMilliseconds(10) };
    var done = 0;
    string? firstFailure = null;
    var before = site.Datagrams;
    var watch = Stopwatch.StartNew();
    await Parallel.ForEachAsync(specs, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (spec, ct) =>
    {
        CertLsp.Bacnet.Transport.BacnetAddress address = BipEndpoint.From(new IPEndPoint(spec.Address, BipEndpoint.DefaultPort));
        var info = await DeviceInventory.ReadAsync(client, address, spec.Instance, ct);  // learns the device's limits first
        if (!info.Ok) { Interlocked.CompareExchange(ref firstFailure, $"{spec.Instance} inventory: {info.Failure}", null); return; }
        var port = info.Value.NetworkPorts.First(p => p.CsrFile is not null).Port;
        var csr = await provisioning.GenerateAndReadCsrAsync(address, port, spec.GenerateCsrCommand, ct);
        if (!csr.Ok) { Interlocked.CompareExchange(ref firstFailure, $"{spec.Instance} CSR: {csr.Failure}", null); return; }
        var request = System.Security.Cryptography.X509Certificates.CertificateRequest.LoadSigningRequestPem(
            System.Text.Encoding.ASCII.GetString(csr.Value.Content.AsSpan()), System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30),
            [1, .. BitConverter.GetBytes(spec.Instance)]);
        var installed = await provisioning.InstallAsync(address, port, [issuer],
            System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()), null, ct);
        if (installed.Ok) Interlocked.Increment(ref done);
        else Interlocked.CompareExchange(ref firstFailure, $"{spec.Instance} install: {installed.Failure}", null);
    });
    var seconds = watch.Elapsed.TotalSeconds;
    return new Provisioned(count, done, seconds, (site.Datagrams - before) / (double)count, site.OversizedDropped, firstFailure);
}

static void Row(string name, double a, double b) => Console.WriteLine($"{name,-32} {a,12:0.###} {b,18:0.###}");

static async Task<Result> RunCertLspAsync(int count, IReadOnlyList<SimulatedDevice> devices)
{
    await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.1", 0), BipEndpoint.Parse(broadcast)));
    var watch = Stopwatch.StartNew();
    var found = await client.WhoIsAsync(new WhoIs(), TimeSpan.FromSeconds(5), count);
    var discovery = watch.Elapsed.TotalSeconds;
    watch.Restart();
    // The identity and CSR phases address the site's full device list (the peer gets the same list).
    var all = devices.Select(d => (Address: (CertLsp.Bacnet.Transport.BacnetAddress)d.Endpoint,
        Device: ObjectId.Device(d.Spec.Instance))).ToList();
    var identityOk = 0;
    await Parallel.ForEachAsync(all, new ParallelOptions { MaxDegreeOfParallelism = 255 }, async (d, ct) =>
    {
        var rpm = await client.ReadPropertyMultipleAsync(d.Address,
            ReadPropertyMultipleRequest.Of(d.Device, DeviceInventory.IdentityProperties), ct);
        if (rpm.Ok && rpm.Value.Results[0].Results.Count(r => r.Error is null && r.Values.Count == 1) == 4) Interlocked.Increment(
            ref identityOk);
    });
    var identity = watch.Elapsed.TotalSeconds;
    watch.Restart();
    var provisioning = new CertificateProvisioning(client);
    var csrOk = 0;
    await Parallel.ForEachAsync(all, new ParallelOptions { MaxDegreeOfParallelism = 255 }, async (d, ct) =>
    {
        var csr = await provisioning.ReadFileAsync(d.Address, ObjectId.File(SimulatedDevice.CsrFile), ct);
        if (csr.Ok && csr.Value.AsSpan().StartsWith("-----BEGIN CERTIFICATE REQUEST-----"u8)) Interlocked.Increment(ref csrOk);
    });
    return new Result(found.Count, discovery, identity, identityOk, watch.Elapsed.TotalSeconds, csrOk);
}

static async Task<Result> RunBacnetJsAsync(string root, int count, string list)
{
    var script = Path.Combine(root, "bench", "bacnet-js-client.mjs");
    var start = new ProcessStartInfo("node", [script, "--bind", "127.0.2.1", "--broadcast", broadcast, "--expect",
        count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--devices", list])
    {
        RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        WorkingDirectory = Path.Combine(root, "tests", "interop-bacnet"),
    };
    using var node = Process.Start(start)!;
    var stdout = await node.StandardOutput.ReadToEndAsync();
    var stderr = await node.StandardError.ReadToEndAsync();
    await node.WaitForExitAsync();
    if (node.ExitCode != 0) throw new InvalidOperationException($"bacnet-js benchmark failed: {stderr}");
    using var json = JsonDocument.Parse(stdout);
    var r = json.RootElement;
    return new Result(r.GetProperty("found").GetInt32(), r.GetProperty("discovery").GetDouble(), r.GetProperty("identity").GetDouble(),
        r.GetProperty("identityOk").GetInt32(), r.GetProperty("csr").GetDouble(), r.GetProperty("csrOk").GetInt32());
}

internal sealed record Provisioned(int Count, int Done, double Seconds, double PacketsPerDevice, long Dropped, string? FirstFailure);

internal sealed record Result(int Found, double Discovery, double Identity, int IdentityOk, double Csr, int CsrOk);
