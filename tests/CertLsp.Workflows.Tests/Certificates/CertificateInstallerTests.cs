using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Requests;

namespace CertLsp.Workflows.Tests.Certificates;

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
            var subject = new DeviceSubject("DE", "Bayern", "München", "Test GmbH", "Gebäudetechnik",
                $"{device.Name!.Value}.bms.test.example", "bms@test.example");
            using var request = CsrGenerator.Generate(subject, KeySpec.EcdsaP256);
            return Task.FromResult(DeviceCsrOutcome.Of(request.CsrDer));
        }
    }

    /// <summary>Answers each device by name (or throws); records what each device was given.</summary>
    private sealed class FakeTarget(Func<string, DeviceInstallOutcome>? answer = null) : IDeviceCertificateTarget
    {
        public Dictionary<string, DeviceCertificates> Given { get; } = new(StringComparer.Ordinal);

        public Task<DeviceInstallOutcome> InstallAsync(DeviceEntry device, DeviceCertificates certificates,
            CancellationToken cancellationToken)
        {
            lock (Given) Given[device.Name!.Value] = certificates;
            return Task.FromResult(answer?.Invoke(device.Name!.Value) ?? DeviceInstallOutcome.Done);
        }
    }

    private sealed class Fixture : IDisposable
    {
        private Fixture(TempSite site, TestCa ca, CsrRunResult requests)
        {
            Site = site;
            Ca = ca;
            var signed = requests.Zips.SelectMany(z => TempSite.Entries(z.Path)).Where(e =>
                e.Key.EndsWith(".pem", StringComparison.Ordinal))
                .Select(e => (Name: e.Key.Replace(".pem", ".crt", StringComparison.Ordinal),
                    Data: Encoding.ASCII.GetBytes(Ca.Sign(e.Value)))).ToList();
            Certificates = signed.ToDictionary(s => s.Name[..s.Name.IndexOf('.', StringComparison.Ordinal)], s =>
                Encoding.ASCII.GetString(s.Data), StringComparer.Ordinal);
            SignedZip = Site.File_("signed.zip");
            File.WriteAllBytes(SignedZip, TempSite.MakeZip([.. signed, ("issuer/iss-1.pem", Encoding.ASCII.GetBytes(Ca.Pem))]));
        }

        /// <summary>A site of <paramref name="devices"/> devices whose CSRs are requested and signed by <see cref="Ca"/> (not
        /// imported).</summary>
        public static async Task<Fixture> CreateAsync(int devices, string key = DeviceKeys)
        {
            var site = new TempSite(TempSite.Manifest(devices, key));
            var ca = new TestCa();
            File.WriteAllText(site.File_("ca.pem"), ca.Pem);
            var requests = await CsrRequester.RunAsync(site.ManifestPath, site.Text,
                new CsrRequestOptions { DeviceSource = key == DeviceKeys ? new FakeDevices() : null });
            Assert.Equal(devices, requests.Requested);
            return new Fixture(site, ca, requests);
        }

        public TestCa Ca { get; }

        public TempSite Site { get; }

        public string SignedZip { get; }

        /// <summary>The signed certificate (PEM) of each device, by name.</summary>
        public Dictionary<string, string> Certificates { get; }

        public Task<ImportResult> ImportAsync(IDeviceCertificateTarget? target, CancellationToken cancellationToken = default) =>
            CertificateImporter.RunAsync(Site.ManifestPath, Site.Text, SignedZip, new ImportOptions { DeviceTarget = target }, null,
                cancellationToken);

        public Task<InstallResult> InstallRecordedAsync(IDeviceCertificateTarget target, IProgress<InstallProgress>? progress = null) =>
            CertificateInstaller.InstallRecordedAsync(Site.ManifestPath, Site.Text, target, new InstallOptions(), progress);

        public string ChainFile(string device) => Path.Combine(Path.GetDirectoryName(Site.ManifestPath)!, "certificates",
            KeyStore.ManifestStem(Site.ManifestPath), device + ".chain.pem");

        public SiteLedger Ledger => LedgerFile.Load(Site.LedgerPath);

        public void Dispose() => Site.Dispose();
    }

    private static string Fingerprint(string pem)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return Fingerprints.Of(certificate.RawData);
    }

    [Fact]
    public async Task Each_accepted_certificate_is_installed_with_its_issuer_and_recorded_as_installed()
    {
        using var f = await Fixture.CreateAsync(3);
        var target = new FakeTarget();
        var result = await f.ImportAsync(target);

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

        var rows = StatusReport.For(Core.Checking.ManifestDocument.Parse(f.Site.ManifestPath, f.Site.Text).Manifest!, ledger,
            DateTimeOffset.UtcNow);
        Assert.All(rows, r => Assert.Equal(InstallState.Installed, r.Install));

        // Nothing is left to install: a re-run asks no device.
        var again = new FakeTarget();
        var second = await f.ImportAsync(again);
        Assert.Equal(3, second.Count(FileVerdict.AlreadyImported));
        Assert.Empty(again.Given);
        Assert.Empty(second.Installs);
        Assert.False(second.LedgerChanged);
    }

    [Fact]
    public async Task Without_a_target_installs_stay_pending_and_a_later_import_with_one_installs_them()
    {
        using var f = await Fixture.CreateAsync(2);
        var first = await f.ImportAsync(null);
        Assert.Equal(2, first.Count(FileVerdict.Accepted));
        Assert.Equal(2, first.InstallCount(InstallState.Pending));
        Assert.All(first.Installs, i => Assert.Contains("--bind", i.Detail));
        Assert.All(f.Ledger.Entries.Values, e => Assert.Equal(new CertificateInstall(InstallState.Pending, e.Certificate!.Fingerprint),
            e.Install));
        var rows = StatusReport.For(Core.Checking.ManifestDocument.Parse(f.Site.ManifestPath, f.Site.Text).Manifest!, f.Ledger,
            DateTimeOffset.UtcNow);
        Assert.All(rows, r => Assert.Equal((CertificateStatus.Valid, InstallState.Pending), (r.Status, r.Install)));

        var target = new FakeTarget();
        var second = await f.ImportAsync(target);
        Assert.Equal(2, second.Count(FileVerdict.AlreadyImported));
        Assert.Equal(2, second.InstallCount(InstallState.Installed));
        Assert.Equal(["dev-01", "dev-02"], target.Given.Keys.Order());
        Assert.All(f.Ledger.Entries.Values, e => Assert.Equal(InstallState.Installed, e.InstallStateOfCertificate));
    }

    [Fact]
    public async Task A_device_that_refuses_or_fails_is_recorded_with_its_reason_the_others_are_installed_and_a_rerun_retries_only_it()
    {
        using var f = await Fixture.CreateAsync(4);
        const string refusal =
            "device 1002 at 127.0.0.3:47808, network-port,2: ReinitializeDevice ACTIVATE_CHANGES: error device/invalid-configuration-data";
        var target = new FakeTarget(name => name switch
        {
            "dev-02" => DeviceInstallOutcome.Failed(refusal),
            "dev-03" => throw new IOException("socket closed"),
            _ => DeviceInstallOutcome.Done,
        });
        var result = await f.ImportAsync(target);

        Assert.Equal(4, result.Count(FileVerdict.Accepted));
        Assert.Equal((2, 2), (result.InstallCount(InstallState.Installed), result.InstallCount(InstallState.Failed)));
        Assert.Equal(refusal, Assert.Single(result.Installs, i => i.Device == "dev-02").Detail);
        Assert.Equal("IOException: socket closed", Assert.Single(result.Installs, i => i.Device == "dev-03").Detail);
        var ledger = f.Ledger;
        Assert.Equal((InstallState.Failed, refusal), (ledger.Find("dev-02")!.Install!.State, ledger.Find("dev-02")!.Install!.Error));
        // nothing else is lost
        Assert.All(ledger.Entries.Values, e => Assert.Equal(CertificateStatus.Valid, e.StatusAt(DateTimeOffset.UtcNow)));
        var rows = StatusReport.For(Core.Checking.ManifestDocument.Parse(f.Site.ManifestPath, f.Site.Text).Manifest!, ledger,
            DateTimeOffset.UtcNow);
        Assert.Equal(refusal, Assert.Single(rows, r => r.Device == "dev-02").InstallError);

        var retry = new FakeTarget();
        var second = await f.ImportAsync(retry);
        Assert.Equal(["dev-02", "dev-03"], retry.Given.Keys.Order());
        Assert.Equal(2, second.InstallCount(InstallState.Installed));
        Assert.All(f.Ledger.Entries.Values, e => Assert.Equal(
            new CertificateInstall(InstallState.Installed, e.Certificate!.Fingerprint, e.Install!.At), e.Install));
    }

    [Fact]
    public async Task A_site_with_local_keys_installs_nothing_and_records_no_install()
    {
        using var f = await Fixture.CreateAsync(2, "{ algorithm: ecdsa, curve: P-256, source: local }");
        var target = new FakeTarget();
        var result = await f.ImportAsync(target);
        Assert.Equal(2, result.Count(FileVerdict.Accepted));
        Assert.Empty(target.Given);
        Assert.Empty(result.Installs);
        Assert.All(f.Ledger.Entries.Values, e => Assert.Null(e.Install));
        Assert.DoesNotContain("install", File.ReadAllText(f.Site.LedgerPath));
    }

    [Fact]
    public async Task A_new_csr_keeps_the_install_of_the_issued_certificate_and_a_renewal_starts_afresh()
    {
        using var f = await Fixture.CreateAsync(1);
        await f.ImportAsync(new FakeTarget());
        var installed = f.Ledger.Find("dev-01")!;
        // The certificate is valid for a year: renewing it now is an explicit choice (Renew).
        await CsrRequester.RunAsync(f.Site.ManifestPath, f.Site.Text,
            new CsrRequestOptions { DeviceSource = new FakeDevices(), Pending = PendingPolicy.Overwrite, Renew = true });
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
        using var unrelated = new CertificateRequest("CN=Other", subKey, HashAlgorithmName.SHA256).CreateSelfSigned(
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        Assert.Equal([issuing, root], CertificateInstaller.Chain(issuing, [unrelated, issuing, root]));
        Assert.Equal([issuing], CertificateInstaller.Chain(issuing, [unrelated, issuing]));
        Assert.Equal([root], CertificateInstaller.Chain(root, [root, issuing]));
    }

    /// <summary>Reports synchronously (System.Progress posts to the thread pool).</summary>
    private sealed class Collect<T> : IProgress<T>
    {
        public List<T> Items { get; } = [];

        public void Report(T value)
        {
            lock (Items) Items.Add(value);
        }
    }

    [Fact]
    public async Task Import_keeps_each_devices_chain_and_install_recorded_installs_the_pending_ones_from_it_without_the_cas_answer()
    {
        using var f = await Fixture.CreateAsync(3);
        var first = await f.ImportAsync(null);
        Assert.Equal(3, first.InstallCount(InstallState.Pending));
        foreach (var (device, pem) in f.Certificates)
        {
            // The certificate and its issuer, exactly what the device gets; owner-only like the bundles; no key.
            string chain = File.ReadAllText(f.ChainFile(device));
            Assert.Equal(pem.Trim() + "\n" + f.Ca.Pem.Trim() + "\n", chain.Replace("\r", ""));
            Assert.DoesNotContain("PRIVATE", chain);
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite,
                File.GetUnixFileMode(f.ChainFile(device)));
            Assert.Contains($"{device}.chain.pem", Assert.Single(first.Files, x => x.Device == device).Reason);
        }
        File.Delete(f.SignedZip); // not needed any more

        // dev-02 failed once before: failed installs are retried too.
        var failing = new FakeTarget(name => name == "dev-02"
            ? DeviceInstallOutcome.Failed("did not answer (no answer after 3 attempt(s))") : DeviceInstallOutcome.Done);
        var progress = new Collect<InstallProgress>();
        var run = await f.InstallRecordedAsync(failing, progress);
        Assert.Null(run.Refusal);
        Assert.Equal((2, 1, false), (run.Count(InstallState.Installed), run.Count(InstallState.Failed), run.Cancelled));
        Assert.Equal(["dev-01", "dev-02", "dev-03"], progress.Items.Select(p => p.Device).Order());
        Assert.Equal([1, 2, 3], progress.Items.Select(p => p.Done).Order());
        Assert.All(progress.Items, p => Assert.Equal(3, p.Total));
        foreach (var (device, given) in failing.Given)
        {
            Assert.Equal(Fingerprint(f.Certificates[device]), Fingerprint(given.Operational));
            Assert.Equal(Fingerprint(f.Ca.Pem), Fingerprint(Assert.Single(given.Issuers)));
        }
        Assert.Equal(InstallState.Failed, f.Ledger.Find("dev-02")!.InstallStateOfCertificate);

        var retry = new FakeTarget();
        var second = await f.InstallRecordedAsync(retry);
        Assert.Equal(["dev-02"], retry.Given.Keys);
        Assert.True(second.LedgerChanged);
        Assert.All(f.Ledger.Entries.Values, e => Assert.Equal(InstallState.Installed, e.InstallStateOfCertificate));

        string ledger = File.ReadAllText(f.Site.LedgerPath);
        var none = new FakeTarget();
        var third = await f.InstallRecordedAsync(none);
        Assert.Empty(none.Given);
        Assert.Empty(third.Installs);
        Assert.False(third.LedgerChanged);
        Assert.Equal(ledger, File.ReadAllText(f.Site.LedgerPath));
    }

    [Fact]
    public async Task A_missing_or_foreign_chain_file_is_not_installed_and_an_import_of_the_answer_writes_it_again()
    {
        using var f = await Fixture.CreateAsync(3);
        await f.ImportAsync(null);
        File.Delete(f.ChainFile("dev-01"));
        File.WriteAllText(f.ChainFile("dev-02"), f.Certificates["dev-03"] + f.Ca.Pem); // another device's certificate
        File.WriteAllText(f.ChainFile("dev-03"), f.Certificates["dev-03"]);            // no issuer after it
        string ledger = File.ReadAllText(f.Site.LedgerPath);

        var target = new FakeTarget();
        var run = await f.InstallRecordedAsync(target);
        Assert.Empty(target.Given);
        Assert.Equal(3, run.Count(InstallState.Pending));
        Assert.Contains("dev-01.chain.pem is missing", run.Installs[0].Detail);
        Assert.Contains("does not hold the certificate the ledger records", run.Installs[1].Detail);
        Assert.Contains("does not hold the certificate the ledger records", run.Installs[2].Detail);
        Assert.All(run.Installs, i => Assert.EndsWith("import the CA's answer again to rewrite it", i.Detail));
        Assert.Equal(ledger, File.ReadAllText(f.Site.LedgerPath));

        var again = await f.ImportAsync(null);
        Assert.All(again.Files.Where(x => x.Device is not null), x =>
            Assert.Matches(@"^already imported; its missing dev-0\d\.chain\.pem written now$", x.Reason));
        Assert.Equal(3, (await f.InstallRecordedAsync(target)).Count(InstallState.Installed));
    }

    [Fact]
    public async Task Install_recorded_refuses_a_site_with_local_keys()
    {
        using var f = await Fixture.CreateAsync(1, "{ algorithm: ecdsa, curve: P-256, source: local }");
        await f.ImportAsync(null);
        var run = await f.InstallRecordedAsync(new FakeTarget());
        Assert.Contains("key.source: local", run.Refusal);
        Assert.Empty(run.Installs);
    }

    [Fact]
    public async Task Cancelled_installs_finish_the_devices_being_written_record_them_and_leave_the_others_pending()
    {
        using var f = await Fixture.CreateAsync(CertificateInstaller.Parallel + 8);
        using var cancel = new CancellationTokenSource();
        var target = new FakeTarget(_ =>
        {
            cancel.Cancel(); // before any worker that finished a device can take its next one
            return DeviceInstallOutcome.Done;
        });
        var result = await f.ImportAsync(target, cancel.Token);

        Assert.True(result.InstallsCancelled);
        Assert.Equal(CertificateInstaller.Parallel + 8, result.Count(FileVerdict.Accepted)); // the certificates are recorded
        Assert.Equal(CertificateInstaller.Parallel + 8, result.Installs.Length);
        var installed = result.Installs.Where(i => i.State == InstallState.Installed).Select(i => i.Device).Order().ToList();
        Assert.NotEmpty(installed);
        Assert.Equal(target.Given.Keys.Order(), installed);                      // every device started was finished and recorded
        Assert.True(installed.Count <= CertificateInstaller.Parallel,
            $"{installed.Count} devices started: each worker started one at most");
        Assert.All(result.Installs.Where(i => i.State != InstallState.Installed), i =>
            Assert.Equal((InstallState.Pending, "not installed: cancelled before its turn"), (i.State, i.Detail)));
        var ledger = f.Ledger;
        Assert.All(ledger.Entries.Values, e => Assert.Equal(target.Given.ContainsKey(e.Device) ? InstallState.Installed
            : InstallState.Pending, e.InstallStateOfCertificate));

        // The rest is installed later, from the ledger.
        var rest = new FakeTarget();
        var run = await f.InstallRecordedAsync(rest);
        Assert.Equal(CertificateInstaller.Parallel + 8 - installed.Count, run.Count(InstallState.Installed));
        Assert.Empty(rest.Given.Keys.Intersect(installed));
    }
}
