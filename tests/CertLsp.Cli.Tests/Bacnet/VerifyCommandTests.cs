using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertLsp.Cli.Commands;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>
/// <c>certlsp verify</c> on a site written to disk (manifest with its hub, issuer file, ledger, key store and chain files for local
/// keys) against a BACnet/SC site the test runs in its network namespace (<see cref="ScVerifySite"/>): the table and JSON, the exit
/// codes, and the ledger records, which survive a reload and show in <c>status</c>.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class VerifyCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-verify-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>The manifest (local keys), its issuer, and for each device its ledger block, key and chain file.</summary>
    private string WriteSite(ScVerifySite site, params (string Name, uint Instance)[] devices)
    {
        string manifestPath = Path.Combine(folder, "verify.site.yaml");
        File.WriteAllText(manifestPath, $"""
            site: Verify Site
            domain: bms.test.example
            ca: {"{"} profile: bacnet-sc, issuers: [ca/issuer.pem] {"}"}
            key: {"{"} algorithm: ecdsa, curve: P-256, source: local {"}"}
            bacnet:
              secureConnect:
                primaryHub: {site.Primary.Uri}
                connectWaitTimeout: 3
            devices:
            {string.Concat(devices.Select(d => $"  - name: {d.Name}\n    instance: {d.Instance}\n"))}
            """);
        Directory.CreateDirectory(Path.Combine(folder, "ca"));
        File.WriteAllText(Path.Combine(folder, "ca", "issuer.pem"), site.Ca.Pem);
        var keys = KeyStore.ForManifest(manifestPath, null);
        keys.EnsureFolder();
        var ledger = SiteLedger.Empty;
        foreach (var (name, _) in devices)
        {
            var certificate = site.Certificates[name];
            string publicKey = Fingerprints.OfPublicKey(certificate.PublicKey);
            ledger = ledger.With(new LedgerEntry(name, $"{name}.bms.test.example", null, new IssuedCertificate(certificate.SerialNumber,
                certificate.Issuer, certificate.NotBefore, certificate.NotAfter, Fingerprints.Of(certificate.RawData), publicKey)));
            using var key = certificate.GetECDsaPrivateKey()!;
            keys.Write(name, publicKey, key);
            BundleWriter.WriteChain(CertificateInstaller.DefaultBundleFolder(manifestPath), name,
                new DeviceCertificates(certificate.ExportCertificatePem() + "\n", [site.Ca.Pem]));
        }
        LedgerFile.Save(LedgerFile.PathFor(manifestPath), ledger, "verify.site.yaml", DateTimeOffset.UtcNow);
        return manifestPath;
    }

    private static async Task<(int Exit, string Out, string Err)> VerifyAsync(ScVerifySite site, string manifestPath, string format)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int exit = await VerifyCommand.RunAsync(manifestPath, format, 2, site.ConnectToolAsync, stdout, stderr, default);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A site with AHU-1 (instance <paramref name="instances"/>+1) and <paramref name="second"/> (+2), written to disk, and
    /// <c>certlsp verify</c> run on it.</summary>
    private async Task<(ScVerifySite Site, string ManifestPath, int Exit, string Out, string Err)> StartAndVerifyAsync(string subnet,
        uint instances, string second, bool fromAnotherCa, string format)
    {
        var site = await ScVerifySite.StartAsync(subnet);
        await site.AddDeviceAsync("AHU-1", instances + 1);
        if (fromAnotherCa) await site.AddDeviceFromAnotherCaAsync(second, instances + 2);
        else await site.AddDeviceAsync(second, instances + 2);
        string manifestPath = WriteSite(site, ("AHU-1", instances + 1), (second, instances + 2));
        var (exit, output, error) = await VerifyAsync(site, manifestPath, format);
        return (site, manifestPath, exit, output, error);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Every_device_joined_exits_0_and_the_ledger_records_it()
    {
        var (site, manifestPath, exit, output, error) = await StartAndVerifyAsync("127.0.22", 2200, "AHU-2", false, "json");
        await using var owner = site;
        Assert.True(exit == 0, output + error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("allJoined").GetBoolean());
        Assert.True(root.GetProperty("ledgerUpdated").GetBoolean());
        var devices = root.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal(["AHU-1", "AHU-2"], devices.Select(d => d.GetProperty("device").GetString()));
        foreach (var device in devices)
        {
            Assert.Equal(["device", "instance", "joined", "identityMatches", "hubStatus", "certificateMatches", "reportedFingerprint",
                "handshake", "result", "reason"], device.EnumerateObject().Select(p => p.Name));
            Assert.True(device.GetProperty("joined").GetBoolean());
            Assert.True(device.GetProperty("identityMatches").GetBoolean());
            Assert.True(device.GetProperty("certificateMatches").GetBoolean());
            Assert.Equal("joined", device.GetProperty("result").GetString());
            Assert.Equal(DeviceVerification.JoinedText, device.GetProperty("reason").GetString());
            Assert.Equal("the primary hub accepted its certificate", device.GetProperty("handshake").GetString());
        }

        // The ledger (reloaded from disk) records each verification; nothing about a key is in it.
        string ledgerPath = LedgerFile.PathFor(manifestPath);
        var ledger = LedgerFile.Load(ledgerPath);
        foreach (var name in new[] { "AHU-1", "AHU-2" })
        {
            var verification = ledger.Find(name)!.Verification!;
            Assert.Equal(VerificationResult.Joined, verification.Result);
            Assert.Equal(DeviceVerification.JoinedText, verification.Reason);
            Assert.True(DateTimeOffset.UtcNow - verification.At < TimeSpan.FromMinutes(5));
        }
        Assert.DoesNotContain("PRIVATE", File.ReadAllText(ledgerPath), StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", output, StringComparison.Ordinal);

        var (statusOut, statusErr) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, StatusCommand.Run(manifestPath, "text", DateTimeOffset.UtcNow, statusOut, statusErr));
        Assert.Contains("BACNET/SC", statusOut.ToString(), StringComparison.Ordinal);
        Assert.Contains(": joined the hub with its certificate", statusOut.ToString(), StringComparison.Ordinal);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_refused_device_exits_1_with_the_reason_in_words_and_bad_input_exits_2()
    {
        var (site, manifestPath, exit, output, error) = await StartAndVerifyAsync("127.0.23", 2300, "VAV-9", true, "text");
        await using var owner = site;
        Assert.True(exit == 1, output + error);
        var lines = output.Split('\n');
        Assert.StartsWith("DEVICE", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("AHU-1", StringComparison.Ordinal) && l.Contains("joined: joined the hub",
            StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("VAV-9", StringComparison.Ordinal) && l.Contains(
            "refused: handshake refused: certificate from another CA", StringComparison.Ordinal));
        Assert.Contains("1 of 2 device(s) joined the hub with their recorded certificate.", output, StringComparison.Ordinal);
        var refused = LedgerFile.Load(LedgerFile.PathFor(manifestPath)).Find("VAV-9")!.Verification!;
        Assert.Equal(VerificationResult.Refused, refused.Result);
        Assert.StartsWith("handshake refused: certificate from another CA", refused.Reason, StringComparison.Ordinal);

        // A manifest without a hub, and a timeout out of range: could not run, the ledger untouched.
        string before = File.ReadAllText(LedgerFile.PathFor(manifestPath));
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("  secureConnect:", "  notSecureConnect:",
            StringComparison.Ordinal));
        (exit, _, error) = await VerifyAsync(site, manifestPath, "text");
        Assert.Equal(2, exit);
        Assert.Contains("no “bacnet.secureConnect” section", error, StringComparison.Ordinal);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(2, await VerifyCommand.RunAsync(manifestPath, "text", 0, site.ConnectToolAsync, stdout, stderr, default));
        Assert.Equal(before, File.ReadAllText(LedgerFile.PathFor(manifestPath)));
    }
}
