using System.Security.Cryptography;
using System.Text;
using CertLsp.Core.Certificates;
using CertLsp.Core.Manifest;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Requests;

namespace CertLsp.Workflows.Tests.Requests;

/// <summary>key.source: device — the CSRs come from an <see cref="IDeviceCsrSource"/> (a fake here; BACnet in the CLI).</summary>
public sealed class DeviceCsrRequesterTests
{
    private const string DeviceKeys = "{ algorithm: ecdsa, curve: P-256, source: device }";

    /// <summary>Answers each device by name; records who was asked.</summary>
    private sealed class FakeSource(Func<string, DeviceCsrOutcome> answer) : IDeviceCsrSource
    {
        public List<string> Asked { get; } = [];

        public Task<DeviceCsrOutcome> RequestAsync(DeviceEntry device, CancellationToken cancellationToken)
        {
            lock (Asked) Asked.Add(device.Name!.Value);
            return Task.FromResult(answer(device.Name!.Value));
        }
    }

    private static string Cn(string device) => $"{device}.bms.test.example";

    private static DeviceSubject Subject(string device, string organization = "Test GmbH") =>
        new("DE", "Bayern", "München", organization, "Gebäudetechnik", Cn(device), "bms@test.example");

    /// <summary>A CSR as a device would make it: its own key, DER, and the key is thrown away (the device keeps it).</summary>
    private static byte[] DeviceCsr(DeviceSubject subject, KeySpec? spec = null)
    {
        using var request = CsrGenerator.Generate(subject, spec ?? KeySpec.EcdsaP256);
        return request.CsrDer;
    }

    private static Task<CsrRunResult> RunAsync(TempSite site, IDeviceCsrSource? source, PendingPolicy pending = PendingPolicy.Stop) =>
        CsrRequester.RunAsync(site.ManifestPath, site.Text, new CsrRequestOptions { DeviceSource = source, Pending = pending });

    private static void AssertNoKeyFiles(TempSite site)
    {
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        Assert.Empty(keys.Files());
        Assert.False(Directory.Exists(keys.Folder));
    }

    [Fact]
    public async Task Without_a_source_a_device_held_manifest_is_refused()
    {
        using var site = new TempSite(TempSite.Manifest(1, key: DeviceKeys));
        var result = await RunAsync(site, null);
        Assert.Equal(CsrRunState.Refused, result.State);
        Assert.Contains("key.source: device", result.Refusal);
        Assert.Empty(site.Zips);
    }

    [Fact]
    public async Task Good_csrs_go_into_the_zip_and_the_ledger_as_pending_with_no_key_file()
    {
        using var site = new TempSite(TempSite.Manifest(3, key: DeviceKeys));
        var csrs = new Dictionary<string, byte[]>
        {
            ["dev-01"] = DeviceCsr(Subject("dev-01")),
            // PEM with text around it, as some devices write their CSR file
            ["dev-02"] = Encoding.ASCII.GetBytes("device csr\n"
                + PemEncoding.WriteString("CERTIFICATE REQUEST", DeviceCsr(Subject("dev-02"))) + "\n"),
            // a device that sets the CN only: the CA fills in the rest
            ["dev-03"] = CnOnly("dev-03"),
        };
        var source = new FakeSource(name => DeviceCsrOutcome.Of(csrs[name]));
        var result = await RunAsync(site, source);

        Assert.Equal(CsrRunState.Done, result.State);
        Assert.Equal((3, 0, 0), (result.Requested, result.NoActionTaken, result.Failed));
        Assert.Equal(["dev-01", "dev-02", "dev-03"], source.Asked.Order());
        var entries = TempSite.Entries(Assert.Single(site.Zips));
        Assert.Equal([$"{Cn("dev-01")}.pem", $"{Cn("dev-02")}.pem", $"{Cn("dev-03")}.pem"], entries.Keys.Order());
        var ledger = LedgerFile.Load(site.LedgerPath);
        foreach (var (name, csr) in csrs)
        {
            byte[] zipped = entries[$"{Cn(name)}.pem"];
            Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----\n", Encoding.ASCII.GetString(zipped));
            Assert.Equal(CsrGenerator.Inspect(csr).PublicKey, CsrGenerator.Inspect(zipped).PublicKey);
            var pending = ledger.Find(name)!.Pending!;
            Assert.Equal(CsrGenerator.Inspect(csr).PublicKey, pending.PublicKey);
            Assert.Equal(Path.GetFileName(site.Zips[0]), pending.Zip);
        }
        AssertNoKeyFiles(site);
    }

