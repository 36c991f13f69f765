using System.Net;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using Xunit;

namespace CertLsp.Bacnet.Tests;

/// <summary>`certlsp csr` for key.source: device against simulated devices: CSRs read over BACnet into the zip and the pending ledger, no key file.</summary>
[Collection(UdpCollection.Name)]
public class DeviceCsrCommandTests
{
    private const ushort Port = 47813;

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = Cli.Program.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string Manifest(int devices) =>
        """
        site: Sim Site
        domain: bms.test.example
        ca: { profile: bacnet-sc }
        subject: { country: DE, state: Bayern, locality: München, organization: Test GmbH, organizationalUnit: Gebäudetechnik }
        key: { algorithm: ecdsa, curve: P-256, source: device }
        bacnet: { port: 47813, generateCsrCommand: 8 }
        devices:

        """ + string.Concat(Enumerable.Range(1, devices).Select(i => $"  - name: dev-0{i}\n    instance: {6000 + i}\n    address: 127.0.6.{i + 1}\n"));

    private static string Cn(int i) => $"dev-0{i}.bms.test.example";

    private static string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"devicecsr-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    [Fact]
    public async Task CsrReadsEachDevicesCsrIntoTheZipAndTheLedgerWithNoKeyFile()
    {
        LoopbackNamespace.Require();
        // dev-03's firmware puts the wrong CN in its CSR: it fails with that reason, the others are requested.
        var specs = Enumerable.Range(1, 3).Select(i => new SimulatedDeviceSpec((uint)(6000 + i), IPAddress.Parse($"127.0.6.{i + 1}"))
        {
            CsrCommonName = i == 3 ? "factory-default" : Cn(i),
            GenerateCsrCommand = 8,
        });
        await using var site = SimulatedSite.Start(specs, Port, IPAddress.Parse(LoopbackNamespace.Broadcast));
        var folder = TempFolder();
        var manifest = Path.Combine(folder, "sim.site.yaml");
        await File.WriteAllTextAsync(manifest, Manifest(3));
        try
        {
            var (exit, output, error) = Run("csr", manifest, "--bind", "127.0.1.8");
            Assert.Equal("", error);
            Assert.Equal(1, exit);
            Assert.Contains("Summary: 2 requested, 0 no action taken, 1 failed.", output);
            Assert.Contains($"the device's CSR is for CN “factory-default”; the manifest expects “{Cn(3)}”", output);
            Assert.Contains("Keys: held by the devices (none written here).", output);

            var zip = Assert.Single(Directory.GetFiles(folder, "CertificateSigningRequests_*.zip"));
            using var archive = System.IO.Compression.ZipFile.OpenRead(zip);
            Assert.Equal([$"{Cn(1)}.pem", $"{Cn(2)}.pem"], archive.Entries.Select(e => e.FullName).Order());
            var ledger = LedgerFile.Load(LedgerFile.PathFor(manifest));
            foreach (var i in new[] { 1, 2 })
            {
                using var stream = archive.GetEntry($"{Cn(i)}.pem")!.Open();
                using var memory = new MemoryStream();
                await stream.CopyToAsync(memory);
                Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", System.Text.Encoding.ASCII.GetString(memory.ToArray()));
                var (cn, publicKey) = CsrGenerator.Inspect(memory.ToArray());
                Assert.Equal(Cn(i), cn);
                var pending = ledger.Find($"dev-0{i}")!.Pending!;
                Assert.Equal(publicKey, pending.PublicKey);
                Assert.Equal(Path.GetFileName(zip), pending.Zip);
            }
            Assert.Null(ledger.Find("dev-03"));
            var keys = KeyStore.ForManifest(manifest, null);
            Assert.False(Directory.Exists(keys.Folder));
            Assert.Empty(Directory.GetFiles(folder, "*.key*", SearchOption.AllDirectories));

            // The same pending rules as local keys: a second run stops on the pending devices.
            var (again, _, pendingError) = Run("csr", manifest, "--bind", "127.0.1.8", "--devices", "dev-01");
            Assert.Equal(1, again);
            Assert.Contains("pending CSR", pendingError);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ADeviceHeldManifestNeedsBind()
    {
        var folder = TempFolder();
        var manifest = Path.Combine(folder, "sim.site.yaml");
        File.WriteAllText(manifest, Manifest(1));
        try
        {
            var (exit, _, error) = Run("csr", manifest);
            Assert.Equal(2, exit);
            Assert.Contains("--bind", error);
            (exit, _, error) = Run("csr", manifest, "--bind", "localhost");
            Assert.Equal(2, exit);
            Assert.Contains("not an IPv4 address", error);
            Assert.Empty(Directory.GetFiles(folder, "CertificateSigningRequests_*.zip"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
