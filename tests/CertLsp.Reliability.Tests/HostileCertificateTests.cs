using System.Text;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Reliability.Tests.Support;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Requests;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;
using Xunit.Abstractions;

namespace CertLsp.Reliability.Tests;

/// <summary>
/// What a CA (or someone posing as one) may send back: certificates with huge or odd extensions, weak or mismatched signature
/// algorithms, a certificate for another device's key, odd names and serials. Each gets a verdict with a reason, none crashes the
/// import, and only a certificate a device could use is recorded.
/// </summary>
public sealed class HostileCertificateTests(ITestOutputHelper output)
{
    public sealed class Fixture : IDisposable
    {
        private Fixture(TempSite site, TestCa ca)
        {
            Site = site;
            Ca = ca;
            foreach (var (_, csr) in Site.Zips.SelectMany(TempSite.Entries))
            {
                var request = TestCa.ParseRequest(csr);
                Keys[request.GetCertificationRequestInfo().Subject.GetValueList(X509Name.CN)[0]!.ToString()!] = request.GetPublicKey();
            }
        }

        /// <summary>A site of two devices whose CSRs are pending, its CA's certificate the manifest's ca.pem.</summary>
        public static async Task<Fixture> CreateAsync()
        {
            var site = new TempSite(TempSite.Manifest(2));
            var ca = new TestCa();
            File.WriteAllText(site.File_("ca.pem"), ca.Pem);
            Assert.Equal(2, (await CsrRequester.RunAsync(site.ManifestPath, site.Text, new CsrRequestOptions())).Requested);
            return new Fixture(site, ca);
        }

        public TestCa Ca { get; }

        public TempSite Site { get; }

        /// <summary>The pending CSRs' public keys by CN.</summary>
        public Dictionary<string, AsymmetricKeyParameter> Keys { get; } = [];

        public Task<ImportResult> ImportAsync(string name, byte[] data)
        {
            string zip = Site.File_("answer.zip");
            File.WriteAllBytes(zip, TempSite.MakeZip((name, data)));
            return CertificateImporter.RunAsync(Site.ManifestPath, Site.Text, zip, new ImportOptions());
        }

        public void Dispose() => Site.Dispose();
    }

    private const string Dev1 = "dev-01.bms.test.example", Dev2 = "dev-02.bms.test.example";