    private static byte[] CnOnly(string device)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN={Cn(device)}", key,
            HashAlgorithmName.SHA256).CreateSigningRequest();
    }

    [Fact]
    public async Task Bad_csrs_and_failures_are_reported_per_device_and_the_good_one_is_still_requested()
    {
        using var site = new TempSite(TempSite.Manifest(6, key: DeviceKeys));
        byte[] tampered = DeviceCsr(Subject("dev-03"));
        tampered[^1] ^= 0x01; // the last octet of the signature
        var source = new FakeSource(name => name switch
        {
            "dev-01" => DeviceCsrOutcome.Of(DeviceCsr(Subject("dev-01"))),
            "dev-02" => DeviceCsrOutcome.Of(DeviceCsr(Subject("dev-99"))),
            "dev-03" => DeviceCsrOutcome.Of(tampered),
            "dev-04" => DeviceCsrOutcome.Of(DeviceCsr(Subject("dev-04"), KeySpec.EcdsaP256 with { Curve = "P-384" })),
            "dev-05" => DeviceCsrOutcome.Failed("write Command := 8 (generate-csr-file): error property/write-access-denied"),
            _ => DeviceCsrOutcome.Of(DeviceCsr(Subject("dev-06", organization: "Other AG"))),
        });
        var result = await RunAsync(site, source);

        Assert.Equal(CsrRunState.Done, result.State);
        Assert.Equal((1, 0, 5), (result.Requested, result.NoActionTaken, result.Failed));
        string Detail(string device) => Assert.Single(result.Devices, d => d.Device == device).Detail;
        Assert.Equal(DeviceOutcome.Requested, Assert.Single(result.Devices, d => d.Device == "dev-01").Outcome);
        Assert.Equal($"the device's CSR is for CN “{Cn("dev-99")}”; the manifest expects “{Cn("dev-02")}”", Detail("dev-02"));
        Assert.StartsWith("the device's CSR is malformed or its signature does not verify", Detail("dev-03"));
        Assert.Equal("the device's key is ECDSA P-384; the CA profile “bacnet-sc” accepts RSA 2048, 3072 or 4096, or ECDSA P-256",
            Detail("dev-04"));
        Assert.Equal("write Command := 8 (generate-csr-file): error property/write-access-denied", Detail("dev-05"));
        Assert.Equal("the device's CSR has O “Other AG”; the manifest expects “Test GmbH”", Detail("dev-06"));
        Assert.All(result.Devices.Where(d => d.Outcome == DeviceOutcome.Failed), d => Assert.Null(d.Zip));

        var zip = Assert.Single(result.Zips);
        Assert.Equal((1, 5), (zip.Requested, zip.Failed));
        Assert.Equal([$"{Cn("dev-01")}.pem"], TempSite.Entries(zip.Path).Keys);
        var ledger = LedgerFile.Load(site.LedgerPath);
        Assert.NotNull(ledger.Find("dev-01")!.Pending);
        Assert.All(new[] { "dev-02", "dev-03", "dev-04", "dev-05", "dev-06" }, d => Assert.Null(ledger.Find(d)));
        AssertNoKeyFiles(site);
    }

    [Fact]
    public async Task A_source_that_throws_fails_that_device_only()
    {
        using var site = new TempSite(TempSite.Manifest(2, key: DeviceKeys));
        var source = new FakeSource(name => name == "dev-02" ? throw new IOException("socket closed")
            : DeviceCsrOutcome.Of(DeviceCsr(Subject(name))));
        var result = await RunAsync(site, source);
        Assert.Equal((1, 0, 1), (result.Requested, result.NoActionTaken, result.Failed));
        Assert.Equal("IOException: socket closed", Assert.Single(result.Devices, d => d.Device == "dev-02").Detail);
    }

    [Fact]
    public async Task Pending_rules_are_those_of_local_keys()
    {
        using var site = new TempSite(TempSite.Manifest(2, key: DeviceKeys));
        var source = new FakeSource(name => DeviceCsrOutcome.Of(DeviceCsr(Subject(name))));
        await RunAsync(site, source);
        var first = LedgerFile.Load(site.LedgerPath).Find("dev-01")!.Pending!;
        source.Asked.Clear();

        var stopped = await RunAsync(site, source);
        Assert.Equal(CsrRunState.PendingConflict, stopped.State);
        Assert.Empty(source.Asked);

        var kept = await RunAsync(site, source, PendingPolicy.Keep);
        Assert.Equal((0, 2, 0), (kept.Requested, kept.NoActionTaken, kept.Failed));
        Assert.Empty(source.Asked);

        var overwritten = await RunAsync(site, source, PendingPolicy.Overwrite);
        Assert.Equal((2, 0, 0), (overwritten.Requested, overwritten.NoActionTaken, overwritten.Failed));
        Assert.Contains("void", Assert.Single(overwritten.Devices, d => d.Device == "dev-01").Detail);
        Assert.NotEqual(first.PublicKey, LedgerFile.Load(site.LedgerPath).Find("dev-01")!.Pending!.PublicKey);
        Assert.Equal(2, site.Zips.Count);
        AssertNoKeyFiles(site);
    }

    [Fact]
    public async Task A_zip_whose_ledger_write_was_lost_is_recovered_without_a_key_file()
    {
        using var site = new TempSite(TempSite.Manifest(2, key: DeviceKeys));
        var source = new FakeSource(name => DeviceCsrOutcome.Of(DeviceCsr(Subject(name))));
        await RunAsync(site, source);
        var before = LedgerFile.Load(site.LedgerPath);
        File.Delete(site.LedgerPath); // as if the run died between the zip and the ledger
        source.Asked.Clear();

        var result = await RunAsync(site, source, PendingPolicy.Keep);
        Assert.Equal(CsrRunState.Done, result.State);
        Assert.Equal(string.Join(",", site.Zips.Select(Path.GetFileName)), string.Join(",", result.Recovery.AdoptedZips));
        Assert.All(result.Devices, d => Assert.Equal(DeviceOutcome.Recovered, d.Outcome));
        Assert.Empty(source.Asked);
        var after = LedgerFile.Load(site.LedgerPath);
        Assert.Equal(before.Find("dev-02")!.Pending!.PublicKey, after.Find("dev-02")!.Pending!.PublicKey);
        AssertNoKeyFiles(site);
    }
}
