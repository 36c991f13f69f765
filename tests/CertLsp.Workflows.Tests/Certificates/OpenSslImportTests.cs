using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Workflows.Tests.Certificates;

/// <summary>Import of what a real OpenSSL CA (<c>openssl ca</c>, <c>openssl x509 -req</c>, <c>openssl crl2pkcs7</c>) answers.</summary>
public sealed partial class OpenSslImportTests
{
    private const string Good = "extendedKeyUsage = clientAuth,serverAuth";

    public sealed record UsageCase(string Name, string Profile, string[] Extensions, string? Refusal, bool X509Req = false)
    {
        public override string ToString() => $"{Profile}: {Name}";
    }

    private static readonly string[] NoEku = ["basicConstraints = critical,CA:FALSE", "keyUsage = critical,digitalSignature"];

    private static string[] With(params string[] lines) => ["basicConstraints = critical,CA:FALSE", .. lines];

    public static TheoryData<UsageCase> UsageCases() =>
    [
        new("digitalSignature, clientAuth and serverAuth", "bacnet-sc", OpenSslCa.DeviceExtensions, null),
        new("codeSigning only", "bacnet-sc", With("keyUsage = critical,digitalSignature", "extendedKeyUsage = codeSigning"),
            "its extendedKeyUsage lacks clientAuth and serverAuth (it has codeSigning): the CA profile “bacnet-sc” needs clientAuth and " +
                "serverAuth"),
        new("codeSigning only (openssl x509 -req)", "bacnet-sc",
            With("keyUsage = critical,digitalSignature", "extendedKeyUsage = codeSigning"),
            "its extendedKeyUsage lacks clientAuth and serverAuth (it has codeSigning)", X509Req: true),
        new("clientAuth only", "bacnet-sc", With("keyUsage = critical,digitalSignature", "extendedKeyUsage = clientAuth"),
            "its extendedKeyUsage lacks serverAuth (it has clientAuth)"),
        new("keyUsage cRLSign without digitalSignature", "bacnet-sc", With("keyUsage = critical,cRLSign", Good),
            "its keyUsage lacks digitalSignature (it has cRLSign): the CA profile “bacnet-sc” needs digitalSignature"),
        new("no extendedKeyUsage", "bacnet-sc", NoEku,
            "it has no extendedKeyUsage: the CA profile “bacnet-sc” needs clientAuth and serverAuth"),
        new("no keyUsage", "bacnet-sc", With(Good), "it has no keyUsage: the CA profile “bacnet-sc” needs keyUsage digitalSignature"),
        new("no extendedKeyUsage", "enos", NoEku, "it has no extendedKeyUsage: the CA profile “enos” needs clientAuth and serverAuth"),
        new("codeSigning only", "enos", With("keyUsage = critical,digitalSignature", "extendedKeyUsage = codeSigning"),
            "its extendedKeyUsage lacks clientAuth and serverAuth"),
        new("digitalSignature, clientAuth and serverAuth", "enos", OpenSslCa.DeviceExtensions, null),
        new("no extendedKeyUsage (any purpose)", "generic", NoEku, null),
        new("neither keyUsage nor extendedKeyUsage", "generic", ["basicConstraints = critical,CA:FALSE"], null),
        new("anyExtendedKeyUsage", "generic", With("keyUsage = critical,digitalSignature", "extendedKeyUsage = anyExtendedKeyUsage"), null),
        new("codeSigning only", "generic", With("keyUsage = critical,digitalSignature", "extendedKeyUsage = codeSigning"),
            "its extendedKeyUsage lacks clientAuth and serverAuth (it has codeSigning): the CA profile “generic” needs"),
        new("keyUsage cRLSign without digitalSignature", "generic", With("keyUsage = critical,cRLSign", Good),
            "its keyUsage lacks digitalSignature (it has cRLSign)"),
    ];

