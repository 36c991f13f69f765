using System.Net;
using CertLsp.Bacnet.Simulator;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>`certlsp csr` for key.source: device against simulated devices: CSRs read over BACnet into the zip and the pending ledger, no
/// key file.</summary>
[Collection(UdpCollection.Name)]
public class DeviceCsrCommandTests
{
    private const ushort Port = 47813;

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Program.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string Manifest(int devices) => DeviceCsrSite.Manifest(devices, "{ port: 47813, generateCsrCommand: 8 }", 6000,
        "127.0.6");

    private static string TempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"devicecsr-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    [NeedsFact(Needs.Namespace)]
    public async Task CsrReadsEachDevicesCsrIntoTheZipAndTheLedgerWithNoKeyFile()
    {
        LoopbackNamespace.Require();
        await using var site = SimulatedSite.Start(DeviceCsrSite.Specs(6000, "127.0.6"), Port,
            IPAddress.Parse(LoopbackNamespace.Broadcast));
        var folder = TempFolder();
        var manifest = Path.Combine(folder, "sim.site.yaml");
        await File.WriteAllTextAsync(manifest, Manifest(3));
        try
        {
            var (exit, output, error) = await RunAsync("csr", manifest, "--bind", "127.0.1.8");
            Assert.Equal("", error);
            Assert.Equal(1, exit);
            Assert.Contains("Summary: 2 requested, 0 no action taken, 1 failed.", output);
            Assert.Contains($"the device's CSR is for CN “factory-default”; the manifest expects “{DeviceCsrSite.Cn(3)}”", output);
            Assert.Contains("Keys: held by the devices (none written here).", output);
            await DeviceCsrSite.AssertRequestedAsync(manifest, site, 6000);

            // The same pending rules as local keys: a second run stops on the pending devices.
            var (again, _, pendingError) = await RunAsync("csr", manifest, "--bind", "127.0.1.8", "--devices", "dev-01");
            Assert.Equal(1, again);
            Assert.Contains("pending CSR", pendingError);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ADeviceHeldManifestNeedsBind()
    {
        var folder = TempFolder();
        var manifest = Path.Combine(folder, "sim.site.yaml");
        File.WriteAllText(manifest, Manifest(1));
        try
        {
            var (exit, _, error) = await RunAsync("csr", manifest);
            Assert.Equal(2, exit);
            Assert.Contains("--bind", error);
            (exit, _, error) = await RunAsync("csr", manifest, "--bind", "localhost");
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
