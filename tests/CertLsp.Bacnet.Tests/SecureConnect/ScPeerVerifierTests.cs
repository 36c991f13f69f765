using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Core.Certificates;
using Xunit;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>
/// <see cref="ScPeerVerifier"/>: every reason it gives, each on a certificate made by <see cref="TestAuthority"/>, and OpenSSL
/// (<c>openssl verify -x509_strict -purpose sslclient|sslserver [-verify_ip] [-crl_check]</c> against the same issuer file) agreeing
/// with each verdict it can judge.
/// </summary>
public sealed class ScPeerVerifierTests : IDisposable
{
    private const string Host = "127.0.0.5";
    private readonly TestAuthority ca = new("Site Root CA");
    private readonly TestAuthority other = new("Another Root CA");
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-scverify-").FullName;
    private int files;

    private ScPeerVerifier Verifier(params byte[][] crls) => new([ca.PublicCertificate], crls);

    /// <summary>Each case: the certificate, the role it is checked for, the CRL configured (or none), and the start of the reason
    /// (null: accepted).</summary>
    private List<(string Name, X509Certificate2 Certificate, ScPeerRole Role, byte[]? Crl, string? Reason)> Cases()
    {
        var revoked = ca.Issue(CertificateRole.Device, "revoked");
        var kept = ca.Issue(CertificateRole.Device, "kept");
        return
        [
            ("device as node", ca.Issue(CertificateRole.Device, "dev-1"), ScPeerRole.Node, null, null),
            ("tool as node", ca.Issue(CertificateRole.Tool, "tool"), ScPeerRole.Node, null, null),
            ("hub as hub", ca.Issue(CertificateRole.Hub, "hub", Host), ScPeerRole.Hub, null, null),
            ("another CA", other.Issue(CertificateRole.Device, "dev-x"), ScPeerRole.Node, null, "certificate from another CA"),
            ("expired", ca.Expired(CertificateRole.Device, "old"), ScPeerRole.Node, null, "expired on "),
            ("not yet valid", ca.NotYetValid(CertificateRole.Device, "new"), ScPeerRole.Node, null, "not yet valid"),
            ("serverAuth only", ca.ServerAuthOnly("srv"), ScPeerRole.Node, null, "no clientAuth in extended key usage"),
            ("tool as hub", ca.Issue(CertificateRole.Tool, "tool", Host), ScPeerRole.Hub, null, "no serverAuth in extended key usage"),
            ("clientAuth-only hub", ca.ClientAuthOnly("hub", Host), ScPeerRole.Hub, null, "no serverAuth in extended key usage"),
            ("no digitalSignature", ca.WithoutDigitalSignature("ke"), ScPeerRole.Node, null, "keyUsage lacks digitalSignature"),
            ("self-signed", TestAuthority.SelfSigned("self"), ScPeerRole.Node, null, "self-signed"),
            ("hub for another host", ca.Issue(CertificateRole.Hub, "hub", "127.0.0.6"), ScPeerRole.Hub, null,
                "the subjectAltName does not name the hub host 127.0.0.5"),
            ("hub with a DNS SAN", ca.Issue(CertificateRole.Hub, "hub", "hub.test.example"), ScPeerRole.Hub, null,
                "the subjectAltName does not name the hub host 127.0.0.5"),
            ("device (CN the host, no SAN) as hub", ca.Issue(CertificateRole.Device, Host), ScPeerRole.Hub, null, "no subjectAltName"),
            ("revoked", revoked, ScPeerRole.Node, ca.Crl([revoked]), "revoked (CRL of "),
            ("not revoked", kept, ScPeerRole.Node, ca.Crl([revoked]), null),
            ("stale CRL", kept, ScPeerRole.Node, ca.Crl([], DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(-8)),
                "the CRL of "),
        ];
    }

    [Fact]
    public void Every_reason_is_given_for_the_certificate_that_has_it()
    {
        foreach (var (name, certificate, role, crl, reason) in Cases())
        {
            var verdict = (crl is null ? Verifier() : Verifier(crl)).Verify(certificate, role, Host);
            if (reason is null) Assert.True(verdict is null, $"{name}: {verdict}");
            else Assert.True(verdict?.StartsWith(reason, StringComparison.Ordinal) == true, $"{name}: “{verdict}”, expected “{reason}…”");
        }
    }