    [NeedsTheory(Needs.OpenSsl)]
    [MemberData(nameof(UsageCases))]
    public async Task Key_usage_and_extended_key_usage_are_checked_per_ca_profile(UsageCase c)
    {
        // enos accepts RSA 2048 only (CL0501), so its site has RSA keys.
        string key = c.Profile == "enos" ? "{ algorithm: rsa, size: 2048, source: local }"
            : "{ algorithm: ecdsa, curve: P-256, source: local }";
        using var site = await OpenSslSite.CreateAsync(profile: c.Profile, key: key);
        var result = await site.ImportAsync(site.Zip("signed.zip",
            ("dev-01.crt", site.Ca.Sign(site.Csr(1), c.Extensions, x509Req: c.X509Req))));
        var file = Assert.Single(result.Files);
        if (c.Refusal is null)
        {
            Assert.True(file.Verdict == FileVerdict.Accepted, file.Reason);
            Assert.Equal(CertificateStatus.Valid, site.Ledger.Find("dev-01")!.StatusAt(DateTimeOffset.UtcNow));
        }
        else
        {
            Assert.Equal(FileVerdict.Rejected, file.Verdict);
            Assert.Contains(c.Refusal, file.Reason, StringComparison.Ordinal);
            Assert.Equal(CertificateStatus.Pending, site.Ledger.Find("dev-01")!.StatusAt(DateTimeOffset.UtcNow));
        }
    }

    [NeedsFact(Needs.OpenSsl)]
    public async Task A_wildcard_cn_or_subject_alt_name_is_refused()
    {
        using var site = await OpenSslSite.CreateAsync(devices: 2);
        string wildcardCn = site.Ca.Sign(site.Csr(1), subject: "/O=Test GmbH/CN=*.bms.test.example");
        string wildcardSan = site.Ca.Sign(site.Csr(2), [.. OpenSslCa.DeviceExtensions,
            "subjectAltName = DNS:dev-02.bms.test.example,DNS:*.bms.test.example"]);
        var result = await site.ImportAsync(site.Zip("signed.zip", ("a.crt", wildcardCn), ("b.crt", wildcardSan)));
        Assert.All(result.Files, f => Assert.Equal(FileVerdict.Rejected, f.Verdict));
        Assert.Equal("its CN “*.bms.test.example” is a wildcard: a device certificate names exactly one host", result.Files[0].Reason);
        Assert.Equal("its subjectAltName dNSName “*.bms.test.example” is a wildcard: a device certificate names exactly one host",
            result.Files[1].Reason);
        Assert.All(site.Ledger.Entries.Values, e => Assert.Null(e.Certificate));
    }

    [NeedsFact(Needs.OpenSsl)]
    public async Task An_expired_crl_is_no_proof_of_non_revocation_warned_recorded_and_refused_when_strict()
    {
        using var site = await OpenSslSite.CreateAsync(devices: 2);
        string zip = site.Zip("signed.zip", ("dev-01.crt", site.Ca.Sign(site.Csr(1))), ("dev-02.crt", site.Ca.Sign(site.Csr(2))));
        var now = DateTimeOffset.UtcNow;
        string expired = site.Ca.Crl(now.AddDays(-14), now.AddDays(-7));

        var strict = await site.ImportAsync(zip, new ImportOptions { RevocationLists = [expired], StrictCrl = true });
        Assert.Equal(ImportState.Refused, strict.State);
        Assert.Contains($"the CRL {Path.GetFileName(expired)} expired on", strict.Refusal, StringComparison.Ordinal);
        Assert.Contains("strict CRL checking refuses an expired CRL: nothing was imported", strict.Refusal, StringComparison.Ordinal);
        Assert.All(site.Ledger.Entries.Values, e => Assert.Null(e.Certificate));

        var lenient = await site.ImportAsync(zip, new ImportOptions { RevocationLists = [expired] });
        Assert.Equal(2, lenient.Count(FileVerdict.Accepted));
        var warning = Assert.Single(lenient.Warnings);
        Assert.Contains("it is no proof that a certificate it does not list is not revoked", warning, StringComparison.Ordinal);
        Assert.All(lenient.Files, f => Assert.Contains("; not proven unrevoked: the CRL of its issuer expired on", f.Reason,
            StringComparison.Ordinal));
        var stale = site.Ledger.Find("dev-01")!.Certificate!.CrlExpired;
        Assert.NotNull(stale);
        Assert.Contains("certificate-crl-expired: ", File.ReadAllText(site.Site.LedgerPath), StringComparison.Ordinal);
        var manifest = Core.Checking.ManifestDocument.Parse(site.Site.ManifestPath, site.Site.Text).Manifest!;
        Assert.All(StatusReport.For(manifest, site.Ledger, DateTimeOffset.UtcNow), r => Assert.Equal(stale, r.CrlExpired));

        // A current CRL of the issuer, given later, proves it: the mark goes.
        var again = await site.ImportAsync(zip, new ImportOptions
        {
            RevocationLists =
            [site.Ca.Crl(now.AddMinutes(-1), now.AddDays(7), der: true)]
        });
        Assert.Empty(again.Warnings);
        Assert.Equal(2, again.Count(FileVerdict.AlreadyImported));
        Assert.All(site.Ledger.Entries.Values, e => Assert.Null(e.Certificate!.CrlExpired));
        Assert.DoesNotContain("certificate-crl-expired", File.ReadAllText(site.Site.LedgerPath), StringComparison.Ordinal);
    }

