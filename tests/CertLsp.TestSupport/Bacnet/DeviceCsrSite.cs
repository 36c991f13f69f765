using System.IO.Compression;
using System.Net;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Certificates;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using Xunit;

namespace CertLsp.TestSupport;

/// <summary>
/// A site whose devices hold their keys, for `certlsp csr` and the language server's Generate CSRs alike: three simulated
/// devices (dev-03's firmware puts the wrong CN in its CSR), their manifest, and what a run must leave behind.
/// </summary>
public static class DeviceCsrSite
{
    public static string Cn(int i) => $"dev-0{i}.bms.test.example";

    /// <summary>Devices dev-01..dev-03, instances first+1.., at subnet.2.., taking generate-csr-file 8.</summary>
    public static IEnumerable<SimulatedDeviceSpec> Specs(uint firstInstance, string subnet) =>
        Enumerable.Range(1, 3).Select(i => new SimulatedDeviceSpec((uint)(firstInstance + i), IPAddress.Parse($"{subnet}.{i + 1}"))
        {
            CsrCommonName = i == 3 ? "factory-default" : Cn(i),
            GenerateCsrCommand = 8,
        });

    public static string Manifest(int devices, string bacnet, uint firstInstance, string subnet) =>
        "site: Sim Site\ndomain: bms.test.example\nca: { profile: bacnet-sc }\n"
        + "subject: { country: DE, state: Bayern, locality: München, organization: Test GmbH, organizationalUnit: Gebäudetechnik }\n"
        + $"key: {{ algorithm: ecdsa, curve: P-256, source: device }}\nbacnet: {bacnet}\ndevices:\n"
        + string.Concat(Enumerable.Range(1, devices).Select(i =>
            $"  - name: dev-0{i}\n    instance: {firstInstance + i}\n    address: {subnet}.{i + 1}\n"));

    /// <summary>
    /// The one zip holds the CSRs of dev-01 and dev-02 (each the device's own, for its CN), the ledger has them pending in that
    /// zip and nothing for dev-03, and no key was written anywhere.
    /// </summary>
    public static async Task AssertRequestedAsync(string manifest, SimulatedSite site, uint firstInstance)
    {
        var folder = Path.GetDirectoryName(manifest)!;
        var zip = Assert.Single(Directory.GetFiles(folder, "CertificateSigningRequests_*.zip"));
        using var archive = ZipFile.OpenRead(zip);
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
            Assert.Equal(CsrGenerator.Inspect(site[(uint)(firstInstance + i)].FileContent(SimulatedDevice.CsrFile)).PublicKey, publicKey);
            var pending = ledger.Find($"dev-0{i}")!.Pending!;
            Assert.Equal(publicKey, pending.PublicKey);
            Assert.Equal(Path.GetFileName(zip), pending.Zip);
        }
        Assert.Null(ledger.Find("dev-03"));
        Assert.False(Directory.Exists(KeyStore.ForManifest(manifest, null).Folder));
        Assert.Empty(Directory.GetFiles(folder, "*.key*", SearchOption.AllDirectories));
    }
}