    /// <summary>A certificate signed by the fixture's CA; the defaults are those of a good device certificate.</summary>
    private static byte[] Certificate(Fixture f, string subject = "CN=" + Dev1, string? keyOf = null, string algorithm = "SHA256WITHECDSA",
        Action<X509V3CertificateGenerator>? extensions = null, bool defaults = true, BigInteger? serial = null)
    {
        var b = new X509V3CertificateGenerator();
        b.SetSerialNumber(serial ?? BigInteger.ValueOf(Random.Shared.NextInt64(1, long.MaxValue)));
        b.SetIssuerDN(f.Ca.Name);
        b.SetSubjectDN(new X509Name(subject));
        b.SetNotBefore(DateTime.UtcNow.AddMinutes(-5));
        b.SetNotAfter(DateTime.UtcNow.AddDays(365));
        b.SetPublicKey(f.Keys[keyOf ?? Dev1]);
        if (defaults)
        {
            b.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
            b.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));
            b.AddExtension(X509Extensions.ExtendedKeyUsage, false,
                new ExtendedKeyUsage(KeyPurposeID.id_kp_clientAuth, KeyPurposeID.id_kp_serverAuth));
        }
        extensions?.Invoke(b);
        return Encoding.ASCII.GetBytes(TestCa.ToPem(b.Generate(new Asn1SignatureFactory(algorithm, f.Ca.Keys.Private))));
    }

    public sealed record Case(string Name, Func<Fixture, byte[]> Make, FileVerdict Verdict, string Reason)
    {
        public override string ToString() => Name;
    }

    private static readonly DerObjectIdentifier Private = new("1.3.6.1.4.1.55555.1");

    public static TheoryData<Case> Cases() =>
    [
        new Case("a good certificate (control)", f => Certificate(f), FileVerdict.Accepted, "accepted"),
        new Case("signed with SHA-1", f => Certificate(f, algorithm: "SHA1WITHECDSA"), FileVerdict.Rejected, "SHA-1"),
        new Case("signed with SHA-512 (fine)", f => Certificate(f, algorithm: "SHA512WITHECDSA"), FileVerdict.Accepted, "accepted"),
        new Case("an unknown critical extension", f => Certificate(f, extensions: b =>
            b.AddExtension(Private, true, new DerOctetString([1, 2, 3]))), FileVerdict.Rejected, "critical extension"),
        new Case("a CA certificate (basicConstraints CA:TRUE)", f =>
            Certificate(f, defaults: false, extensions: b => b.AddExtension(X509Extensions.BasicConstraints, true,
            new BasicConstraints(true))), FileVerdict.Rejected, "CA certificate"),
        new Case("a 30 KB non-critical extension (ignored)", f =>
            Certificate(f, extensions: b => b.AddExtension(Private, false, new DerOctetString(new byte[30_000]))), FileVerdict.Accepted,
            "accepted"),
        new Case("1,000 subject alternative names", f => Certificate(f, extensions: b =>
            b.AddExtension(X509Extensions.SubjectAlternativeName, false,
            new GeneralNames([.. Enumerable.Range(0, 1000).Select(i =>
                new GeneralName(GeneralName.DnsName, $"alt{i}.bms.test.example"))]))), FileVerdict.Accepted, "accepted"),
        // The site's profile is bacnet-sc: a certificate without key usages cannot serve a BACnet/SC device (docs/certificates.md).
        new Case("no extensions at all", f => Certificate(f, defaults: false), FileVerdict.Rejected,
            "it has no keyUsage: the CA profile “bacnet-sc” needs keyUsage digitalSignature"),
        new Case("a certificate for another device's key", f => Certificate(f, keyOf: Dev2), FileVerdict.Rejected,
            "public key is not the one of the pending CSR"),
        new Case("a multi-valued name holding the CN", f => Certificate(f, subject: $"CN={Dev1}+O=Evil"), FileVerdict.Rejected,
            "common name"),
        new Case("an empty subject", f => Certificate(f, subject: ""), FileVerdict.Rejected, "common name"),
        new Case("a CN with a control character", f => Certificate(f, subject: "CN=dev-01\u0001.bms.test.example"), FileVerdict.Rejected,
            "no device's"),
        new Case("a 20-byte serial number", f => Certificate(f, serial: new BigInteger(1, [0x7F, .. new byte[19]])), FileVerdict.Accepted,
            "accepted"),
        new Case("a PEM certificate block holding a CSR", f =>
            Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(TempSite.Entries(f.Site.Zips[0]).First().Value).Replace("CERTIFICATE REQUEST",
            "CERTIFICATE", StringComparison.Ordinal)), FileVerdict.Rejected, "not"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Odd_certificates_get_a_verdict_with_a_reason_and_only_usable_ones_are_recorded(Case @case)
    {
        using var f = await Fixture.CreateAsync();
        var ledgerBefore = File.ReadAllText(f.Site.LedgerPath);
        var result = await f.ImportAsync($"{Dev1}.crt", @case.Make(f));
        Assert.Equal(ImportState.Done, result.State);
        var file = Assert.Single(result.Files);
        output.WriteLine($"{@case.Name}: {file.Verdict}: {file.Reason}");
        Assert.Equal(@case.Verdict, file.Verdict);
        Assert.Contains(@case.Reason, file.Reason);
        if (file.Verdict != FileVerdict.Accepted) Assert.Equal(ledgerBefore, File.ReadAllText(f.Site.LedgerPath));
        else Assert.NotNull(LedgerFile.Load(f.Site.LedgerPath).Find("dev-01")!.Certificate);
        SiteConsistency.Assert(f.Site);
        Leaks.AssertNone(f.Site, [string.Join('\n', result.Files.Select(x => x.Reason))]);
    }

    [Fact]
    public async Task A_certificate_over_64_KiB_refuses_the_whole_zip()
    {
        using var f = await Fixture.CreateAsync();
        var result = await f.ImportAsync($"{Dev1}.crt", Certificate(f, extensions: b =>
            b.AddExtension(Private, false, new DerOctetString(new byte[70_000]))));
        Assert.Equal(ImportState.Refused, result.State);
        Assert.Contains("bytes", result.Refusal);
    }
}
