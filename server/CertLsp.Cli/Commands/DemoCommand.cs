using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Simulator;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp demo</c>: the main job on the bundled example sites, on loopback. Checks every manifest in examples/, then works on
/// temporary copies (nothing lands in the repository): for examples/riverside-campus (local keys) CSRs with keys made here, a throwaway
/// demo CA signing them, the import and the status table; for examples/lakeside-plant (key.source: device) a simulated site of its
/// devices started in this process on 127.0.0.2 and up (broadcast 127.255.255.255; never a real interface), discovery, check, the
/// devices' own CSRs read over BACnet, the demo CA signing them, the import installing each certificate on its device, and status;
/// the simulated site runs a BACnet/SC hub (127.0.0.9, its certificate from the demo CA) that the devices join with their new
/// certificates, and <c>certlsp verify</c> connects as the commissioning tool (its certificate requested and imported with the
/// devices') and checks every device joined.
/// </summary>
public static class DemoCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var folder = new Option<string?>("--examples")
        {
            Description =
            "The examples folder (default: the repository's examples/, else the one installed beside the tool)"
        };
        var command = new Command("demo",
            "Run the whole job on the bundled example sites, on loopback: check, CSRs (local and device-held keys), a throwaway CA, " +
            "import, install on simulated devices, status, verify that they joined a BACnet/SC hub") { folder };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(folder), stdout, stderr, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string? examples, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken =
        default)
    {
        examples ??= FindExamples();
        if (examples is null)
        {
            stderr.WriteLine("certlsp: cannot find the examples folder; pass --examples DIR");
            return Program.CouldNotRun;
        }
        foreach (var site in Directory.GetDirectories(examples).Order(StringComparer.Ordinal))
        {
            stdout.WriteLine($"== certlsp check {Output.DisplayPath.For(site)}");
            CheckCommand.Run([site], "text", stdout, stderr);
            stdout.WriteLine();
        }
        stdout.WriteLine("The demo checked every example site. Sites with findings show what CertLsp catches before a CA sees it.");
        stdout.WriteLine();
        int local = await OnACopyAsync(Path.Combine(examples, "riverside-campus"), stdout, stderr, m =>
            LocalKeysAsync(m, stdout, stderr, cancellationToken)).ConfigureAwait(false);
        if (local != Program.Ok) return local;
        return await OnACopyAsync(Path.Combine(examples, "lakeside-plant"), stdout, stderr, m =>
            DeviceKeysAsync(m, stdout, stderr, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The local address the demo talks BACnet/IP from (the simulated devices are at 127.0.0.2 and up).</summary>
    private const string Client = "127.0.0.1";

    private static readonly IPAddress Broadcast = IPAddress.Parse("127.255.255.255");

    /// <summary>The simulated BACnet/SC hub of the device-key site (a TCP port the system picks).</summary>
    private static readonly IPAddress HubAddress = IPAddress.Parse("127.0.0.9");

    /// <summary>The commissioning tool the demo's copy of the device-key site names in bacnet.secureConnect.tool.</summary>
    private const string ToolName = "certlsp-tool";

    /// <summary>Seconds verify waits for I-Am answers through the hub and for each read.</summary>
    private const double VerifyTimeout = 2;

    /// <summary>Runs <paramref name="steps"/> on a temporary copy of a clean example site (its one manifest), removed at the end.</summary>
    private static async Task<int> OnACopyAsync(string example, TextWriter stdout, TextWriter stderr, Func<string, Task<int>> steps)
    {
        var manifests = Directory.Exists(example) ? Directory.GetFiles(example, "*.site.yaml") : [];
        if (manifests.Length != 1)
        {
            stderr.WriteLine($"certlsp: the demo needs one manifest in {example}");
            return Program.CouldNotRun;
        }
        string work = Path.Combine(Path.GetTempPath(), "certlsp-demo-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            CopyFolder(example, work);
            stdout.WriteLine($"== a copy of {Path.GetFileName(example)} in {work} (removed at the end)");
            stdout.WriteLine();
            return await steps(Path.Combine(work, Path.GetFileName(manifests[0]))).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"certlsp: could not remove {work}: {ex.Message}");
            }
        }
    }

    /// <summary>The demo CA signs the copy's CSR zips; its certificate becomes ca/site-issuer.pem, as the examples' ca.issuers say. Returns
    /// the answer zip.</summary>
    private static string Sign(DemoAuthority ca, string manifest, int validDays, TextWriter stdout)
    {
        string work = Path.GetDirectoryName(manifest)!;
        string issuer = Path.Combine(work, "ca", "site-issuer.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(issuer)!);
        File.WriteAllText(issuer, ca.Pem);
        string answer = Path.Combine(work, "signed-by-demo-ca.zip");
        int signed = ca.SignZips(Directory.GetFiles(work, Workflows.Requests.CsrZip.Prefix + "*.zip").Order(StringComparer.Ordinal),
            answer, validDays);
        stdout.WriteLine(
            $"== a throwaway demo CA (made in memory) signed {signed} CSRs into {Path.GetFileName(answer)} ({validDays}-day " +
            $"certificates); its certificate is ca/site-issuer.pem, as the manifest's ca.issuers says");
        stdout.WriteLine();
        return answer;
    }

    /// <summary>Local keys: CSRs with keys made here, the demo CA, import (bundles), status, check with the ledger.</summary>
    private static async Task<int> LocalKeysAsync(string manifest, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        stdout.WriteLine("== certlsp csr (local keys: each device's key pair and CSR made here; keys stay in an owner-only folder)");
        var options = new Workflows.Requests.CsrRequestOptions { Passphrase = KeyStore.PassphraseFromEnvironment() };
        int csr = await CsrCommand.RunAsync(manifest, options, bind: null, stdout, stderr,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (csr != Program.Ok) return csr;
        stdout.WriteLine();

        using var ca = new DemoAuthority();
        string answer = Sign(ca, manifest, 20, stdout);

        stdout.WriteLine($"== certlsp import {Path.GetFileName(manifest)} {Path.GetFileName(answer)}");
        int import = await ImportCommand.RunAsync(manifest, answer,
            new ImportOptions { Passphrase = KeyStore.PassphraseFromEnvironment() }, stdout, stderr,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (import != Program.Ok) return import;
        stdout.WriteLine();

        stdout.WriteLine(
            $"== certlsp status {Path.GetFileName(manifest)} (the demo CA issued 20-day certificates, inside the 30-day warning window)");
        int status = StatusCommand.Run(manifest, "text", DateTimeOffset.UtcNow, stdout, stderr);
        stdout.WriteLine();
        stdout.WriteLine(
            $"== certlsp check {Path.GetFileName(manifest)} (now with its ledger: the certificates expire within the warning window)");
        CheckCommand.Run([manifest], "text", stdout, stderr);
        stdout.WriteLine();
        stdout.WriteLine("The demo requested, signed and imported a certificate for every device of the site with local keys.");
        stdout.WriteLine();
        await ReviewARenameAsync(manifest, stdout, stderr).ConfigureAwait(false);
        return status;
    }

    /// <summary>A change a reviewer would see: the first device renamed after its certificate was issued, reviewed as markdown.</summary>
    private static async Task ReviewARenameAsync(string manifest, TextWriter stdout, TextWriter stderr)
    {
        string before = Path.Combine(Path.GetDirectoryName(manifest)!, "before", Path.GetFileName(manifest));
        Directory.CreateDirectory(Path.GetDirectoryName(before)!);
        File.Copy(manifest, before);
        File.Copy(Workflows.Ledger.LedgerFile.PathFor(manifest), Workflows.Ledger.LedgerFile.PathFor(before));
        string text = File.ReadAllText(manifest);
        int name = text.IndexOf("  - name: ", StringComparison.Ordinal) + "  - name: ".Length;
        int end = text.IndexOfAny(['\r', '\n'], name);
        File.WriteAllText(manifest, text[..end] + "-NEW" + text[end..]);
        stdout.WriteLine(
            $"== certlsp review before/{Path.GetFileName(manifest)} {Path.GetFileName(manifest)} --format markdown (the first device " +
            $"renamed after its certificate was issued)");
        await ReviewCommand.RunAsync([before, manifest], null, null, "markdown", "none", DateTimeOffset.UtcNow, stdout, stderr,
            relativeTo: Path.GetDirectoryName(manifest)).ConfigureAwait(false);
        stdout.WriteLine();
    }

    /// <summary>
    /// Device-held keys on a simulated site: discover, check, the devices' CSRs over BACnet, the demo CA, import installing each
    /// certificate on its device, what the devices now hold, status.
    /// </summary>
    private static async Task<int> DeviceKeysAsync(string manifest, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        string name = Path.GetFileName(manifest);
        var (specs, port) = SimulateCommand.FromManifest(manifest, IPAddress.Parse("127.0.0.2"), null, null);
        if (specs.FirstOrDefault(s => s.Address.GetAddressBytes()[0] != 127) is { } outside)
        {
            stderr.WriteLine(
                $"certlsp: the demo simulates devices on loopback only; {outside.EffectiveName} has the address {outside.Address}");
            return Program.CouldNotRun;
        }
        string range = $"{specs[0].Address}–{specs[^1].Address}";
        using var ca = new DemoAuthority();
        var issuers = new[] { X509CertificateLoader.LoadCertificate(ca.Certificate.RawData) };
        using var hubCertificate = ca.IssueHub(HubAddress);
        var secureConnect = new SimulatedScOptions
        {
            Issuers = issuers,
            Hub = new ScHubHostOptions(HubAddress, 0, hubCertificate, new ScPeerVerifier(issuers)),
            MinimumReconnectTime = TimeSpan.FromSeconds(1),
        };
        SimulatedSite site;
        try
        {
            site = await SimulatedSite.StartAsync(specs, (ushort)port, Broadcast, secureConnect, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
        {
            stderr.WriteLine(
                $"certlsp: the demo could not bind its simulated devices to {range} (UDP port {port}) and {Broadcast}, or its hub to " +
                $"{HubAddress}: {e.Message}.");
            stderr.WriteLine(
                "certlsp: the demo needs the loopback addresses 127.0.0.2 and up (on Linux every 127.x address is loopback; elsewhere " +
                "add them as loopback aliases) and the port free (is a `certlsp simulate` running?). Nothing was sent.");
            return Program.CouldNotRun;
        }
        try
        {
            stdout.WriteLine(
                $"== a simulated site in this process: the {specs.Count} devices of {name} at {range}, UDP port {port}, broadcast " +
                $"{Broadcast} (loopback only); each makes its own key pair");
            stdout.WriteLine(
                $"   and a BACnet/SC hub at {site.Hub!.Uri} (its certificate from the demo CA) that the devices join once they hold an " +
                "active certificate");
            stdout.WriteLine();

            stdout.WriteLine(
                $"== certlsp discover --bind {Client} --manifest {name} (Who-Is on {Broadcast}, then each device's identity and Network " +
                $"Ports)");
            int discover = await DiscoverCommand.RunAsync(Client, null, null, manifest, "text", 2, specs.Count, stdout, stderr,
                cancellationToken).ConfigureAwait(false);
            if (discover != Program.Ok) return discover;
            stdout.WriteLine();

            stdout.WriteLine($"== certlsp check {name}");
            if (CheckCommand.Run([manifest], "text", stdout, stderr) is var check && check != Program.Ok) return check;
            stdout.WriteLine();

            string hub = $"wss://{HubAddress}:{site.Hub.Uri.Port}";
            AddSecureConnect(manifest, hub);
            stdout.WriteLine(
                $"== the copy of {name} gets a bacnet.secureConnect section: primaryHub {hub} (the simulated hub) and the commissioning " +
                $"tool {ToolName}, whose certificate is requested and imported with the devices'");
            stdout.WriteLine();

            stdout.WriteLine(
                $"== certlsp csr {name} --bind {Client} (key.source: device: each device generates its key pair and CSR on command; the " +
                $"CSR is read over BACnet, no key is written here)");
            int csr = await CsrCommand.RunAsync(manifest,
                new Workflows.Requests.CsrRequestOptions { Passphrase = KeyStore.PassphraseFromEnvironment() }, Client, stdout, stderr,
                cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            if (csr != Program.Ok) return csr;
            stdout.WriteLine();

            string answer = Sign(ca, manifest, 90, stdout);

            stdout.WriteLine(
                $"== certlsp import {name} {Path.GetFileName(answer)} --bind {Client} (verify and record, then install on each device: " +
                $"issuer, operational certificate, read back, activate)");
            int import = await ImportCommand.RunAsync(manifest, answer,
                new ImportOptions { Passphrase = KeyStore.PassphraseFromEnvironment() }, stdout, stderr, Client,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            if (import != Program.Ok) return import;
            stdout.WriteLine();

            stdout.WriteLine("== what the simulated devices hold now (their own state, not the ledger)");
            int active = 0;
            foreach (var device in site.Devices)
            {
                var certificate = device.ActiveCertificate;
                bool ours = certificate is not null && certificate.IssuerName.RawData.AsSpan().SequenceEqual(
                    ca.Certificate.SubjectName.RawData)
                    && certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(device.ActivePublicKey);
                if (ours) active++;
                stdout.WriteLine($"  {device.Spec.Instance,-7} {device.Spec.EffectiveName,-12} " +
                    $"{(ours ? $"active: {certificate!.Subject}, serial {certificate.SerialNumber}, its own key"
                        : "no certificate from the demo CA")}");
            }
            stdout.WriteLine();

            stdout.WriteLine($"== certlsp status {name}");
            int status = StatusCommand.Run(manifest, "text", DateTimeOffset.UtcNow, stdout, stderr);
            stdout.WriteLine();
            if (active != specs.Count)
            {
                stderr.WriteLine($"certlsp: only {active} of {specs.Count} simulated devices hold their certificate");
                return Program.Findings;
            }

            await UntilJoinedAsync(site, cancellationToken).ConfigureAwait(false);
            stdout.WriteLine(
                $"== certlsp verify {name} (the tool joins the hub with its new certificate; through the hub, each device's identity, " +
                "hub status and certificate against the ledger)");
            int verify = await VerifyAsync(manifest, stdout, stderr, cancellationToken).ConfigureAwait(false);
            stdout.WriteLine();
            if (verify != Program.Ok) return verify;
            stdout.WriteLine(
                $"The demo discovered {specs.Count} simulated devices, read their CSRs over BACnet, had them signed and installed each " +
                $"certificate on its device.");
            stdout.WriteLine(
                "Every device joined the BACnet/SC hub with its new certificate, as certlsp verify confirmed through the hub.");
            return status;
        }
        finally
        {
            await site.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Adds a bacnet.secureConnect section (the hub, the commissioning tool) to the demo's copy of the manifest.</summary>
    private static void AddSecureConnect(string manifest, string hub)
    {
        string text = File.ReadAllText(manifest);
        int devices = text.IndexOf("\ndevices:", StringComparison.Ordinal) + 1;
        string nl = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        File.WriteAllText(manifest, text[..devices] + string.Join(nl, "  secureConnect:", $"    primaryHub: {hub}", "    tool:",
            $"      name: {ToolName}") + nl + text[devices..]);
    }

    /// <summary>Waits (a few seconds at most) until every simulated device holds a connection to the hub.</summary>
    private static async Task UntilJoinedAsync(SimulatedSite site, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until && !site.Devices.All(d => d.HubConnector?.State is ScHubConnectionStatus.ConnectedToPrimaryHub))
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>certlsp verify</c> on the copy, the tool connecting with its certificate and key from the ledger and key store.
    /// </summary>
    private static Task<int> VerifyAsync(string manifest, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        VerifyCommand.RunAsync(manifest, "text", VerifyTimeout, connect: null, stdout, stderr, cancellationToken);

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) CopyFolder(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    private static string? FindExamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "CertLsp.sln"))) return candidate;
        }
        // A published or packed CLI (.NET tool, single file, the extension's server) carries examples/ beside itself.
        var beside = Path.Combine(AppContext.BaseDirectory, "examples");
        if (Directory.Exists(beside)) return beside;
        var cwd = Path.Combine(Directory.GetCurrentDirectory(), "examples");
        return Directory.Exists(cwd) ? cwd : null;
    }
}
