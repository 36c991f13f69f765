using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Requests;
using Xunit;

namespace CertLsp.Core.Tests.Certificates;

/// <summary>
/// key.source: device — <c>import</c> installs each accepted certificate through an <see cref="IDeviceCertificateTarget"/> (a fake
/// here; BACnet in the CLI) and records every outcome in the ledger; without a target the installs stay pending for a later run.
/// </summary>
public sealed class CertificateInstallerTests
{
    private const string DeviceKeys = "{ algorithm: ecdsa, curve: P-256, source: device }";

    /// <summary>Devices that make their CSRs with their own keys (thrown away here: only the public key matters).</summary>
    private sealed class FakeDevices : IDeviceCsrSource
    {
        public Task<DeviceCsrOutcome> RequestAsync(DeviceEntry device, CancellationToken cancellationToken)
        {
            var subject = new DeviceSubject("DE", "Bayern", "München", "Test GmbH", "Gebäudetechnik", $"{device.Name!.Value}.bms.test.example", "bms@test.example");
            using var request = CsrGenerator.Generate(subject, KeySpec.EcdsaP256);
            return Task.FromResult(DeviceCsrOutcome.Of(request.CsrDer));
        }
    }

    /// <summary>Answers each device by name (or throws); records what each device was given.</summary>
    private sealed class FakeTarget(Func<string, DeviceInstallOutcome>? answer = null) : IDeviceCertificateTarget
    {
        public Dictionary<string, DeviceCertificates> Given { get; } = new(StringComparer.Ordinal);

        public Task<DeviceInstallOutcome> InstallAsync(DeviceEntry device, DeviceCertificates certificates, CancellationToken cancellationToken)
        {
            lock (Given) Given[device.Name!.Value] = certificates;
            return Task.FromResult(answer?.Invoke(device.Name!.Value) ?? DeviceInstallOutcome.Done);
        }
    }

    private sealed class Fixture : IDisposable
    {
        public Fixture(int devices, string key = DeviceKeys)
        {
            Site = new TempSite(TempSite.Manifest(devices, key));
            File.WriteAllText(Site.File_("ca.pem"), Ca.Pem);
            var requests = CsrRequester.Run(Site.ManifestPath, Site.Text, new CsrRequestOptions { DeviceSource = key == DeviceKeys ? new FakeDevices() : null });
            Assert.Equal(devices, requests.Requested);
            var signed = requests.Zips.SelectMany(z => TempSite.Entries(z.Path)).Where(e => e.Key.EndsWith(".pem", StringComparison.Ordinal))
                .Select(e => (Name: e.Key.Replace(".pem", ".crt", StringComparison.Ordinal), Data: Encoding.ASCII.GetBytes(Ca.Sign(e.Value)))).ToList();
            Certificates = signed.ToDictionary(s => s.Name[..s.Name.IndexOf('.', StringComparison.Ordinal)], s => Encoding.ASCII.GetString(s.Data), StringComparer.Ordinal);
            SignedZip = Site.File_("signed.zip");
            File.WriteAllBytes(SignedZip, TempSite.MakeZip([.. signed, ("issuer/iss-1.pem", Encoding.ASCII.GetBytes(Ca.Pem))]));
        }

        public TestCa Ca { get; } = new();

        public TempSite Site { get; }

        public string SignedZip { get; }

        /// <summary>The signed certificate (PEM) of each device, by name.</summary>
        public Dictionary<string, string> Certificates { get; }

        public ImportResult Import(IDeviceCertificateTarget? target) =>
            CertificateImporter.Run(Site.ManifestPath, Site.Text, SignedZip, new ImportOptions { DeviceTarget = target });

        public SiteLedger Ledger => LedgerFile.Load(Site.LedgerPath);

        public void Dispose() => Site.Dispose();
    }

