using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertLsp.Core.Certificates;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Requests;

namespace CertLsp.Workflows.Tests.Certificates;

public sealed class CertificateImporterTests
{
    private sealed class Fixture : IDisposable
    {
        private Fixture(TempSite site)
        {
            Site = site;
            File.WriteAllText(Site.File_("ca.pem"), Ca.Pem);
        }

        public static async Task<Fixture> CreateAsync(int devices = 2, string key = "{ algorithm: ecdsa, curve: P-256, source: local }",
            ZipLayout layout = ZipLayout.Flat)
        {
            var fixture = new Fixture(new TempSite(TempSite.Manifest(devices, key)));
            fixture.Requests = await CsrRequester.RunAsync(fixture.Site.ManifestPath, fixture.Site.Text,
                new CsrRequestOptions { Layout = layout });
            Assert.Equal(devices, fixture.Requests.Requested);
            return fixture;
        }

        public TestCa Ca { get; } = new();

        public TempSite Site { get; }

        public CsrRunResult Requests { get; private set; } = null!;

        /// <summary>The CSRs of the run, by device CN.</summary>
        public IEnumerable<(string Cn, byte[] Csr)> Csrs() =>
            Requests.Zips.SelectMany(z => TempSite.Entries(z.Path)).Where(e => e.Key.Contains(".pem", StringComparison.Ordinal)
                && !e.Key.Contains("issuer", StringComparison.Ordinal))
                .Select(e => (CsrGenerator.Inspect(e.Value).CommonName!, e.Value));

        public string Zip(string name, params (string Name, string Content)[] entries)
        {
            string path = Site.File_(name);
            File.WriteAllBytes(path, TempSite.MakeZip([.. entries.Select(e => (e.Name, Encoding.ASCII.GetBytes(e.Content)))]));
            return path;
        }

        /// <summary>Every CSR signed by the CA, zipped flat with the issuer.</summary>
        public string SignedZip(string name = "signed.zip") =>
            Zip(name, [.. Csrs().Select(c => ($"{c.Cn}.crt", Ca.Sign(c.Csr))), ("issuer/iss-1.pem", Ca.Pem)]);

        public Task<ImportResult> ImportAsync(string source, ImportOptions? options = null) =>
            CertificateImporter.RunAsync(Site.ManifestPath, Site.Text, source, options ?? new ImportOptions());

        public SiteLedger Ledger => LedgerFile.Load(Site.LedgerPath);

        public void Dispose() => Site.Dispose();
    }

    [Fact]
    public async Task Round_trip_records_every_certificate_and_writes_owner_only_bundles()
    {
        using var f = await Fixture.CreateAsync();
        var result = await f.ImportAsync(f.SignedZip());
        Assert.Equal(ImportState.Done, result.State);
        Assert.Equal(2, result.Count(FileVerdict.Accepted));
        Assert.Equal(1, result.Count(FileVerdict.Issuer));
        Assert.Contains("configured", result.Files.Single(x => x.Verdict == FileVerdict.Issuer).Reason);
        foreach (var entry in f.Ledger.Entries.Values)
        {
            Assert.Null(entry.Pending);
            Assert.Equal(CertificateStatus.Valid, entry.StatusAt(DateTimeOffset.UtcNow));
            Assert.Equal("O=CertLsp Tests, CN=CertLsp Test Issuing CA", entry.Certificate!.Issuer);
        }
        Assert.Contains("status: valid", File.ReadAllText(f.Site.LedgerPath));

        string bundles = Path.Combine(f.Site.Folder, "certificates", "site.site");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(bundles));
        foreach (var file in Directory.GetFiles(bundles).Where(p => !p.EndsWith(".gitignore", StringComparison.Ordinal)))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        string pass = File.ReadAllText(Path.Combine(bundles, "dev-01.p12.pass")).Trim();
        var p12 = X509CertificateLoader.LoadPkcs12CollectionFromFile(Path.Combine(bundles, "dev-01.p12"), pass);
        var leaf = p12.Single(c => c.HasPrivateKey);
        Assert.Equal("dev-01.bms.test.example", leaf.GetNameInfo(X509NameType.SimpleName, false));
        Assert.Equal(f.Ledger.Find("dev-01")!.Certificate!.PublicKey, Fingerprints.OfPublicKey(leaf.PublicKey));
        Assert.Equal(2, p12.Count);
        Assert.Throws<CryptographicException>(() => X509CertificateLoader.LoadPkcs12CollectionFromFile(Path.Combine(bundles, "dev-01.p12"),
            "wrong"));
        Assert.Equal(2, CertificateFiles.ReadAll(File.ReadAllBytes(Path.Combine(bundles, "dev-01.chain.pem"))).Count);

