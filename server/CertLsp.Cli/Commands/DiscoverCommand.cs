using System.CommandLine;
using System.Net;
using System.Text.Json;
using CertLsp.Bacnet;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Cli.Output;
using CertLsp.Devices;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Files;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp discover [--bind ADDR] [--broadcast ADDR] [--port N] [--manifest FILE] [--format text|json] [--timeout SECONDS]
/// [--datalink bip|sc]</c>:
/// Who-Is, then each device's identity and Network Ports; with --manifest, the devices it lacks and the differences. Over BACnet/SC
/// (<c>--datalink sc</c>, or the manifest's <c>tool.datalink: sc</c>) the Who-Is goes through the manifest's hub, as its tool.
/// The bind and broadcast addresses are never defaulted: they come from the options or the manifest.
/// </summary>
public static class DiscoverCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var bind = new Option<string?>("--bind") { Description = "Local IPv4 address to send from (never defaulted)" };
        var broadcast = new Option<string?>("--broadcast")
        {
            Description =
            "Directed broadcast address for Who-Is (default: the manifest's bacnet.broadcast)"
        };
        var port = new Option<int?>("--port") { Description = "BACnet/IP UDP port (default: the manifest's bacnet.port, else 47808)" };
        var manifest = new Option<string?>("--manifest")
        {
            Description =
            "Compare with this site manifest: devices it lacks, devices that did not answer, differences"
        };
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: text or json", DefaultValueFactory = _ =>
            "text"
        };
        format.AcceptOnlyFromAmong("text", "json");
        var timeout = new Option<double>("--timeout")
        {
            Description =
                $"Seconds to wait for I-Am answers, and that a device may take to answer each read (retries included: APDU timeout " +
                $"SECONDS/3, 2 retries); default {DeviceTimeout.DefaultSeconds:0}",
            DefaultValueFactory = _ => DeviceTimeout.DefaultSeconds,
        };
        var expect = new Option<int?>("--expect") { Description = "Stop waiting once this many devices answered" };
        var datalink = DeviceConnection.DatalinkOption();
        var command = new Command("discover", "Find BACnet devices: identity, Network Ports and certificate files; compare with a manifest")
        {
            bind, broadcast, port, manifest, format, timeout, expect, datalink,
        };
        command.SetAction((result, ct) => RunAsync(result.GetValue(bind), result.GetValue(broadcast), result.GetValue(port),
            result.GetValue(manifest),
            result.GetValue(format)!, result.GetValue(timeout), result.GetValue(expect), stdout, stderr, ct, result.GetValue(datalink)));
        return command;
    }

    public static async Task<int> RunAsync(string? bind, string? broadcast, int? port, string? manifestPath, string format, double timeout,
        int? expect,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, string? datalink = null)
    {
        ManifestSite? site = null;
        if (manifestPath is not null)
        {
            try { site = ManifestSite.Load(manifestPath); }
            catch (ManifestReadException e) { return Fail(stderr, e.Message); }
        }
        if (datalink == "sc" || (datalink is null && manifestPath is not null && ScTool(manifestPath)))
        {
            // Who-Is through the site's hub (the broadcast VMAC), as the tool of the manifest.
            if (manifestPath is null) return Fail(stderr,
                "--datalink sc needs --manifest: the hub and the tool's certificate come from it");
            if (DeviceTimeout.Check(timeout) is { } badWait) return Fail(stderr, badWait);
            return await ScToolRun.RunAsync(manifestPath, null, KeyStore.PassphraseFromEnvironment(), timeout,
                sc => DiscoverAsync(sc, site, format, timeout, expect, stdout, cancellationToken),
                why => Task.FromResult(Fail(stderr, why)), null, cancellationToken);
        }
        var sitePort = port ?? site?.Port ?? BipEndpoint.DefaultPort;
        if (bind is null) return Fail(stderr, "name the local address with --bind (it is never defaulted)");
        if (DeviceTimeout.Check(timeout) is { } badTimeout) return Fail(stderr, badTimeout);
        BacnetClient client;
        try
        {
            IPAddress? broadcastAddress = broadcast is null ? site?.Broadcast : BacnetConnection.Ipv4(broadcast, "--broadcast");
            if (broadcastAddress is null) return Fail(stderr,
                "name the broadcast address with --broadcast or bacnet.broadcast in the manifest (it is never defaulted)");
            client = BacnetConnection.ForDiscovery(BacnetConnection.Ipv4(bind, "--bind"), broadcastAddress, sitePort, timeout);
        }
        catch (BacnetSetupException e)
        {
            return Fail(stderr, e.Message);
        }
        await using (client)
        {
            return await DiscoverAsync(client, site, format, timeout, expect, stdout, cancellationToken);
        }
    }

    /// <summary>Whether the manifest's tool reaches the devices over BACnet/SC (“tool.datalink: sc”).</summary>
    private static bool ScTool(string manifestPath) =>
        File.Exists(manifestPath) && Core.Checking.ManifestDocument.Parse(manifestPath, File.ReadAllText(manifestPath)).Manifest is { } m
        && DeviceConnection.OverSc(null, m);

    private static async Task<int> DiscoverAsync(BacnetClient client, ManifestSite? site, string format, double timeout, int? expect,
        TextWriter stdout, CancellationToken cancellationToken)
    {
        var rows = await SiteDiscovery.RunAsync(client, TimeSpan.FromSeconds(timeout), expect, cancellationToken);
        var comparison = site is null ? null : DiscoveryComparison.Of(site, rows);
        if (format == "json") WriteJson(stdout, rows, comparison);
        else WriteText(stdout, rows, comparison, site);
        return comparison is { IsEmpty: false } ? Program.Findings : Program.Ok;
    }

    private static string Mac(byte[]? mac) => mac is null ? "-" : Convert.ToHexString(mac);

    private static string PortSummary(NetworkPortInfo p)
    {
        var type = p.NetworkType switch
        {
            NetworkType.Ipv4 => "ipv4",
            NetworkType.SecureConnect or NetworkType.SecureConnectLegacy =>
            "secure-connect", { } t => t.ToString().ToLowerInvariant(),
            null => "?"
        };
        var text = $"{p.Port.Instance}:{type} {Mac(p.MacAddress)}";
        if (p.CsrFile is { } csr) text += $" csr=file:{csr.Instance}";
        if (p.IssuerCertificateFiles.Count > 0)
            text += $" issuers=file:{string.Join(",", p.IssuerCertificateFiles.Select(f => f.Instance))}";
        if (p.OperationalCertificateFile is { } op) text += $" operational=file:{op.Instance}";
        return text;
    }

    private static void WriteText(TextWriter stdout, IReadOnlyList<DiscoveryRow> rows, DiscoveryComparison? comparison, ManifestSite? site)
    {
        stdout.WriteLine($"{rows.Count} device(s) answered.");
        if (rows.Count > 0)
        {
            stdout.WriteLine($"{"INSTANCE",-9} {"ADDRESS",-21} {"NAME",-20} {"VENDOR",-26} {"MODEL",-12} {"SERIAL",-12} NETWORK PORTS");
            foreach (var r in rows)
            {
                var i = r.Info;
                var ports = i is null ? $"(unreadable: {r.Failure})" : i.HasNoNetworkPort ? $"({DeviceInfo.NoNetworkPortRemark})"
                    : string.Join("; ", i.NetworkPorts.Select(PortSummary));
                stdout.WriteLine(
                    $"{r.Found.Instance,-9} {r.Found.Address,-21} {i?.ObjectName ?? "-",-20} {i?.VendorName ?? "-",-26} " +
                    $"{i?.ModelName ?? "-",-12} {i?.SerialNumber ?? "-",-12} {ports}");
                foreach (var problem in i?.Problems ?? default) stdout.WriteLine($"{"",-9} ! {problem}");
            }
        }
        if (comparison is null) return;
        stdout.WriteLine();
        if (comparison.IsEmpty)
        {
            stdout.WriteLine(
            $"Matches {site!.Path}: every device answered with the manifest's name and address."); return;
        }
        foreach (var m in comparison.Missing) stdout.WriteLine($"missing: {m}");
        foreach (var d in comparison.Differences) stdout.WriteLine($"differs: {d}");
        foreach (var n in comparison.NotInManifest) stdout.WriteLine($"not in manifest: {n}");
    }

    private static void WriteJson(TextWriter stdout, IReadOnlyList<DiscoveryRow> rows, DiscoveryComparison? comparison)
    {
        IndentedJson.WriteLine(stdout, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("devices");
            foreach (var r in rows)
            {
                json.WriteStartObject();
                json.WriteNumber("instance", r.Found.Instance);
                json.WriteString("address", r.Found.Address.ToString());
                json.WriteNumber("vendorId", r.Found.Announcement.VendorId);
                json.WriteNumber("maxApdu", r.Found.Announcement.MaxApduLength);
                WriteNullable(json, "objectName", r.Info?.ObjectName);
                WriteNullable(json, "vendorName", r.Info?.VendorName);
                WriteNullable(json, "modelName", r.Info?.ModelName);
                WriteNullable(json, "serialNumber", r.Info?.SerialNumber);
                if (r.Info?.HasNoNetworkPort == true) json.WriteString("remark", DeviceInfo.NoNetworkPortRemark);
                json.WriteStartArray("networkPorts");
                foreach (var p in r.Info?.NetworkPorts ?? default)
                {
                    json.WriteStartObject();
                    json.WriteNumber("instance", p.Port.Instance);
                    WriteNullable(json, "name", p.Name);
                    if (p.NetworkType is { } t) json.WriteNumber("networkType", (uint)t); else json.WriteNull("networkType");
                    WriteNullable(json, "macAddress", p.MacAddress is null ? null : Convert.ToHexString(p.MacAddress));
                    if (p.CsrFile is { } csr) json.WriteNumber("certificateSigningRequestFile", csr.Instance);
                    else json.WriteNull(
                        "certificateSigningRequestFile");
                    json.WriteStartArray("issuerCertificateFiles");
                    foreach (var f in p.IssuerCertificateFiles) json.WriteNumberValue(f.Instance);
                    json.WriteEndArray();
                    if (p.OperationalCertificateFile is { } op) json.WriteNumber("operationalCertificateFile",
                        op.Instance);
                    else json.WriteNull("operationalCertificateFile");
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("problems");
                foreach (var problem in r.Info?.Problems ?? default) json.WriteStringValue(problem);
                if (r.Failure is not null) json.WriteStringValue(r.Failure);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (comparison is not null)
            {
                json.WriteStartObject("manifest");
                WriteStrings(json, "missing", comparison.Missing);
                WriteStrings(json, "differences", comparison.Differences);
                WriteStrings(json, "notInManifest", comparison.NotInManifest);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        });
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name); else json.WriteString(name, value);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"certlsp: {message}");
        return Program.CouldNotRun;
    }
}