    [NeedsFact(Needs.OpenSsl)]
    public async Task A_certificate_on_an_expired_crl_is_still_revoked()
    {
        using var site = await OpenSslSite.CreateAsync();
        string pem = site.Ca.Sign(site.Csr(1));
        site.Ca.Revoke(pem);
        var now = DateTimeOffset.UtcNow;
        var result = await site.ImportAsync(site.Zip("signed.zip", ("dev-01.crt", pem)),
            new ImportOptions { RevocationLists = [site.Ca.Crl(now.AddDays(-14), now.AddDays(-7))] });
        Assert.Contains("revoked on", Assert.Single(result.Files).Reason, StringComparison.Ordinal);
    }

    [NeedsFact(Needs.OpenSsl)]
    public async Task A_fullchain_pem_is_read_as_the_leaf_and_its_chain_alone_or_in_a_zip()
    {
        using var site = await OpenSslSite.CreateAsync(devices: 2);
        string single = site.Write("dev-01.fullchain.pem", site.Ca.Sign(site.Csr(1)) + site.Ca.Pem);
        var alone = await site.ImportAsync(single);
        Assert.Equal(ImportState.Done, alone.State);
        var file = Assert.Single(alone.Files);
        Assert.True(file.Verdict == FileVerdict.Accepted, file.Reason);
        Assert.Equal("dev-01", file.Device);

        var zipped = await site.ImportAsync(site.Zip("signed.zip", ("dev-02.pem", site.Ca.Sign(site.Csr(2)) + site.Ca.Pem)));
        Assert.True(Assert.Single(zipped.Files).Verdict == FileVerdict.Accepted, zipped.Files[0].Reason);
        Assert.All(site.Ledger.Entries.Values, e => Assert.Equal(CertificateStatus.Valid, e.StatusAt(DateTimeOffset.UtcNow)));
    }

    [NeedsFact(Needs.OpenSsl)]
    public async Task A_pkcs7_bundle_as_ad_cs_answers_is_read_in_der_and_pem()
    {
        using var site = await OpenSslSite.CreateAsync(devices: 2);
        string der = site.Write("dev-01.p7b", site.Ca.Pkcs7(der: true, site.Ca.Sign(site.Csr(1)), site.Ca.Pem));
        var first = await site.ImportAsync(der);
        Assert.True(Assert.Single(first.Files).Verdict == FileVerdict.Accepted, first.State + " " + first.Refusal + " "
            + first.Files.FirstOrDefault()?.Reason);

        byte[] pem = site.Ca.Pkcs7(der: false, site.Ca.Pem, site.Ca.Sign(site.Csr(2)));
        Assert.StartsWith("-----BEGIN PKCS7-----", Encoding.ASCII.GetString(pem), StringComparison.Ordinal);
        var second = await site.ImportAsync(site.Write("signed.zip", TempSite.MakeZip(("certnew.p7b", pem))));
        Assert.True(Assert.Single(second.Files).Verdict == FileVerdict.Accepted, second.Files[0].Reason);
        Assert.All(site.Ledger.Entries.Values, e => Assert.Equal(CertificateStatus.Valid, e.StatusAt(DateTimeOffset.UtcNow)));
    }

