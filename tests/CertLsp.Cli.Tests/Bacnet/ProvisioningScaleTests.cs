using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace CertLsp.Cli.Tests;

/// <summary>
/// A site of 1,000 simulated devices that hold their keys, provisioned end to end over loopback BACnet: discover, the devices' CSRs,
/// the demo CA signing them (one answer per zip of 50), import with installs, status. Prints the time of each step.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class ProvisioningScaleTests(ITestOutputHelper output)
{
    private const int Devices = 1000;

    [NeedsFact(Needs.Namespace)]
    public async Task A_thousand_devices_are_discovered_requested_signed_imported_installed_and_all_reported_installed()
    {
        LoopbackNamespace.Require();
        var total = Stopwatch.StartNew();
        await using var site = DeviceKeySite.Start(Devices, 47815, 8, firstInstance: 100001);
        output.WriteLine($"{Devices} simulated devices started in {total.Elapsed.TotalSeconds:F1} s");

        var step = Stopwatch.StartNew();
        var (exit, stdout, stderr) = await DeviceKeySite.RunAsync("discover", "--bind", DeviceKeySite.Bind, "--manifest",
            site.ManifestPath, "--expect", $"{Devices}", "--timeout", "5");
        Assert.True(exit == 0, stdout[..Math.Min(2000, stdout.Length)] + stderr);
        Assert.Contains($"{Devices} device(s) answered.", stdout);
        output.WriteLine(
            $"discover (Who-Is, identity and Network Ports of every device, compared with the manifest): {step.Elapsed.TotalSeconds:F1} s");

        step.Restart();
        (exit, stdout, stderr) = await DeviceKeySite.RunAsync("csr", site.ManifestPath, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, stderr + stdout[^Math.Min(2000, stdout.Length)..]);
        Assert.Contains($"Summary: {Devices} requested, 0 no action taken, 0 failed.", stdout);
        output.WriteLine(
            $"csr (each device generates its key and CSR, read over BACnet, checked, {Devices / 50} zips): " +
            $"{step.Elapsed.TotalSeconds:F1} s");

        step.Restart();
        var answers = site.SignEach();
        output.WriteLine($"the demo CA signed {Devices} CSRs into {answers.Count} answers: {step.Elapsed.TotalSeconds:F1} s");

        step.Restart();
        int installed = 0;
        foreach (var answer in answers)
        {
            (exit, stdout, stderr) = await DeviceKeySite.RunAsync("import", site.ManifestPath, answer, "--bind", DeviceKeySite.Bind);
            Assert.True(exit == 0, stderr + stdout[^Math.Min(2000, stdout.Length)..]);
            var counts = System.Text.RegularExpressions.Regex.Match(stdout, @"Installs: (\d+) installed, 0 failed\.");
            Assert.True(counts.Success, stdout[^Math.Min(2000, stdout.Length)..]);
            installed += int.Parse(counts.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        Assert.Equal(Devices, installed);
        output.WriteLine(
            $"import --bind of {answers.Count} answers (verify, record, install: issuer and operational certificate written, read back, " +
            $"activated): {step.Elapsed.TotalSeconds:F1} s");

        step.Restart();
        (exit, stdout, _) = await DeviceKeySite.RunAsync("status", site.ManifestPath, "--format", "json");
        Assert.Equal(0, exit);
        var rows = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(Devices, rows.Count);
        Assert.All(rows, r => Assert.Equal(("valid", "installed"),
            (r.GetProperty("status").GetString(), r.GetProperty("install").GetString())));
        output.WriteLine($"status: {step.Elapsed.TotalSeconds:F1} s");

        // The devices agree: each has activated a certificate for its own key and CN.
        for (int i = 0; i < Devices; i++)
        {
            var device = site.Device(i);
            var certificate = device.ActiveCertificate;
            Assert.NotNull(certificate);
            Assert.Equal(DeviceKeySite.CommonName(i), certificate.GetNameInfo(X509NameType.SimpleName, false));
            Assert.Equal(certificate.PublicKey.ExportSubjectPublicKeyInfo(), device.ActivePublicKey);
            Assert.False(device.ChangesPending);
        }
        output.WriteLine($"{Devices} devices provisioned end to end in {total.Elapsed.TotalSeconds:F1} s");
    }
}
