using CertLsp.Core.Certificates;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Editing;

namespace CertLsp.Core.Tests.Certificates;

/// <summary>
/// “ca.subjectEncoding”: the subject's directory strings as UTF8String (default) or PrintableString, read back by openssl, and
/// signed by `openssl ca` with the default policy_match and a CA whose own name is PrintableString (it refuses UTF8String).
/// </summary>
public sealed class SubjectEncodingCsrTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-enc-").FullName;

    private static string Manifest(string? encoding) => $$"""
        site: Riverside Campus
        domain: bms.riverside.example
        ca: { profile: generic{{(encoding is null ? "" : $", subjectEncoding: {encoding}")}} }
        subject: { country: US, state: Wisconsin, locality: Milwaukee, organization: Riverside Health, organizationalUnit: Facilities }
        devices:
          - name: AHU-1
          - name: Boiler-2
            subject: { locality: Zürich }

        """;

    private string Csr(string? encoding, int device = 0)
    {
        var document = ManifestDocument.Parse("site.site.yaml", Manifest(encoding));
        var manifest = document.Manifest!;
        var subject = DeviceSubject.For(manifest, manifest.Devices[device])!;
        using var request = CsrGenerator.Generate(subject, KeySpec.EcdsaP256);
        string path = Path.Combine(folder, $"{encoding ?? "default"}-{device}.csr");
        File.WriteAllText(path, request.CsrPem);
        return path;
    }

    /// <summary>The subject's attributes as openssl shows them with their types (“ST=PRINTABLESTRING:Wisconsin”).</summary>
    private static string[] Subject(string csr)
    {
        var (exit, output) = OpenSsl.Run("req", "-in", csr, "-noout", "-subject", "-nameopt", "show_type,sep_multiline,utf8");
        Assert.True(exit == 0, output);
        return [.. output.Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0)];
    }

    [NeedsFact(Needs.OpenSsl)]
    public void Printable_encodes_every_attribute_as_printablestring_and_utf8_stays_the_default()
    {
        Assert.Equal(
            ["C=PRINTABLESTRING:US", "ST=PRINTABLESTRING:Wisconsin", "L=PRINTABLESTRING:Milwaukee", "O=PRINTABLESTRING:Riverside Health",
                "OU=PRINTABLESTRING:Facilities", "CN=PRINTABLESTRING:AHU-1.bms.riverside.example"],
            Subject(Csr("printable")));
        string[] utf8 = ["C=PRINTABLESTRING:US", "ST=UTF8STRING:Wisconsin", "L=UTF8STRING:Milwaukee", "O=UTF8STRING:Riverside Health",
            "OU=UTF8STRING:Facilities", "CN=UTF8STRING:AHU-1.bms.riverside.example"];
        Assert.Equal(utf8, Subject(Csr("utf8")));
        Assert.Equal(utf8, Subject(Csr(null)));
        // A value PrintableString cannot hold stays UTF8String in the CSR, and the check reports it (CL0105) under printable only.
        Assert.Contains("L=UTF8STRING:Zürich", Subject(Csr("printable", 1)));
        Assert.Contains(ManifestChecker.Check("site.site.yaml", Manifest("printable")).ByPath["site.site.yaml"], d => d.Code == "CL0105"
            && d.Message.StartsWith("Locality (L) “Zürich”", StringComparison.Ordinal));
        Assert.DoesNotContain(ManifestChecker.Check("site.site.yaml", Manifest("utf8")).ByPath["site.site.yaml"], d =>
            d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Completion_and_hover_offer_the_setting_from_the_schema()
    {
        string text = "site: S\nca:\n  profile: generic\n  \n";
        var keys = Completions.At(text, text.Length - 1, null);
        Assert.Contains(keys, c => c.Label == "subjectEncoding");
        string value = "site: S\nca:\n  subjectEncoding: \n";
        var values = Completions.At(value, value.Length - 1, null);
        Assert.Equal(["printable", "utf8"], values.Select(c => c.Label).Order(StringComparer.Ordinal));
        string manifest = Manifest("printable");
        var document = ManifestDocument.Parse("site.site.yaml", manifest);
        var hover = HoverContent.At(document, manifest.IndexOf("subjectEncoding", StringComparison.Ordinal) + 2);
        Assert.Contains("PrintableString", hover!.Markdown, StringComparison.Ordinal);
    }

    [NeedsFact(Needs.OpenSsl)]
    public void Openssl_ca_with_policy_match_and_a_printablestring_ca_signs_printable_requests_and_refuses_utf8_ones()
    {
        File.WriteAllText(Path.Combine(folder, "req.cnf"), """
            [req]
            distinguished_name = dn
            string_mask = default
            prompt = no
            [dn]
            C = US
            ST = Wisconsin
            L = Milwaukee
            O = Riverside Health
            OU = Facilities
            CN = Riverside Test CA
            [v3_ca]
            basicConstraints = critical,CA:true
            keyUsage = critical,keyCertSign,cRLSign
            """);
        string ca = Path.Combine(folder, "ca.pem");
        var made = OpenSsl.Run("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            Path.Combine(folder, "ca.key"),
            "-out", ca, "-days", "30", "-config", Path.Combine(folder, "req.cnf"), "-extensions", "v3_ca");
        Assert.True(made.Exit == 0, made.Output);
        var caSubject = OpenSsl.Run("x509", "-in", ca, "-noout", "-subject", "-nameopt", "show_type");
        Assert.Contains("O=PRINTABLESTRING:Riverside Health", caSubject.Output, StringComparison.Ordinal);
        Directory.CreateDirectory(Path.Combine(folder, "newcerts"));
        File.WriteAllText(Path.Combine(folder, "index.txt"), "");
        File.WriteAllText(Path.Combine(folder, "serial"), "01\n");
        // The [policy_match] of openssl's own openssl.cnf.
        File.WriteAllText(Path.Combine(folder, "ca.cnf"), $"""
            [ca]
            default_ca = CA_default
            [CA_default]
            dir = {folder}
            database = $dir/index.txt
            new_certs_dir = $dir/newcerts
            certificate = $dir/ca.pem
            private_key = $dir/ca.key
            serial = $dir/serial
            default_md = sha256
            default_days = 30
            policy = policy_match
            [policy_match]
            countryName = match
            stateOrProvinceName = match
            organizationName = match
            organizationalUnitName = optional
            commonName = supplied
            emailAddress = optional
            """);
        (int Exit, string Output) Sign(string csr) =>
            OpenSsl.Run("ca", "-batch", "-config", Path.Combine(folder, "ca.cnf"), "-in", csr, "-out", csr + ".pem", "-notext");

        var refused = Sign(Csr("utf8"));
        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("field is different between", refused.Output, StringComparison.Ordinal);

        var signed = Sign(Csr("printable"));
        Assert.True(signed.Exit == 0, signed.Output);
        Assert.Contains("CN = AHU-1.bms.riverside.example",
            OpenSsl.Run("x509", "-in", Path.Combine(folder, "printable-0.csr.pem"), "-noout", "-subject").Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