    private static string Fingerprint(string pem)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return Fingerprints.Of(certificate.RawData);
    }

    [Fact]
    public void Each_accepted_certificate_is_installed_with_its_issuer_and_recorded_as_installed()
    {
        using var f = new Fixture(3);
        var target = new FakeTarget();
        var result = f.Import(target);

        Assert.Equal(3, result.Count(FileVerdict.Accepted));
        Assert.Equal(3, result.InstallCount(InstallState.Installed));
        Assert.Equal(["dev-01", "dev-02", "dev-03"], target.Given.Keys.Order());
        var ledger = f.Ledger;
        foreach (var (device, given) in target.Given)
        {
            Assert.Equal(Fingerprint(f.Certificates[device]), Fingerprint(given.Operational));
            Assert.Equal(Fingerprint(f.Ca.Pem), Fingerprint(Assert.Single(given.Issuers)));
            Assert.DoesNotContain("PRIVATE", given.Operational + string.Concat(given.Issuers));
            var entry = ledger.Find(device)!;
            Assert.Equal(new CertificateInstall(InstallState.Installed, entry.Certificate!.Fingerprint, entry.Install!.At), entry.Install);
            Assert.NotNull(entry.Install.At);
        }
        Assert.Contains("  install: installed\n", File.ReadAllText(f.Site.LedgerPath));

        var rows = StatusReport.For(Checking.ManifestDocument.Parse(f.Site.ManifestPath, f.Site.Text).Manifest!, ledger, DateTimeOffset.UtcNow);
        Assert.All(rows, r => Assert.Equal(InstallState.Installed, r.Install));

        // Nothing is left to install: a re-run asks no device.
        var again = new FakeTarget();
        var second = f.Import(again);
        Assert.Equal(3, second.Count(FileVerdict.AlreadyImported));
        Assert.Empty(again.Given);
        Assert.Empty(second.Installs);
        Assert.False(second.LedgerChanged);
    }

    [Fact]
    public void Without_a_target_installs_stay_pending_and_a_later_import_with_one_installs_them()
    {
        using var f = new Fixture(2);
        var first = f.Import(null);
        Assert.Equal(2, first.Count(FileVerdict.Accepted));
        Assert.Equal(2, first.InstallCount(InstallState.Pending));
        Assert.All(first.Installs, i => Assert.Contains("--bind", i.Detail));
        Assert.All(f.Ledger.Entries.Values, e => Assert.Equal(new CertificateInstall(InstallState.Pending, e.Certificate!.Fingerprint), e.Install));
        var rows = StatusReport.For(Checking.ManifestDocument.Parse(f.Site.ManifestPath, f.Site.Text).Manifest!, f.Ledger, DateTimeOffset.UtcNow);
        Assert.All(rows, r => Assert.Equal((CertificateStatus.Valid, InstallState.Pending), (r.Status, r.Install)));

        var target = new FakeTarget();
        var second = f.Import(target);
        Assert.Equal(2, second.Count(FileVerdict.AlreadyImported));
        Assert.Equal(2, second.InstallCount(InstallState.Installed));
        Assert.Equal(["dev-01", "dev-02"], target.Given.Keys.Order());
        Assert.All(f.Ledger.Entries.Values, e => Assert.Equal(InstallState.Installed, e.InstallStateOfCertificate));
    }

    [Fact]
    public void A_device_that_refuses_or_fails_is_recorded_with_its_reason_the_others_are_installed_and_a_rerun_retries_only_it()
    {
        using var f = new Fixture(4);
        const string refusal = "device 1002 at 127.0.0.3:47808, network-port,2: ReinitializeDevice ACTIVATE_CHANGES: error device/invalid-configuration-data";
        var target = new FakeTarget(name => name switch
        {
            "dev-02" => DeviceInstallOutcome.Failed(refusal),
            "dev-03" => throw new IOException("socket closed"),
            _ => DeviceInstallOutcome.Done,
        });
        var result = f.Import(target);

        Assert.Equal(4, result.Count(FileVerdict.Accepted));
        Assert.Equal((2, 2), (result.InstallCount(InstallState.Installed), result.InstallCount(InstallState.Failed)));
        Assert.Equal(refusal, Assert.Single(result.Installs, i => i.Device == "dev-02").Detail);
        Assert.Equal("IOException: socket closed", Assert.Single(result.Installs, i => i.Device == "dev-03").Detail);
        var ledger = f.Ledger;
        Assert.Equal((InstallState.Failed, refusal), (ledger.Find("dev-02")!.Install!.State, ledger.Find("dev-02")!.Install!.Error));
        Assert.All(ledger.Entries.Values, e => Assert.Equal(CertificateStatus.Valid, e.StatusAt(DateTimeOffset.UtcNow))); // nothing else is lost
        var rows = StatusReport.For(Checking.ManifestDocument.Parse(f.Site.ManifestPath, f.Site.Text).Manifest!, ledger, DateTimeOffset.UtcNow);
        Assert.Equal(refusal, Assert.Single(rows, r => r.Device == "dev-02").InstallError);

        var retry = new FakeTarget();
        var second = f.Import(retry);
        Assert.Equal(["dev-02", "dev-03"], retry.Given.Keys.Order());
        Assert.Equal(2, second.InstallCount(InstallState.Installed));
        Assert.All(f.Ledger.Entries.Values, e => Assert.Equal(new CertificateInstall(InstallState.Installed, e.Certificate!.Fingerprint, e.Install!.At), e.Install));
    }

    [Fact]
    public void A_site_with_local_keys_installs_nothing_and_records_no_install()
    {
        using var f = new Fixture(2, "{ algorithm: ecdsa, curve: P-256, source: local }");
        var target = new FakeTarget();
        var result = f.Import(target);
        Assert.Equal(2, result.Count(FileVerdict.Accepted));
        Assert.Empty(target.Given);
        Assert.Empty(result.Installs);
        Assert.All(f.Ledger.Entries.Values, e => Assert.Null(e.Install));
        Assert.DoesNotContain("install", File.ReadAllText(f.Site.LedgerPath));
    }

    [Fact]
    public void A_new_csr_keeps_the_install_of_the_issued_certificate_and_a_renewal_starts_afresh()
    {
        using var f = new Fixture(1);
        f.Import(new FakeTarget());
        var installed = f.Ledger.Find("dev-01")!;
        CsrRequester.Run(f.Site.ManifestPath, f.Site.Text, new CsrRequestOptions { DeviceSource = new FakeDevices(), Pending = PendingPolicy.Overwrite });
        var renewing = f.Ledger.Find("dev-01")!;
        Assert.NotNull(renewing.Pending);
        Assert.Equal(installed.Install, renewing.Install);
        // A different certificate for the device: its install is pending until done.
        var renewed = renewing with { Certificate = renewing.Certificate! with { Fingerprint = "sha256:other" } };
        Assert.Equal(InstallState.Pending, renewed.InstallStateOfCertificate);
    }

    [Fact]
    public void The_chain_is_the_signer_then_the_configured_issuers_above_it()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var subKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var root = rootRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var subRequest = new CertificateRequest("CN=Issuing", subKey, HashAlgorithmName.SHA256);
        subRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var issuing = subRequest.Create(root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), [1, 2, 3]);
        using var unrelated = new CertificateRequest("CN=Other", subKey, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        Assert.Equal([issuing, root], CertificateInstaller.Chain(issuing, [unrelated, issuing, root]));
        Assert.Equal([issuing], CertificateInstaller.Chain(issuing, [unrelated, issuing]));
        Assert.Equal([root], CertificateInstaller.Chain(root, [root, issuing]));
    }
}