    [Fact]
    public void Reasons_name_the_dates_the_issuer_and_what_the_certificate_has()
    {
        var expired = ca.Expired(CertificateRole.Device, "old");
        Assert.Equal($"expired on {expired.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC",
            Verifier().Verify(expired, ScPeerRole.Node));
        Assert.Equal("self-signed (CN=dev-x)", Verifier().Verify(TestAuthority.SelfSigned("dev-x"), ScPeerRole.Node));
        // The site's own root presented as a peer's certificate (OpenSSL, trusting it, would accept it).
        Assert.StartsWith("self-signed", Verifier().Verify(ca.PublicCertificate, ScPeerRole.Node), StringComparison.Ordinal);
        Assert.Contains("issued by CN=Another Root CA", Verifier().Verify(other.Issue(CertificateRole.Device, "d"), ScPeerRole.Node),
            StringComparison.Ordinal);
        Assert.Contains("(it has serverAuth)", Verifier().Verify(ca.ServerAuthOnly("s"), ScPeerRole.Node), StringComparison.Ordinal);
        Assert.Equal("no certificate", Verifier().Verify(null, ScPeerRole.Node));
        Assert.Equal("no hub host to match the certificate against", Verifier().Verify(ca.Issue(CertificateRole.Hub, "h", Host),
            ScPeerRole.Hub));
    }

    [Fact]
    public void Any_of_several_issuers_may_have_signed_and_a_crl_of_another_issuer_does_not_apply()
    {
        var verifier = new ScPeerVerifier([ca.PublicCertificate, other.PublicCertificate], [other.Crl([])]);
        Assert.Null(verifier.Verify(ca.Issue(CertificateRole.Device, "a"), ScPeerRole.Node));
        Assert.Null(verifier.Verify(other.Issue(CertificateRole.Device, "b"), ScPeerRole.Node));
        using var third = new TestAuthority("Third Root CA");
        Assert.StartsWith("certificate from another CA", verifier.Verify(third.Issue(CertificateRole.Device, "c"), ScPeerRole.Node),
            StringComparison.Ordinal);
        // A certificate whose issuer name is a configured issuer's but whose signature is not that issuer's: another CA.
        using var impostor = new TestAuthority("Site Root CA");
        Assert.StartsWith("certificate from another CA", Verifier().Verify(impostor.Issue(CertificateRole.Device, "d"), ScPeerRole.Node),
            StringComparison.Ordinal);
        // A CRL that claims the site issuer's name but is signed by another key is not trusted.
        Assert.StartsWith("the CRL of", Verifier(impostor.Crl([])).Verify(ca.Issue(CertificateRole.Device, "e"), ScPeerRole.Node),
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_clock_decides_the_dates()
    {
        var leaf = ca.Issue(CertificateRole.Device, "dev");
        var later = new FixedClock(leaf.NotAfter.ToUniversalTime().AddMinutes(1));
        Assert.StartsWith("expired on", new ScPeerVerifier([ca.PublicCertificate], clock: later).Verify(leaf, ScPeerRole.Node),
            StringComparison.Ordinal);
        var earlier = new FixedClock(leaf.NotBefore.ToUniversalTime().AddMinutes(-1));
        Assert.StartsWith("not yet valid", new ScPeerVerifier([ca.PublicCertificate], clock: earlier).Verify(leaf, ScPeerRole.Node),
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_delegate_and_the_ssl_callback_say_what_verify_says()
    {
        var verifier = Verifier();
        var good = ca.Issue(CertificateRole.Device, "dev");
        var bad = other.Issue(CertificateRole.Device, "dev");
        Assert.Null(verifier.For(ScPeerRole.Node)(good, null));
        Assert.StartsWith("certificate from another CA", verifier.For(ScPeerRole.Node)(bad, []), StringComparison.Ordinal);
        var reasons = new List<string>();
        var callback = verifier.Callback(ScPeerRole.Node, refused: reasons.Add);
        // The platform's verdict (here: the chain is untrusted by the OS) is not what decides.
        Assert.True(callback(this, good, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(callback(this, bad, null, SslPolicyErrors.None));
        Assert.False(callback(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
        Assert.Equal(2, reasons.Count);
        Assert.Equal("no certificate", reasons[1]);
    }

    [NeedsFact(Needs.OpenSsl)]
    public void OpenSsl_agrees_with_every_verdict()
    {
        string caFile = Write(ca.Pem);
        foreach (var (name, certificate, role, crl, reason) in Cases())
        {
            string purpose = role == ScPeerRole.Node ? "sslclient" : "sslserver";
            List<string> args = ["verify", "-x509_strict", "-CAfile", caFile, "-purpose", purpose];
            if (role == ScPeerRole.Hub) args.AddRange(["-verify_ip", Host]);
            if (crl is not null) args.AddRange(["-crl_check", "-CRLfile", Write(PemEncoding.WriteString("X509 CRL", crl))]);
            args.Add(Write(certificate.ExportCertificatePem()));
            var (exit, output) = OpenSslRunner.Run([.. args]);
            Assert.True((exit == 0) == (reason is null), $"{name}: openssl says {output.Trim()}, CertLsp says {reason ?? "accepted"}");
        }
    }

    private string Write(string text)
    {
        string path = Path.Combine(folder, $"f{Interlocked.Increment(ref files)}.pem");
        File.WriteAllText(path, text + "\n");
        return path;
    }

    public void Dispose()
    {
        ca.Dispose();
        other.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private sealed class FixedClock(DateTime utc) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utc, TimeSpan.Zero);
    }
}