        PrivateKeyScan.AssertAbsent(f.Site, [f.Site.LedgerPath, .. Directory.GetFiles(bundles, "*.chain.pem")],
            [.. result.Files.Select(x => x.Reason)]);
    }

    [Fact]
    public async Task The_ledger_records_the_extended_key_usage_of_each_imported_certificate()
    {
        using var f = await Fixture.CreateAsync();
        Assert.Equal(ImportState.Done, (await f.ImportAsync(f.SignedZip())).State);
        // The test CA issues clientAuth and serverAuth, in that order: recorded by name, so CL0409 can judge the SC tool's certificate.
        foreach (var entry in f.Ledger.Entries.Values)
        {
            Assert.Equal(["clientAuth", "serverAuth"], entry.Certificate!.ExtendedKeyUsages!.Value.ToArray());
            Assert.True(entry.Certificate.AllowsClientAuth);
        }
        Assert.Contains("  certificate-eku: clientAuth,serverAuth\n", File.ReadAllText(f.Site.LedgerPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_is_idempotent()
    {
        using var f = await Fixture.CreateAsync();
        string zip = f.SignedZip();
        Assert.True((await f.ImportAsync(zip)).LedgerChanged);
        string ledger = File.ReadAllText(f.Site.LedgerPath);
        var again = await f.ImportAsync(zip);
        Assert.False(again.LedgerChanged);
        Assert.Equal(2, again.Count(FileVerdict.AlreadyImported));
        Assert.Equal(ledger, File.ReadAllText(f.Site.LedgerPath));
    }

    [Fact]
    public async Task Cari_response_zips_and_unpacked_folders_are_read()
    {
        using var f = await Fixture.CreateAsync(layout: ZipLayout.Cari);
        var entries = f.Csrs().Select((c, i) => ($"cert1/device-{1001 + i}/port-1/opr-{c.Cn}.pem", f.Ca.Sign(c.Csr))).ToList();
        string folder = Path.Combine(f.Site.Folder, "response");
        foreach (var (name, content) in entries.Append(("cert1/issuer/iss-1.pem", f.Ca.Pem)).Append(("cert1/response-notes.txt", "signed")))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, name))!);
            File.WriteAllText(Path.Combine(folder, name), content);
        }
        var result = await f.ImportAsync(folder);
        Assert.Equal(2, result.Count(FileVerdict.Accepted));
        Assert.Equal(1, result.Count(FileVerdict.Skipped));
    }

    private static ImportedFile OnlyCertificate(ImportResult result) =>
        Assert.Single(result.Files, x => x.Verdict is FileVerdict.Rejected or FileVerdict.Accepted);

    private static async Task AssertRejectedAsync(Fixture f, string zip, string reason, ImportOptions? options = null)
    {
        string before = File.ReadAllText(f.Site.LedgerPath);
        var result = await f.ImportAsync(zip, options);
        var file = OnlyCertificate(result);
        Assert.Equal(FileVerdict.Rejected, file.Verdict);
        Assert.Contains(reason, file.Reason);
        Assert.Equal(before, File.ReadAllText(f.Site.LedgerPath));
    }

    [Fact]
    public async Task Malformed_certificates_are_rejected()
    {
        using var f = await Fixture.CreateAsync(1);
        await AssertRejectedAsync(f, f.Zip("z.zip", ("a.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")),
            "not well formed");
    }

    [Fact]
    public async Task Expired_certificates_are_rejected()
    {
        using var f = await Fixture.CreateAsync(1);
        var (_, csr) = f.Csrs().Single();
        await AssertRejectedAsync(f, f.Zip("z.zip", ("a.pem", f.Ca.Sign(csr, DateTime.UtcNow.AddDays(-30), DateTime.UtcNow.AddDays(-1)))),
            "expired on");
    }

    [Fact]
    public async Task Certificates_not_yet_valid_are_rejected()
    {
        using var f = await Fixture.CreateAsync(1);
        var (_, csr) = f.Csrs().Single();
        await AssertRejectedAsync(f, f.Zip("z.zip", ("a.pem", f.Ca.Sign(csr, DateTime.UtcNow.AddDays(2), DateTime.UtcNow.AddDays(30)))),
            "not valid before");
    }

    [Fact]
    public async Task Certificates_of_an_unconfigured_issuer_are_rejected()
    {
        using var f = await Fixture.CreateAsync(1);
        var (_, csr) = f.Csrs().Single();
        await AssertRejectedAsync(f, f.Zip("z.zip", ("a.pem", new TestCa("Rogue CA").Sign(csr))),
            "not signed directly by a configured issuer");
    }

    [Fact]
    public async Task Certificates_whose_issuer_name_matches_but_signature_does_not_are_rejected()
    {
        using var f = await Fixture.CreateAsync(1);
        var (_, csr) = f.Csrs().Single();
        await AssertRejectedAsync(f, f.Zip("z.zip", ("a.pem", new TestCa().Sign(csr))), "not signed directly by a configured issuer");
    }

    [Fact]
    public async Task Revoked_certificates_are_rejected_when_a_crl_is_given()
    {
        using var f = await Fixture.CreateAsync(1);
        var (_, csr) = f.Csrs().Single();
        string cert = f.Ca.Sign(csr);
        File.WriteAllBytes(f.Site.File_("ca.crl"), f.Ca.Crl(cert));
        await AssertRejectedAsync(f, f.Zip("z.zip", ("a.pem", cert)), "revoked on",
            new ImportOptions { RevocationLists = [f.Site.File_("ca.crl")] });
    }

    [Fact]
    public async Task A_crl_not_signed_by_a_configured_issuer_refuses_the_import()
    {
        using var f = await Fixture.CreateAsync(1);
        File.WriteAllBytes(f.Site.File_("rogue.crl"), new TestCa("Rogue CA").Crl());
        var result = await f.ImportAsync(f.SignedZip(), new ImportOptions { RevocationLists = [f.Site.File_("rogue.crl")] });
        Assert.Equal(ImportState.Refused, result.State);
        Assert.Contains("not signed by a configured issuer", result.Refusal);
    }

    [Fact]
    public async Task Certificates_for_another_key_than_the_pending_csr_are_rejected()
    {
        using var f = await Fixture.CreateAsync(1);
        var (_, csr) = f.Csrs().Single();
        var other = TestCa.ParseRequest(CsrGenerator.Generate(new DeviceSubject("DE", "B", "M", "O", "U", "x", null),
            KeySpec.EcdsaP256).CsrDer).GetPublicKey();
        await AssertRejectedAsync(f, f.Zip("z.zip", ("a.pem", f.Ca.Sign(csr, overrideKey: other))),
            "public key is not the one of the pending CSR");
    }

    [Fact]
    public async Task Certificates_whose_cn_is_no_device_are_rejected()
    {
        using var f = await Fixture.CreateAsync(1);
        var (_, csr) = f.Csrs().Single();
        await AssertRejectedAsync(f, f.Zip("z.zip", ("a.pem", f.Ca.Sign(csr, overrideCn: "stranger.example"))),
            "is no device's of this site");
    }

    [Fact]
    public async Task A_second_certificate_for_a_device_without_a_pending_csr_is_rejected()
    {
        using var f = await Fixture.CreateAsync(1);
        var (_, csr) = f.Csrs().Single();
        Assert.Equal(FileVerdict.Accepted, OnlyCertificate(await f.ImportAsync(f.Zip("z1.zip", ("a.pem", f.Ca.Sign(csr))))).Verdict);
        await AssertRejectedAsync(f, f.Zip("z2.zip", ("a.pem", f.Ca.Sign(csr))), "no CSR is pending");
    }

    [Fact]
    public async Task Two_certificates_for_one_device_in_one_import_accept_only_the_first()
    {
        using var f = await Fixture.CreateAsync(1);
        var (_, csr) = f.Csrs().Single();
        var result = await f.ImportAsync(f.Zip("z.zip", ("a.pem", f.Ca.Sign(csr)), ("b.pem", f.Ca.Sign(csr))));
        Assert.Equal([FileVerdict.Accepted, FileVerdict.Rejected], result.Files.Select(x => x.Verdict));
        Assert.Contains("another certificate in this import", result.Files[1].Reason);
        Assert.Equal(CertificateStatus.Valid, f.Ledger.Find("dev-01")!.StatusAt(DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task Private_keys_in_the_answer_are_rejected_unread()
    {
        using var f = await Fixture.CreateAsync(1);
        var result = await f.ImportAsync(f.Zip("z.zip", ("cert1/device-1/port-1/key-x.pem",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")));
        Assert.Contains("private key", Assert.Single(result.Files).Reason);
        Assert.Equal(FileVerdict.Rejected, result.Files[0].Verdict);
    }

    [Fact]
    public async Task Without_any_configured_issuer_the_import_is_refused()
    {
        using var f = await Fixture.CreateAsync(1);
        File.Delete(f.Site.File_("ca.pem"));
        var result = await f.ImportAsync(f.SignedZip());
        Assert.Equal(ImportState.Refused, result.State);
        Assert.Contains("no issuer certificate", result.Refusal);
    }

    [Fact]
    public async Task A_hostile_zip_is_refused_and_nothing_is_recorded()
    {
        using var f = await Fixture.CreateAsync(1);
        string before = File.ReadAllText(f.Site.LedgerPath);
        var (_, csr) = f.Csrs().Single();
        var result = await f.ImportAsync(f.Zip("z.zip", ("a.pem", f.Ca.Sign(csr)), ("../escape.pem", "x")));
        Assert.Equal(ImportState.Refused, result.State);
        Assert.Contains("path traversal", result.Refusal);
        Assert.Equal(before, File.ReadAllText(f.Site.LedgerPath));
        Assert.False(File.Exists(Path.Combine(f.Site.Folder, "..", "escape.pem")));
    }

    [Fact]
    public async Task A_crl_given_later_marks_an_imported_certificate_revoked_and_cl0404_reports_it()
    {
        using var f = await Fixture.CreateAsync(1);
        var (_, csr) = f.Csrs().Single();
        string cert = f.Ca.Sign(csr);
        await f.ImportAsync(f.Zip("z.zip", ("a.pem", cert)));
        File.WriteAllBytes(f.Site.File_("ca.crl"), f.Ca.Crl(cert));
        var result = await f.ImportAsync(f.Zip("empty.zip", ("notes.txt", "nothing")),
            new ImportOptions { RevocationLists = [f.Site.File_("ca.crl")] });
        Assert.Equal("dev-01", Assert.Single(result.NewlyRevoked));
        Assert.Equal(CertificateStatus.Revoked, f.Ledger.Find("dev-01")!.StatusAt(DateTimeOffset.UtcNow));
        var document = ManifestDocument.Parse(f.Site.ManifestPath, f.Site.Text,
            new LedgerInput(f.Site.LedgerPath, File.ReadAllText(f.Site.LedgerPath)));
        Assert.Contains(document.LocalDiagnostics, d => d.Code == "CL0404");
    }

    [Fact]
    public async Task With_a_passphrase_the_bundle_uses_it_and_no_passphrase_file_is_written()
    {
        var f = await Fixture.CreateAsync(1);
        using (f)
        {
            // Re-request with encrypted keys.
            var again = await CsrRequester.RunAsync(f.Site.ManifestPath, f.Site.Text,
                new CsrRequestOptions { Pending = PendingPolicy.Overwrite, Passphrase = "s3cret" });
            var csr = TempSite.Entries(again.Zips.Single().Path).Values.Single();
            var result = await f.ImportAsync(f.Zip("z.zip", ("a.pem", f.Ca.Sign(csr))), new ImportOptions { Passphrase = "s3cret" });
            Assert.Equal(FileVerdict.Accepted, OnlyCertificate(result).Verdict);
            string bundles = Path.Combine(f.Site.Folder, "certificates", "site.site");
            Assert.False(File.Exists(Path.Combine(bundles, "dev-01.p12.pass")));
            Assert.Single(X509CertificateLoader.LoadPkcs12CollectionFromFile(Path.Combine(bundles, "dev-01.p12"), "s3cret"), c =>
                c.HasPrivateKey);
        }
    }

    [Fact]
    public async Task Der_certificates_are_accepted()
    {
        using var f = await Fixture.CreateAsync(1);
        var (_, csr) = f.Csrs().Single();
        using var cert = X509Certificate2.CreateFromPem(f.Ca.Sign(csr));
        string path = f.Site.File_("der.zip");
        File.WriteAllBytes(path, TempSite.MakeZip(("a.cer", cert.RawData)));
        Assert.Equal(FileVerdict.Accepted, OnlyCertificate(await f.ImportAsync(path)).Verdict);
    }
}
