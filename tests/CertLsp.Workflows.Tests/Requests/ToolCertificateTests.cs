using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertLsp.Core.Certificates;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Requests;

namespace CertLsp.Workflows.Tests.Requests;

/// <summary>
/// The commissioning tool's own BACnet/SC certificate (“bacnet.secureConnect.tool”) through the devices' CSR and import flow: a key made
/// here, a CSR in the zip asking for clientAuth, a pending tool block; the signed certificate recognised by its key on import; then the
/// tool's rules (CL0406, CL0409) judge real data.
/// </summary>
public sealed class ToolCertificateTests
{
    private const string Tool = "certlsp-tool";
    private const string ToolCn = "certlsp-tool.bms.test.example";

    private static string Manifest(int devices = 2, string key = "{ algorithm: ecdsa, curve: P-256, source: local }") =>
        TempSite.Manifest(devices, key).Replace("devices:\n",
            $"bacnet:\n  secureConnect:\n    primaryHub: wss://127.0.0.2:47843\n    tool:\n      name: {Tool}\ndevices:\n",
            StringComparison.Ordinal);

    private sealed class Fixture : IDisposable
    {
        public Fixture(string? manifest = null)
        {
            Site = new TempSite(manifest ?? Manifest());
            File.WriteAllText(Site.File_("ca.pem"), Ca.Pem);
        }

        public TempSite Site { get; }

        public TestAuthority Ca { get; } = new();

        public SiteLedger Ledger => LedgerFile.Load(Site.LedgerPath);

        public KeyStore Keys => KeyStore.ForManifest(Site.ManifestPath, null);

        public Task<CsrRunResult> CsrAsync(CsrRequestOptions? options = null) =>
            CsrRequester.RunAsync(Site.ManifestPath, Site.Text, options ?? new CsrRequestOptions());

        /// <summary>The CSRs of a zip by CN, PEM.</summary>
        public static Dictionary<string, string> Csrs(string zip) =>
            CsrZip.ReadRequests(zip).ToDictionary(r => CsrGenerator.Inspect(r.Data).CommonName!, r => Encoding.ASCII.GetString(r.Data));

