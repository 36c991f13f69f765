using System.Text.Json;
using CertLsp.Bacnet;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Simulator;
using CertLsp.Core.Ledger;
using CertLsp.Devices;
using CertLsp.Workflows.Ledger;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>
/// `certlsp import --bind` for key.source: device against simulated devices: every accepted certificate installed (checked by the
/// device's own files and activated certificate), a device that refuses it, a device that stops answering, re-runs.
/// </summary>
[Collection(UdpCollection.Name)]
public class DeviceInstallCommandTests
{
    private const ushort Port = 47814;

    private static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => DeviceKeySite.RunAsync(args);

    private static async Task RequestCsrsAsync(DeviceKeySite site)
    {
        var (exit, output, error) = await RunAsync("csr", site.ManifestPath, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, output + error);
    }

    private static void AssertInstalled(DeviceKeySite site, int i, string certificate) => site.AssertInstalled(i, certificate);

    /// <summary>Device CSRs, the demo CA's answer to them and the certificates in it by CN.</summary>
    private static async Task<(string Answer, Dictionary<string, string> Certificates)> RequestAndSignAsync(DeviceKeySite site)
    {
        await RequestCsrsAsync(site);
        string answer = site.SignAll();
        return (answer, DeviceKeySite.Certificates(answer));
    }

    private static SiteLedger Ledger(DeviceKeySite site) => LedgerFile.Load(LedgerFile.PathFor(site.ManifestPath));

