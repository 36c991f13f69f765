using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertLsp.Core.Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace CertLsp.Core.Tests.Certificates;

public sealed class CsrGeneratorTests
{
    private static readonly DeviceSubject Subject = new("DE", "Bayern", "München", "Test GmbH", "Gebäudetechnik", "AHU-1.bms.test.example",
        "bms@test.example");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Subject_is_in_order_with_the_required_string_types_and_attributes_present(bool ecdsa)
    {
        using var request = CsrGenerator.Generate(Subject, ecdsa ? KeySpec.EcdsaP256 : KeySpec.Rsa2048);
        var bc = TestCa.ParseRequest(Encoding.ASCII.GetBytes(request.CsrPem));
        Assert.True(bc.Verify());
        var info = bc.GetCertificationRequestInfo();
        Assert.NotNull(info.Attributes);
        Assert.Empty(info.Attributes);

        var rdns = ((Asn1Sequence)info.Subject.ToAsn1Object()).Cast<Asn1Set>().Select(set => (Asn1Sequence)set[0]).ToList();
        var expected = new (DerObjectIdentifier Oid, Type StringType, string Value)[]
        {
            (X509Name.C, typeof(DerPrintableString), "DE"),
            (X509Name.ST, typeof(DerUtf8String), "Bayern"),
            (X509Name.L, typeof(DerUtf8String), "München"),
            (X509Name.O, typeof(DerUtf8String), "Test GmbH"),
            (X509Name.OU, typeof(DerUtf8String), "Gebäudetechnik"),
            (X509Name.CN, typeof(DerUtf8String), "AHU-1.bms.test.example"),
            (X509Name.EmailAddress, typeof(DerIA5String), "bms@test.example"),
        };
        Assert.Equal(expected.Length, rdns.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Oid, rdns[i][0]);
            Assert.IsType(expected[i].StringType, rdns[i][1]);
            Assert.Equal(expected[i].Value, ((IAsn1String)rdns[i][1]).GetString());
        }
    }

    [Fact]
    public void Attributes_field_is_encoded_as_an_empty_context_0_set()
    {
        using var request = CsrGenerator.Generate(Subject, KeySpec.EcdsaP256);
        var reader = new AsnReader(request.CsrDer, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        reader.ReadInteger();
        reader.ReadEncodedValue();
        reader.ReadEncodedValue();
        var attributes = reader.ReadSetOf(new Asn1Tag(TagClass.ContextSpecific, 0));
        Assert.False(attributes.HasData);
        Assert.False(reader.HasData);
    }

    [NeedsTheory(Needs.OpenSsl)]
    [InlineData(false)]
    [InlineData(true)]
    public void Openssl_verifies_the_request_and_reads_the_utf8_subject(bool ecdsa)
    {
        using var request = CsrGenerator.Generate(Subject, ecdsa ? KeySpec.EcdsaP256 : KeySpec.Rsa2048);
        string file = Path.Combine(Path.GetTempPath(), $"certlsp-csr-{Guid.NewGuid():N}.pem");
        File.WriteAllText(file, request.CsrPem);
        try
        {
            var (exit, output) = OpenSsl.Run("req", "-in", file, "-verify", "-noout");
            Assert.True(exit == 0, output);
            Assert.Contains("verify OK", output);
            var (_, subject) = OpenSsl.Run("req", "-in", file, "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus");
            Assert.Contains(
                "C=DE,ST=Bayern,L=München,O=Test GmbH,OU=Gebäudetechnik,CN=AHU-1.bms.test.example,emailAddress=bms@test.example", subject);
            var (_, text) = OpenSsl.Run("req", "-in", file, "-noout", "-text");
            Assert.Contains(ecdsa ? "ecdsa-with-SHA256" : "sha256WithRSAEncryption", text);
            Assert.Contains(ecdsa ? "NIST CURVE: P-256" : "Public-Key: (2048 bit)", text);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Dotnet_loads_the_request_with_signature_validation_and_the_pem_ends_with_a_newline()
    {
        using var request = CsrGenerator.Generate(Subject, KeySpec.EcdsaP256);
        Assert.EndsWith("-----END CERTIFICATE REQUEST-----\n", request.CsrPem);
        var loaded = CertificateRequest.LoadSigningRequestPem(request.CsrPem, HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.Default);
        Assert.Equal(request.PublicKey, Fingerprints.OfPublicKey(loaded.PublicKey));
        var (cn, key) = CsrGenerator.Inspect(Encoding.ASCII.GetBytes(request.CsrPem));
        Assert.Equal("AHU-1.bms.test.example", cn);
        Assert.Equal(request.PublicKey, key);
    }

    [Fact]
    public void Subject_without_email_has_six_attributes()
    {
        using var request = CsrGenerator.Generate(Subject with { Email = null }, KeySpec.EcdsaP256);
        var info = TestCa.ParseRequest(request.CsrDer).GetCertificationRequestInfo();
        Assert.Equal(6, ((Asn1Sequence)info.Subject.ToAsn1Object()).Count);
    }
}