        /// <summary>Signs every CSR of the zip as the CA does (the tool's as a tool unless <paramref name="toolServerAuthOnly"/>), zipped
        /// flat with the issuer.</summary>
        public string Sign(string zip, bool toolServerAuthOnly = false, string name = "signed.zip")
        {
            var entries = new List<(string, byte[])>();
            foreach (var (cn, pem) in Csrs(zip))
            {
                var certificate = cn == ToolCn ? Ca.SignCsr(pem, CertificateRole.Tool, serverAuthOnly: toolServerAuthOnly)
                    : Ca.SignCsr(pem, CertificateRole.Device);
                entries.Add(($"{cn}.crt", Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n")));
            }
            entries.Add(("issuer/iss-1.pem", Encoding.ASCII.GetBytes(Ca.Pem)));
            string path = Site.File_(name);
            File.WriteAllBytes(path, TempSite.MakeZip([.. entries]));
            return path;
        }

        public Task<ImportResult> ImportAsync(string source) =>
            CertificateImporter.RunAsync(Site.ManifestPath, Site.Text, source, new ImportOptions());

        /// <summary>The codes <c>certlsp check</c> reports for the manifest with its ledger as it is.</summary>
        public List<string> Codes()
        {
            var document = ManifestDocument.Parse(Site.ManifestPath, Site.Text,
                new LedgerInput(Site.LedgerPath, File.ReadAllText(Site.LedgerPath)), DateTimeOffset.UtcNow);
            return [.. ManifestChecker.Check([document]).All.Select(d => d.Code)];
        }

        public void Dispose()
        {
            Ca.Dispose();
            Site.Dispose();
        }
    }

    [Fact]
    public async Task Csr_requests_the_tool_with_a_key_made_here_a_clientAuth_request_and_a_pending_tool_block()
    {
        using var f = new Fixture();
        var result = await f.CsrAsync();
        Assert.Equal(CsrRunState.Done, result.State);
        Assert.Equal(3, result.Requested);
        var tool = Assert.Single(result.Devices, d => d.Tool);
        Assert.Equal((Tool, ToolCn, DeviceOutcome.Requested), (tool.Device, tool.CommonName, tool.Outcome));
        Assert.Equal("dev-02", result.Devices[1].Device); // the devices first, in manifest order, then the tool

        var zip = Assert.Single(f.Site.Zips);
        var csrs = Fixture.Csrs(zip);
        Assert.Equal([ToolCn, "dev-01.bms.test.example", "dev-02.bms.test.example"], csrs.Keys.Order(StringComparer.Ordinal));
        var request = CertificateRequest.LoadSigningRequestPem(csrs[ToolCn], HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var requested = Assert.Single(request.CertificateExtensions, e => e.Oid?.Value == "2.5.29.37");
        var eku = new X509EnhancedKeyUsageExtension(requested, requested.Critical);
        Assert.Equal([CertificateUsage.ClientAuth], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.Contains("O=Test GmbH", request.SubjectName.Name, StringComparison.Ordinal);
        // A device's request asks for no extension: the CA's profile decides.
        Assert.Empty(CertificateRequest.LoadSigningRequestPem(csrs["dev-01.bms.test.example"], HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions).CertificateExtensions);

        var block = f.Ledger.FindTool(Tool)!;
        Assert.Equal(Path.GetFileName(zip), block.Pending!.Zip);
        Assert.Null(f.Ledger.Find(Tool));
        string keyFile = f.Keys.PathFor(ToolFiles.Name(Tool), block.Pending.PublicKey);
        Assert.True(File.Exists(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Contains("CL0406", f.Codes()); // requested, not issued yet
        SiteConsistency.Assert(f.Site);
        PrivateKeyScan.AssertAbsent(f.Site, [f.Site.LedgerPath, zip], [.. result.Devices.Select(d => d.Detail)]);
    }

    [Fact]
    public async Task Csr_sign_import_records_the_tool_certificate_and_CL0406_clears()
    {
        using var f = new Fixture();
        var csr = await f.CsrAsync();
        var import = await f.ImportAsync(f.Sign(csr.Zips[0].Path));
        Assert.Equal(ImportState.Done, import.State);
        Assert.Equal(3, import.Count(FileVerdict.Accepted));
        Assert.Contains(import.Files, file => file.Device == Tool && file.Verdict == FileVerdict.Accepted);

        var block = f.Ledger.FindTool(Tool)!;
        Assert.Null(block.Pending);
        Assert.Equal(["clientAuth"], block.Certificate!.ExtendedKeyUsages!.Value.ToArray());
        Assert.True(block.Certificate.NotAfter > DateTimeOffset.UtcNow.AddDays(300));
        Assert.Null(f.Ledger.Find(Tool));
        var codes = f.Codes();
        Assert.DoesNotContain("CL0406", codes);
        Assert.DoesNotContain("CL0409", codes);

        // The tool's bundle, as a device's: its certificate with the issuer, and a PKCS#12 with the key from the key folder.
        string bundles = CertificateInstaller.DefaultBundleFolder(f.Site.ManifestPath);
        var chain = CertificateFiles.ReadAll(File.ReadAllBytes(BundleWriter.ChainPath(bundles, ToolFiles.Name(Tool))));
        Assert.Equal(block.Certificate.Fingerprint, Fingerprints.Of(chain[0].RawData));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite,
            File.GetUnixFileMode(BundleWriter.ChainPath(bundles, ToolFiles.Name(Tool))));
        SiteConsistency.Assert(f.Site);

        var status = StatusReport.ForTool(ManifestDocument.Parse(f.Site.ManifestPath, f.Site.Text).Manifest!, f.Ledger,
            DateTimeOffset.UtcNow)!;
        Assert.Equal((Tool, CertificateStatus.Valid, true), (status.Device, status.Status, status.Tool));

        // Importing it again changes nothing; a re-run of csr finds the tool's certificate valid and leaves it be.
        Assert.False((await f.ImportAsync(f.Site.File_("signed.zip"))).LedgerChanged);
        var again = await f.CsrAsync();
        Assert.Equal(DeviceOutcome.NotDue, again.Devices.Single(d => d.Tool).Outcome);
        Assert.True(File.Exists(f.Keys.PathFor(ToolFiles.Name(Tool), block.Certificate.PublicKey)));
        PrivateKeyScan.AssertAbsent(f.Site, [f.Site.LedgerPath, .. Directory.GetFiles(bundles, "*.chain.pem")],
            [.. import.Files.Select(x => x.Reason)]);
    }

    [Fact]
    public async Task A_tool_certificate_without_clientAuth_is_recorded_and_gives_CL0409_and_is_requested_again()
    {
        using var f = new Fixture();
        var csr = await f.CsrAsync();
        var import = await f.ImportAsync(f.Sign(csr.Zips[0].Path, toolServerAuthOnly: true));
        Assert.Equal(3, import.Count(FileVerdict.Accepted));
        Assert.Equal(["serverAuth"], f.Ledger.FindTool(Tool)!.Certificate!.ExtendedKeyUsages!.Value.ToArray());
        var codes = f.Codes();
        Assert.Contains("CL0409", codes);
        Assert.DoesNotContain("CL0406", codes);

        // It cannot join a hub: the next run requests the tool again (CL0409 does not block it), not the devices.
        var again = await f.CsrAsync();
        Assert.Equal(CsrRunState.Done, again.State);
        Assert.Equal(DeviceOutcome.Requested, again.Devices.Single(d => d.Tool).Outcome);
        Assert.All(again.Devices.Where(d => !d.Tool), d => Assert.Equal(DeviceOutcome.NotDue, d.Outcome));
    }

    [Fact]
    public async Task A_rerun_of_csr_does_not_void_the_tools_pending_request()
    {
        using var f = new Fixture();
        await f.CsrAsync();
        var pending = f.Ledger.FindTool(Tool)!.Pending!;
        string ledger = File.ReadAllText(f.Site.LedgerPath);

        var stopped = await f.CsrAsync();
        Assert.Equal(CsrRunState.PendingConflict, stopped.State);
        Assert.Contains(stopped.Pending, p => p.Tool && p.Device == Tool);
        Assert.Equal(ledger, File.ReadAllText(f.Site.LedgerPath));

        var kept = await f.CsrAsync(new CsrRequestOptions { Pending = PendingPolicy.Keep });
        Assert.Equal(CsrRunState.Done, kept.State);
        Assert.Equal(DeviceOutcome.NoActionTaken, kept.Devices.Single(d => d.Tool).Outcome);
        Assert.Equal(pending, f.Ledger.FindTool(Tool)!.Pending);
        // Reconciling counts the tool's key as live: neither deleted nor quarantined.
        Assert.True(File.Exists(f.Keys.PathFor(ToolFiles.Name(Tool), pending.PublicKey)));
        Assert.False(Directory.Exists(f.Keys.QuarantineFolder) && Directory.EnumerateFiles(f.Keys.QuarantineFolder).Any());

        // A run for named devices or a batch leaves the tool out.
        var named = await f.CsrAsync(new CsrRequestOptions { Devices = ["dev-01"], Pending = PendingPolicy.Keep });
        Assert.DoesNotContain(named.Devices, d => d.Tool);
        Assert.Equal(pending, f.Ledger.FindTool(Tool)!.Pending);
        SiteConsistency.Assert(f.Site);
    }

    [Fact]
    public async Task A_site_whose_devices_hold_their_keys_still_makes_the_tools_key_here()
    {
        using var f = new Fixture(Manifest(1, "{ algorithm: ecdsa, curve: P-256, source: device }"));
        var source = new OneCsrSource();
        var result = await f.CsrAsync(new CsrRequestOptions { DeviceSource = source });
        Assert.Equal(CsrRunState.Done, result.State);
        Assert.Equal(2, result.Requested);
        var block = f.Ledger.FindTool(Tool)!;
        // The only key file is the tool's: the device keeps its own.
        Assert.Equal([f.Keys.PathFor(ToolFiles.Name(Tool), block.Pending!.PublicKey)], f.Keys.Files());

        // The tool's certificate gets a bundle (its key is here); the device's is recorded for install.
        var import = await f.ImportAsync(f.Sign(result.Zips[0].Path));
        Assert.Equal(2, import.Count(FileVerdict.Accepted));
        Assert.NotNull(f.Ledger.FindTool(Tool)!.Certificate);
        Assert.Equal(InstallState.Pending, f.Ledger.Find("dev-01")!.InstallStateOfCertificate);
        string bundles = CertificateInstaller.DefaultBundleFolder(f.Site.ManifestPath);
        Assert.True(File.Exists(Path.Combine(bundles, SafeNames.For(ToolFiles.Name(Tool)) + ".p12")));
        Assert.Single(import.Installs); // the device only
    }

    /// <summary>A device that makes its own key and answers with its CSR.</summary>
    private sealed class OneCsrSource : IDeviceCsrSource
    {
        public Task<DeviceCsrOutcome> RequestAsync(DeviceEntry device, CancellationToken cancellationToken)
        {
            var subject = new DeviceSubject("DE", "Bayern", "München", "Test GmbH", "Gebäudetechnik",
                $"{device.Name!.Value}.bms.test.example", "bms@test.example");
            using var request = CsrGenerator.Generate(subject, KeySpec.EcdsaP256);
            return Task.FromResult(DeviceCsrOutcome.Of(request.CsrDer));
        }
    }
}