    [NeedsFact(Needs.Namespace)]
    public async Task ImportInstallsEveryAcceptedCertificateOnItsDeviceAndARerunHasNothingToDo()
    {
        LoopbackNamespace.Require();
        await using var site = DeviceKeySite.Start(3, Port, 7);
        await RequestCsrsAsync(site);
        string answer = site.SignAll();
        var certificates = DeviceKeySite.Certificates(answer);

        // Without --bind: imported, recorded as install pending, the devices untouched.
        var (exit, output, error) = await RunAsync("import", site.ManifestPath, answer);
        Assert.True(exit == 0, output + error);
        Assert.Contains("Summary: 3 accepted", output);
        Assert.Contains(
            "Installs: 3 certificate(s) wait to be installed on their devices (key.source: device): installing needs --bind ADDR", output);
        Assert.All(Ledger(site).Entries.Values, e => Assert.Equal(InstallState.Pending, e.Install!.State));
        Assert.All(Enumerable.Range(0, 3), i => Assert.Empty(site.Device(i).FileContent(SimulatedDevice.OperationalFile)));
        (_, output, _) = await RunAsync("status", site.ManifestPath);
        Assert.Matches(@"dev-0001\s+dev-0001\.bms\.test\.example\s+valid.*\spending", output);

        // With --bind: the certificates imported before are installed now.
        (exit, output, error) = await RunAsync("import", site.ManifestPath, answer, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, output + error);
        Assert.Contains("Summary: 0 accepted, 3 already imported", output);
        Assert.Contains("Installs: 3 installed, 0 failed.", output);
        for (int i = 0; i < 3; i++) AssertInstalled(site, i, certificates[DeviceKeySite.CommonName(i)]);
        var ledger = Ledger(site);
        Assert.All(ledger.Entries.Values, e => Assert.Equal(
            new CertificateInstall(InstallState.Installed, e.Certificate!.Fingerprint, e.Install!.At), e.Install));

        (exit, output, _) = await RunAsync("status", site.ManifestPath, "--format", "json");
        Assert.Equal(0, exit);
        Assert.All(JsonDocument.Parse(output).RootElement.EnumerateArray(), row =>
            Assert.Equal("installed", row.GetProperty("install").GetString()));

        // Nothing is left: a re-run asks no device and changes nothing.
        string before = File.ReadAllText(LedgerFile.PathFor(site.ManifestPath));
        (exit, output, error) = await RunAsync("import", site.ManifestPath, answer, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, output + error);
        Assert.Contains("Installs: none due", output);
        Assert.Contains("Ledger unchanged.", output);
        Assert.Equal(before, File.ReadAllText(LedgerFile.PathFor(site.ManifestPath)));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ADeviceThatRefusesTheCertificateIsReportedWithItsBacnetErrorAndNothingElseIsLost()
    {
        LoopbackNamespace.Require();
        await using var site = DeviceKeySite.Start(3, Port, 7, firstInstance: 7101);
        await RequestCsrsAsync(site);
        // dev-0002 makes a new key pair after its CSR went to the CA: the certificate no longer matches its key.
        await using (var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.1.10", 0), null)))
        {
            var again = await new CertificateProvisioning(client).GenerateAndReadCsrAsync(site.Device(1).Endpoint,
                ObjectId.NetworkPort(SimulatedDevice.ScPort), 8);
            Assert.True(again.Ok, again.Failure?.Detail);
        }
        string answer = site.SignAll();
        var certificates = DeviceKeySite.Certificates(answer);

        var (exit, output, error) = await RunAsync("import", site.ManifestPath, answer, "--bind", DeviceKeySite.Bind);
        Assert.Equal("", error);
        Assert.Equal(1, exit);
        Assert.Contains("Summary: 3 accepted, 0 already imported, 0 rejected", output);
        Assert.Contains("Installs: 2 installed, 1 failed.", output);
        Assert.Contains(
            "INSTALL FAILED   dev-0002: device 7102 at 127.7.0.3:47814, NetworkPort:2: ReinitializeDevice ACTIVATE_CHANGES: error " +
            "Device/InvalidConfigurationData; its pending changes were discarded", output);
        AssertInstalled(site, 0, certificates[DeviceKeySite.CommonName(0)]);
        AssertInstalled(site, 2, certificates[DeviceKeySite.CommonName(2)]);
        var refused = site.Device(1);
        Assert.Equal("the certificate's public key is not the device's key", refused.LastActivationProblem);
        Assert.False(refused.ChangesPending);                                      // discarded, not left half-installed
        Assert.Empty(refused.FileContent(SimulatedDevice.OperationalFile));
        Assert.Null(refused.ActiveCertificate);

        var entry = Ledger(site).Find("dev-0002")!;
        Assert.Equal(CertificateStatus.Valid, entry.StatusAt(DateTimeOffset.UtcNow)); // the certificate stays recorded
        Assert.Equal(InstallState.Failed, entry.Install!.State);
        Assert.Contains("error Device/InvalidConfigurationData", entry.Install.Error);
        (_, output, _) = await RunAsync("status", site.ManifestPath);
        Assert.Matches(@"dev-0002\s.*FAILED: device 7102 at 127\.7\.0\.3:47814", output);
        Assert.Matches(@"dev-0001\s.*\sinstalled", output);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task ADeviceThatStopsAnsweringIsReportedAfterItsAttemptsAndARerunInstallsOnlyIt()
    {
        LoopbackNamespace.Require();
        await using var site = DeviceKeySite.Start(3, Port, 7, firstInstance: 7201);
        var (answer, certificates) = await RequestAndSignAsync(site);
        site.Device(2).Unresponsive = true;

        var (exit, output, error) = await RunAsync("import", site.ManifestPath, answer, "--bind", DeviceKeySite.Bind, "--timeout", "0.6");
        Assert.Equal("", error);
        Assert.Equal(1, exit);
        Assert.Contains("Summary: 3 accepted", output);
        Assert.Contains("Installs: 2 installed, 1 failed.", output);
        Assert.Contains("INSTALL FAILED   dev-0003: device 7203 at 127.7.0.4:47814: did not answer (no answer after 3 attempt(s))", output);
        // The silent device heard the first request of its install 3 times (DeviceTimeout.Attempts) and nothing after it: the
        // install gave up on it at its first request. What --timeout sets is held by DeviceTimeoutTests, not by a clock.
        Assert.Equal(DeviceTimeout.Attempts, site.Site.MalformedReceivedBy(site.Specs[2].Instance));
        AssertInstalled(site, 0, certificates[DeviceKeySite.CommonName(0)]);
        AssertInstalled(site, 1, certificates[DeviceKeySite.CommonName(1)]);
        Assert.Empty(site.Device(2).FileContent(SimulatedDevice.OperationalFile));
        Assert.Equal(InstallState.Failed, Ledger(site).Find("dev-0003")!.Install!.State);

        // Back on the network: the re-run installs only what is missing.
        site.Device(2).Unresponsive = false;
        (exit, output, error) = await RunAsync("import", site.ManifestPath, answer, "--bind", DeviceKeySite.Bind, "--timeout", "0.6");
        Assert.True(exit == 0, output + error);
        Assert.Contains("Installs: 1 installed, 0 failed.", output);
        Assert.Contains("installed        dev-0003:", output);
        Assert.DoesNotContain("dev-0001:", output.Split("Installs on the devices:")[1]);
        for (int i = 0; i < 3; i++) AssertInstalled(site, i, certificates[DeviceKeySite.CommonName(i)]);
        Assert.All(Ledger(site).Entries.Values, e => Assert.Equal(InstallState.Installed, e.Install!.State));
    }

    [NeedsFact(Needs.Namespace)]
    public async Task InstallInstallsWhatTheLedgerRecordsAsNotInstalledWithoutTheCasAnswer()
    {
        LoopbackNamespace.Require();
        await using var site = DeviceKeySite.Start(3, Port, 7, firstInstance: 7401);
        var (answer, certificates) = await RequestAndSignAsync(site);
        var (exit, output, error) = await RunAsync("import", site.ManifestPath, answer);
        Assert.True(exit == 0, output + error);
        Assert.Contains("install them with certlsp install <manifest> --bind ADDR", output);
        File.Delete(answer);
        site.Device(1).Unresponsive = true;

        (exit, output, error) = await RunAsync("install", site.ManifestPath, "--bind", DeviceKeySite.Bind, "--timeout", "0.6");
        Assert.Equal("", error);
        Assert.Equal(1, exit);
        Assert.Contains("INSTALL FAILED   dev-0002: device 7402 at 127.7.0.3:47814: did not answer (no answer after 3 attempt(s))", output);
        Assert.Contains("Installs: 2 installed, 1 failed.", output);
        site.AssertInstalled(0, certificates[DeviceKeySite.CommonName(0)]);
        site.AssertInstalled(2, certificates[DeviceKeySite.CommonName(2)]);

        site.Device(1).Unresponsive = false;
        (exit, output, error) = await RunAsync("install", site.ManifestPath, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, output + error);
        Assert.Contains("installed        dev-0002: issuer and operational certificates written, read back and activated", output);
        Assert.Contains("Installs: 1 installed, 0 failed.", output);
        for (int i = 0; i < 3; i++) AssertInstalled(site, i, certificates[DeviceKeySite.CommonName(i)]);

        (exit, output, error) = await RunAsync("install", site.ManifestPath, "--bind", DeviceKeySite.Bind);
        Assert.True(exit == 0, output + error);
        Assert.Contains("Installs: none due", output);
        Assert.Contains("Ledger unchanged.", output);

        // --bind is required: nothing is defaulted.
        (exit, _, error) = await RunAsync("install", site.ManifestPath);
        Assert.Equal(2, exit);
        Assert.Contains("--bind", error);
    }

    [Fact]
    public async Task InstallRefusesASiteWithLocalKeys()
    {
        var folder = Directory.CreateTempSubdirectory("certlsp-install-").FullName;
        try
        {
            string manifest = Path.Combine(folder, "x.site.yaml");
            File.WriteAllText(manifest,
                "site: X\nca: { profile: bacnet-sc }\nsubject: { country: DE }\nkey: { source: local }\ndevices: []\n");
            var (exit, output, error) = await RunAsync("install", manifest, "--bind", "127.0.1.9");
            Assert.Equal(2, exit);
            Assert.Equal("", output);
            Assert.Contains("key.source: local", error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [NeedsFact(Needs.Namespace)]
    public async Task CsrGivesUpOnADeviceThatDoesNotAnswerAfterItsAttempts()
    {
        LoopbackNamespace.Require();
        await using var site = DeviceKeySite.Start(2, Port, 7, firstInstance: 7301);
        site.Device(1).Unresponsive = true;
        var (exit, output, error) = await RunAsync("csr", site.ManifestPath, "--bind", DeviceKeySite.Bind, "--timeout", "0.6");
        Assert.Equal("", error);
        Assert.Equal(1, exit);
        Assert.Contains("Summary: 1 requested, 0 no action taken, 1 failed.", output);
        Assert.Contains("device 7302 at 127.7.0.3:47814: did not answer (no answer after 3 attempt(s))", output);
        Assert.Equal(DeviceTimeout.Attempts, site.Site.MalformedReceivedBy(site.Specs[1].Instance)); // one request, 3 attempts
    }

    [Fact]
    public async Task BadTimeoutsAndABindOnALocalKeySiteAreReported()
    {
        var folder = Directory.CreateTempSubdirectory("certlsp-timeout-").FullName;
        try
        {
            string manifest = Path.Combine(folder, "x.site.yaml");
            File.WriteAllText(manifest,
                "site: X\nca: { profile: bacnet-sc }\nsubject: { country: DE }\nkey: { source: device }\ndevices: []\n");
            var (exit, _, error) = await RunAsync("csr", manifest, "--bind", "127.0.1.9", "--timeout", "0");
            Assert.Equal(2, exit);
            Assert.Contains("--timeout must be between", error);
            (exit, _, error) = await RunAsync("discover", "--bind", "127.0.1.9", "--broadcast", LoopbackNamespace.Broadcast, "--timeout",
                "-1");
            Assert.Equal(2, exit);
            Assert.Contains("--timeout must be between", error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
