using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Certificates;
using CertLsp.Core.Checking;
using CertLsp.Devices;
using CertLsp.Workflows.Files;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp simulate [--devices N | --manifest FILE] --bind ADDR [--hub ADDR:PORT --ca-cert FILE --ca-key FILE [--sc-only]]</c>:
/// a site of simulated BACnet/SC-capable devices on loopback, many in one process, until Ctrl+C (or --duration). With a hub it is a
/// BACnet/SC site: the hub (certificate from the given CA) and devices that join it once they have an active certificate (at once
/// with --sc-only or --initial-certificates, which give each device a certificate from the CA for a key it holds in memory).
/// Loopback only: the simulator is a test site.
/// </summary>
public static class SimulateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var devices = new Option<int?>("--devices") { Description = "Simulate N devices (instances 1001...) at --bind, --bind + 1, ..." };
        var manifest = new Option<string?>("--manifest")
        {
            Description =
            "Simulate the devices of a site manifest (their instance, name and address)"
        };
        var bind = new Option<string>("--bind")
        {
            Description =
            "Loopback address of the first device (devices without an address in the manifest get the next ones)", Required = true
        };
        var port = new Option<int?>("--port") { Description = "UDP port (default: the manifest's bacnet.port, else 47808)" };
        var broadcast = new Option<string?>("--broadcast")
        {
            Description =
            "Broadcast address to listen on (default 127.255.255.255; loopback only)"
        };
        var command = new Option<int?>("--generate-csr-command")
        {
            Description =
            "The Network Port Command value the devices take as generate-csr-file: 8 or 9 (default: the manifest's, else alternating)"
        };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds (default: run until Ctrl+C)" };
        var maxApdu = new Option<int?>("--max-apdu")
        {
            Description =
            "Every device's Max APDU: 50, 128, 206, 480, 1024 or 1476 (default 1476)"
        };
        var segmentation = new Option<string?>("--segmentation")
        {
            Description =
            "Every device's segmentation support: both, transmit, receive or none (default both)"
        };
        var maxSegments = new Option<int?>("--max-segments") { Description = "Every device's Max_Segments_Accepted: 2..255 (default 255)" };
        var deviceLimits = new Option<string[]>("--device-limits")
        {
            Description =
                "One device's limits, repeatable: NAME_OR_INSTANCE=MAX_APDU[/SEGMENTATION[/MAX_SEGMENTS]], e.g. dev-0002=480/none",
            AllowMultipleArgumentsPerToken = false,
        };
        var hub = new Option<string?>("--hub")
        {
            Description = "Run a BACnet/SC hub at this loopback ADDRESS:PORT (default: the manifest's bacnet.secureConnect.primaryHub " +
                "when it is a 127.x address) and let the devices join it",
        };
        var caCert = new Option<string?>("--ca-cert") { Description = "The site's CA certificate (PEM) for an SC site" };
        var caKey = new Option<string?>("--ca-key")
        {
            Description = "The site's CA private key (PEM): issues the hub's certificate and the devices' initial ones",
        };
        var scOnly = new Option<bool>("--sc-only")
        {
            Description = "Devices without BACnet/IP: reached through the hub only (each starts with a certificate from the CA)",
        };
        var initial = new Option<bool>("--initial-certificates")
        {
            Description = "Give every device a certificate from the CA at start, so it joins the hub at once (implied by --sc-only)",
        };
        var cmd = new Command("simulate",
            "Run simulated BACnet/IP and BACnet/SC devices on loopback (Device, Network Port, File objects; CSR on command; " +
            "certificate checks; with --hub a BACnet/SC hub they join)")
        {
            devices, manifest, bind, port, broadcast, command, duration, maxApdu, segmentation, maxSegments, deviceLimits, hub, caCert,
            caKey, scOnly, initial,
        };
        cmd.SetAction((result, cancellationToken) => RunAsync(result.GetValue(devices), result.GetValue(manifest), result.GetValue(bind)!,
            result.GetValue(port),
            result.GetValue(broadcast), result.GetValue(command), result.GetValue(duration), stdout, stderr, cancellationToken,
            new SimulatedLimits(result.GetValue(maxApdu), result.GetValue(segmentation), result.GetValue(maxSegments),
                result.GetValue(deviceLimits) ?? []),
            new ScSiteArguments(result.GetValue(hub), result.GetValue(caCert), result.GetValue(caKey), result.GetValue(scOnly),
                result.GetValue(initial))));
        return cmd;
    }

    /// <summary>The options that make the simulated site a BACnet/SC site.</summary>
    public sealed record ScSiteArguments(string? Hub, string? CaCertificate, string? CaKey, bool ScOnly, bool InitialCertificates)
    {
        public static ScSiteArguments None { get; } = new(null, null, null, false, false);
    }

    /// <summary>The limits the simulated devices get: for all of them, and per device (by manifest name or instance).</summary>
    public sealed record SimulatedLimits(int? MaxApdu, string? Segmentation, int? MaxSegments, IReadOnlyList<string> PerDevice)
    {
        public static SimulatedLimits None { get; } = new(null, null, null, []);

        /// <summary>The specs with these limits applied; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
        public List<SimulatedDeviceSpec> Apply(List<SimulatedDeviceSpec> specs)
        {
            var all = specs.Select(s => With(s, MaxApdu, Segmentation, MaxSegments, "--max-apdu/--segmentation/--max-segments")).ToList();
            foreach (var text in PerDevice)
            {
                var (key, value) = text.Split('=', 2) is [var k, var v] ? (k.Trim(), v.Trim())
                    : throw new ArgumentException(
                    $"--device-limits \"{text}\": write NAME_OR_INSTANCE=MAX_APDU[/SEGMENTATION[/MAX_SEGMENTS]]");
                var index = all.FindIndex(s => s.Name == key || s.Instance.ToString(CultureInfo.InvariantCulture) == key);
                if (index < 0) throw new ArgumentException($"--device-limits \"{text}\": no simulated device is named or numbered {key}");
                var parts = value.Split('/');
                if (parts.Length > 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var apdu))
                    throw new ArgumentException(
                        $"--device-limits \"{text}\": write NAME_OR_INSTANCE=MAX_APDU[/SEGMENTATION[/MAX_SEGMENTS]]");
                int? segments = parts.Length > 2 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m
                    : parts.Length > 2 ? throw new ArgumentException(
                        $"--device-limits \"{text}\": max segments \"{parts[2]}\" is not a number") : null;
                all[index] = With(all[index], apdu, parts.Length > 1 ? parts[1] : null, segments, $"--device-limits \"{text}\"");
            }
            return all;
        }

        private static SimulatedDeviceSpec With(SimulatedDeviceSpec spec, int? maxApdu, string? segmentation, int? maxSegments,
            string givenAs)
        {
            var updated = spec with
            {
                MaxApdu = maxApdu ?? spec.MaxApdu,
                Segmentation = segmentation is null ? spec.Segmentation : ParseSegmentation(segmentation, givenAs),
                MaxSegments = maxSegments ?? spec.MaxSegments,
            };
            return updated.LimitsProblem() is { } problem ? throw new ArgumentException($"{givenAs}: {problem}") : updated;
        }

        private static Bacnet.Segmentation ParseSegmentation(string text, string givenAs) => text.ToLowerInvariant() switch
        {
            "both" => Bacnet.Segmentation.Both,
            "transmit" => Bacnet.Segmentation.Transmit,
            "receive" => Bacnet.Segmentation.Receive,
            "none" => Bacnet.Segmentation.None,
            _ => throw new ArgumentException($"{givenAs}: segmentation \"{text}\" is not both, transmit, receive or none"),
        };
    }

    public static async Task<int> RunAsync(int? count, string? manifestPath, string bind, int? port, string? broadcast, int? generateCsr,
        double? duration,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, SimulatedLimits? limits = null,
        ScSiteArguments? secureConnect = null)
    {
        secureConnect ??= ScSiteArguments.None;
        if ((count is null) == (manifestPath is null)) return Fail(stderr, "give either --devices N or --manifest FILE");
        if (!IPAddress.TryParse(bind, out var first) || !IsLoopback(first)) return Fail(stderr,
            $"--bind \"{bind}\" must be a loopback IPv4 address (127.x.x.x): the simulator never leaves the machine");
        var broadcastAddress = IPAddress.Parse("127.255.255.255");
        if (broadcast is not null && (!IPAddress.TryParse(broadcast, out broadcastAddress) || !IsLoopback(broadcastAddress)))
            return Fail(stderr, $"--broadcast \"{broadcast}\" must be a loopback address such as 127.255.255.255");
        if (generateCsr is not null and not (8 or 9)) return Fail(stderr, "--generate-csr-command must be 8 or 9");
        if (count is < 1 or > 60000) return Fail(stderr, "--devices must be 1..60000");

        List<SimulatedDeviceSpec> specs;
        int sitePort;
        try
        {
            (specs, sitePort) = manifestPath is not null ? FromManifest(manifestPath, first, port, generateCsr)
                : (FromCount(count!.Value, first, generateCsr), port ?? 47808);
            specs = (limits ?? SimulatedLimits.None).Apply(specs);
        }
        catch (Exception e) when (e is ManifestReadException or ArgumentException)
        {
            return Fail(stderr, e.Message);
        }
        if (specs.FirstOrDefault(s => !IsLoopback(s.Address)) is { } outside)
            return Fail(stderr,
                $"device {outside.EffectiveName} has address {outside.Address}, not loopback: the simulator only uses 127.x.x.x");
        if (specs.GroupBy(s => s.Address).FirstOrDefault(g => g.Count() > 1) is { } shared)
            return Fail(stderr, $"{shared.Count()} devices share the address {shared.Key}");

        IPEndPoint? hubEndpoint;
        try
        {
            hubEndpoint = HubEndpoint(secureConnect, manifestPath);
        }
        catch (Exception e) when (e is ManifestReadException or ArgumentException)
        {
            return Fail(stderr, e.Message);
        }
        if (hubEndpoint is null && (secureConnect.ScOnly || secureConnect.InitialCertificates || secureConnect.CaCertificate is not null
            || secureConnect.CaKey is not null))
            return Fail(stderr, "--sc-only, --initial-certificates, --ca-cert and --ca-key are for an SC site: give --hub ADDRESS:PORT");
        using var authority = hubEndpoint is null ? null : LoadAuthority(secureConnect, stderr);
        if (hubEndpoint is not null && authority is null) return Program.CouldNotRun;
        SimulatedScOptions? scOptions = null;
        if (hubEndpoint is not null)
        {
            var issuer = new CertificateIssuer(authority!.Certificate, authority.Key);
            var issuers = new[] { X509CertificateLoader.LoadCertificate(authority.Certificate.RawData) };
            scOptions = new SimulatedScOptions
            {
                Issuers = issuers,
                Hub = new ScHubHostOptions(hubEndpoint.Address, hubEndpoint.Port, IssueWithKey(issuer, "CertLsp simulated hub",
                    CertificateRole.Hub, [hubEndpoint.Address.ToString()]), new ScPeerVerifier(issuers)),
                Log = line => { lock (stderr) stderr.WriteLine(line); },
            };
            if (secureConnect.ScOnly || secureConnect.InitialCertificates)
                specs = [.. specs.Select(s => s with
                {
                    ScOnly = secureConnect.ScOnly,
                    InitialCertificate = IssueWithKey(issuer, s.CsrCommonName ?? s.EffectiveName, CertificateRole.Device, null),
                })];
        }
        SimulatedSite site;
        try
        {
            site = await SimulatedSite.StartAsync(specs, (ushort)sitePort, broadcastAddress, scOptions, cancellationToken);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return Fail(stderr, $"cannot start the site: {e.Message}");
        }
        await using var running = site;
        if (site.Hub is { } runningHub)
            stdout.WriteLine($"BACnet/SC hub {runningHub.Uri} (certificate from {authority!.Certificate.Subject}); the devices " +
                $"join it {(secureConnect.ScOnly || secureConnect.InitialCertificates ? "now" : "once a certificate is activated")}" +
                $"{(secureConnect.ScOnly ? ", over BACnet/SC only" : "")}.");
        stdout.WriteLine(
            $"Simulating {specs.Count} device(s) on UDP port {sitePort}, broadcast {broadcastAddress}. " +
            $"{(duration is null ? "Ctrl+C stops." : $"Stopping after {duration} s.")}");
        stdout.WriteLine($"{"INSTANCE",-9} {"ADDRESS",-16} {"CSR CMD",-7} {"MAX APDU",-8} {"SEGMENTATION",-12} NAME");
        foreach (var s in specs.Take(50))
            stdout.WriteLine(
                $"{s.Instance,-9} {s.Address,-16} {s.GenerateCsrCommand,-7} {s.MaxApdu,-8} " +
                $"{s.Segmentation.ToString().ToLowerInvariant(),-12} {s.EffectiveName}");
        if (specs.Count > 50) stdout.WriteLine($"... and {specs.Count - 50} more");
        stdout.Flush();
        try
        {
            await Task.Delay(duration is { } d ? TimeSpan.FromSeconds(d) : Timeout.InfiniteTimeSpan, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        stdout.WriteLine(
            $"Stopped. {site.MalformedReceived} malformed datagram(s) were dropped or rejected, {site.OversizedDropped} larger than a " +
            $"device's Max APDU dropped." + (site.Hub is null ? "" : $" {site.Devices.Count(d => d.HubConnector?.State is
                ScHubConnectionStatus.ConnectedToPrimaryHub or ScHubConnectionStatus.ConnectedToFailoverHub)} of {specs.Count} device(s) " +
                "were joined to a hub."));
        return Program.Ok;
    }

    /// <summary>Where the hub listens: --hub, else the manifest's primary hub when it is on loopback; null: no SC site. Throws
    /// <see cref="ArgumentException"/> for an address that is not 127.x or no port.</summary>
    private static IPEndPoint? HubEndpoint(ScSiteArguments arguments, string? manifestPath)
    {
        if (arguments.Hub is { } text)
        {
            if (!IPEndPoint.TryParse(text, out var endpoint) || endpoint.Port == 0 || text.LastIndexOf(':') < 0)
                throw new ArgumentException($"--hub \"{text}\" must be ADDRESS:PORT, e.g. 127.0.0.9:47443");
            return IsLoopback(endpoint.Address) ? endpoint
                : throw new ArgumentException($"--hub \"{text}\" must be a loopback IPv4 address (127.x.x.x): the simulated hub never " +
                    "listens on another interface");
        }
        if (manifestPath is null) return null;
        var manifest = ManifestDocument.Parse(manifestPath, ManifestFiles.Read(manifestPath)).Manifest;
        if (manifest?.Bacnet.SecureConnect?.PrimaryHub?.Value is not { } hubUri || !Uri.TryCreate(hubUri, UriKind.Absolute, out var uri)
            || !IPAddress.TryParse(uri.Host, out var address) || !IsLoopback(address))
            return null;
        return new IPEndPoint(address, uri.Port);
    }

    /// <summary>The site's CA from --ca-cert and --ca-key (null after saying why on stderr). The key stays in memory.</summary>
    private static SiteAuthority? LoadAuthority(ScSiteArguments arguments, TextWriter stderr)
    {
        if (arguments.CaCertificate is null || arguments.CaKey is null)
        {
            Fail(stderr, "an SC site needs its CA: give --ca-cert FILE and --ca-key FILE (PEM) to issue the hub's certificate");
            return null;
        }
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(arguments.CaCertificate, arguments.CaKey);
            AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
                ?? throw new CryptographicException("the CA key is neither ECDSA nor RSA");
            return new SiteAuthority(certificate, key);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Fail(stderr, $"cannot use the CA {arguments.CaCertificate} with the key {arguments.CaKey}: {e.Message}");
            return null;
        }
    }

    /// <summary>The site's CA certificate and its key, in memory for the run.</summary>
    private sealed class SiteAuthority(X509Certificate2 certificate, AsymmetricAlgorithm key) : IDisposable
    {
        public X509Certificate2 Certificate { get; } = certificate;
        public AsymmetricAlgorithm Key { get; } = key;

        public void Dispose()
        {
            Key.Dispose();
            Certificate.Dispose();
        }
    }

    /// <summary>A certificate of <paramref name="role"/> for a new P-256 key, the key attached in memory (never written).</summary>
    /// <summary>A certificate from <paramref name="issuer"/> for a key made here (held in memory, with the certificate).</summary>
    internal static X509Certificate2 IssueWithKey(CertificateIssuer issuer, string commonName, CertificateRole role,
        IReadOnlyList<string>? hubHosts)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = new CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).PublicKey;
        using var issued = issuer.Issue(new X500DistinguishedName($"CN={commonName.Replace(",", "\\,", StringComparison.Ordinal)}"),
            publicKey, role, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1), hubHosts);
        return issued.CopyWithPrivateKey(key);
    }

    private static bool IsLoopback(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
        && address.GetAddressBytes()[0] == 127;

    private static IPAddress Next(IPAddress address, int offset)
    {
        var b = address.GetAddressBytes();
        var value = ((uint)b[0] << 24 | (uint)b[1] << 16 | (uint)b[2] << 8 | b[3]) + (uint)offset;
        if (value >> 24 != 127) throw new ArgumentException("too many devices for the loopback range after --bind");
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }

    private static List<SimulatedDeviceSpec> FromCount(int count, IPAddress first, int? generateCsr) =>
        [.. Enumerable.Range(0, count).Select(i => new SimulatedDeviceSpec(1001 + (uint)i, Next(first, i)) { GenerateCsrCommand =
            (uint)(generateCsr ?? (i % 2 == 0 ? 8 : 9)) })];

    /// <summary>The simulated devices of a manifest (its instances, names, CNs and addresses) and the site's port.</summary>
    internal static (List<SimulatedDeviceSpec> Specs, int Port) FromManifest(string path, IPAddress first, int? port, int? generateCsr)
    {
        var site = ManifestSite.Load(path);
        var sitePort = port ?? site.Port;
        var specs = new List<SimulatedDeviceSpec>();
        var used = site.Devices.Where(d => d.Address is not null).Select(d => d.Address!.Address).ToHashSet();
        var nextFree = 0;
        uint nextInstance = 1001;
        var instances = site.Devices.Where(d => d.Instance is not null).Select(d => d.Instance!.Value).ToHashSet();
        foreach (var device in site.Devices)
        {
            var address = device.Address?.Address;
            if (device.Address is { } a && a.Port != sitePort) throw new ArgumentException(
                $"device {device.Name} uses port {a.Port}; the simulator runs every device on port {sitePort}");
            while (address is null)
            {
                var candidate = Next(first, nextFree++);
                if (used.Add(candidate)) address = candidate;
            }
            var instance = device.Instance;
            while (instance is null) { if (instances.Add(nextInstance)) instance = nextInstance; nextInstance++; }
            specs.Add(new SimulatedDeviceSpec(instance.Value, address)
            {
                Name = device.Name, CsrCommonName = device.CommonName, GenerateCsrCommand = (uint)(generateCsr ?? site.GenerateCsrCommand),
                SerialNumber = $"SN-{instance:D7}",
            });
        }
        return (specs, sitePort);
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"certlsp: {message}");
        return Program.CouldNotRun;
    }
}