    [NeedsFact(Needs.OpenSsl)]
    public async Task A_zip_of_50_device_certificates_and_ca_crt_is_accepted_and_51_are_refused()
    {
        using var site = await OpenSslSite.CreateAsync(devices: 51);
        var certificates = Enumerable.Range(1, 51).Select(i => ($"{OpenSslSite.Cn(i)}.crt", site.Ca.Sign(site.Csr(i)))).ToList();

        var over = await site.ImportAsync(site.Zip("over.zip", [.. certificates, ("ca.crt", site.Ca.Pem)]));
        Assert.Equal(ImportState.Refused, over.State);
        Assert.Contains("51 device certificate files; a zip holds at most 50 operational certificates", over.Refusal,
            StringComparison.Ordinal);

        var result = await site.ImportAsync(site.Zip("signed.zip", [.. certificates.Take(50), ("ca.crt", site.Ca.Pem)]));
        Assert.True(result.State == ImportState.Done, result.Refusal);
        Assert.Equal(50, result.Count(FileVerdict.Accepted));
        var issuer = Assert.Single(result.Files, f => f.Verdict == FileVerdict.Issuer);
        Assert.Equal("ca.crt", issuer.Name);
        Assert.Equal("issuer certificate: one of the configured issuers", issuer.Reason);
    }

    [NeedsFact(Needs.OpenSsl)]
    public async Task A_certificate_of_a_rogue_ca_with_the_configured_name_is_refused_with_both_fingerprints()
    {
        using var site = await OpenSslSite.CreateAsync();
        using var rogue = new OpenSslCa(); // the same name as the configured CA, another key
        Assert.Equal(X509Certificate2.CreateFromPem(site.Ca.Pem).Subject, X509Certificate2.CreateFromPem(rogue.Pem).Subject);
        string configured = Fingerprints.Of(X509Certificate2.CreateFromPem(site.Ca.Pem).RawData);
        string presented = Fingerprints.Of(X509Certificate2.CreateFromPem(rogue.Pem).RawData);

        var result = await site.ImportAsync(site.Zip("signed.zip", ("dev-01.crt", rogue.Sign(site.Csr(1))), ("ca.crt", rogue.Pem)));
        var rejected = Assert.Single(result.Files, f => f.Verdict == FileVerdict.Rejected);
        Assert.Equal(
            $"not signed directly by a configured issuer (its issuer is “CN=OpenSSL Test Issuing CA, O=CertLsp Tests”); the configured " +
            $"issuer of that name, {configured}, "
            + $"did not sign it; it was signed by the issuer certificate {presented} in the answer, which is not configured",
                rejected.Reason);
        var issuer = Assert.Single(result.Files, f => f.Verdict == FileVerdict.Issuer);
        Assert.Contains($"but is another certificate: {presented} here, {configured} configured", issuer.Reason, StringComparison.Ordinal);

        // A fullchain file carries the rogue issuer with the leaf: named the same way.
        var chained = await site.ImportAsync(site.Write("dev-01.fullchain.pem", rogue.Sign(site.Csr(1)) + rogue.Pem));
        Assert.Contains($"it was signed by the issuer certificate {presented} in the answer", Assert.Single(chained.Files).Reason,
            StringComparison.Ordinal);
    }

    [NeedsFact(Needs.OpenSsl)]
    public async Task Pkcs12_bundles_use_100000_pbkdf2_iterations_like_the_key_files()
    {
        using var site = await OpenSslSite.CreateAsync();
        var result = await site.ImportAsync(site.Zip("signed.zip", ("dev-01.crt", site.Ca.Sign(site.Csr(1)))));
        Assert.Equal(1, result.Count(FileVerdict.Accepted));
        string bundles = Path.Combine(site.Site.Folder, "certificates", "site.site");
        string info = OpenSslCa.Run("pkcs12", "-info", "-noout", "-in", Path.Combine(bundles, "dev-01.p12"), "-passin", "file:"
            + Path.Combine(bundles, "dev-01.p12.pass"));
        var counts = Iterations().Matches(info).Select(m =>
            int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(counts.Count >= 3, info); // the MAC, the certificates' encryption and the shrouded key bag
        Assert.All(counts, n => Assert.Equal(100_000, n));
        Assert.Contains("PBES2, PBKDF2, AES-256-CBC", info, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Iteration (\d+)")]
    private static partial Regex Iterations();
}
