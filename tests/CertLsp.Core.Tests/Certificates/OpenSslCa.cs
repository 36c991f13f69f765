using System.Globalization;
using System.Text;

namespace CertLsp.Core.Tests.Certificates;

/// <summary>
/// A real OpenSSL certificate authority in a temporary folder (<c>openssl ca</c> with its index, serial and CRL number files), as
/// a site's CA runs it: it signs CSRs with the extensions a test names, revokes, and issues CRLs with chosen dates. An
/// implementation independent of the .NET and BouncyCastle code under test.
/// </summary>
public sealed class OpenSslCa : IDisposable
{
    /// <summary>The extensions of a good BACnet/SC device certificate.</summary>
    public static readonly string[] DeviceExtensions =
        ["basicConstraints = critical,CA:FALSE", "keyUsage = critical,digitalSignature", "extendedKeyUsage = clientAuth,serverAuth"];

    private int files;

    public OpenSslCa(string name = "OpenSSL Test Issuing CA")
    {
        Folder = Path.Combine(Path.GetTempPath(), "certlsp-openssl-ca-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Folder, "newcerts"));
        File.WriteAllText(Path.Combine(Folder, "index.txt"), "");
        File.WriteAllText(Path.Combine(Folder, "serial"), "1000\n");
        File.WriteAllText(Path.Combine(Folder, "crlnumber"), "01\n");
        File.WriteAllText(Config, $"""
            [ ca ]
            default_ca = test_ca
            [ test_ca ]
            dir = {Folder}
            database = $dir/index.txt
            new_certs_dir = $dir/newcerts
            certificate = $dir/ca.pem
            private_key = $dir/ca.key
            serial = $dir/serial
            crlnumber = $dir/crlnumber
            default_md = sha256
            default_days = 365
            default_crl_days = 7
            policy = policy_anything
            unique_subject = no
            copy_extensions = none
            [ policy_anything ]
            countryName = optional
            stateOrProvinceName = optional
            localityName = optional
            organizationName = optional
            organizationalUnitName = optional
            commonName = supplied
            emailAddress = optional
            [ req ]
            distinguished_name = req_dn
            [ req_dn ]
            """);
        Run("req", "-config", Config, "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", KeyPath,
            "-out", CertificatePath,
            "-days", "3650", "-subj", $"/O=CertLsp Tests/CN={name}", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-addext", "subjectKeyIdentifier=hash");
    }

    public string Folder { get; }

    public string Config => Path.Combine(Folder, "openssl.cnf");

    public string CertificatePath => Path.Combine(Folder, "ca.pem");

    private string KeyPath => Path.Combine(Folder, "ca.key");

    /// <summary>The CA's certificate (PEM).</summary>
    public string Pem => File.ReadAllText(CertificatePath);

    /// <summary>
    /// Signs a CSR with <c>openssl ca</c> (or, with <paramref name="x509Req"/>, <c>openssl x509 -req</c>), adding exactly the given
    /// extension lines (openssl x509v3_config syntax). <paramref name="subject"/> replaces the CSR's subject. Returns the PEM certificate.
    /// </summary>
    public string Sign(byte[] csr, IEnumerable<string>? extensions = null, string? subject = null, bool x509Req = false)
    {
        string stem = Path.Combine(Folder, $"req-{Interlocked.Increment(ref files)}");
        File.WriteAllBytes(stem + ".csr", csr);
        File.WriteAllText(stem + ".ext", "[ ext ]\n" + string.Join("\n", extensions ?? DeviceExtensions) + "\n");
        if (x509Req)
        {
            Run("x509", "-req", "-in", stem + ".csr", "-CA", CertificatePath, "-CAkey", KeyPath, "-CAserial",
                Path.Combine(Folder, "x509.srl"), "-CAcreateserial",
                "-days", "365", "-sha256", "-extfile", stem + ".ext", "-extensions", "ext", "-out", stem + ".pem");
        }
        else
        {
            string[] args = ["ca", "-batch", "-config", Config, "-in", stem + ".csr", "-out", stem + ".pem", "-notext", "-extfile", stem
                + ".ext", "-extensions", "ext"];
            Run([.. args, .. subject is null ? [] : new[] { "-subj", subject }]);
        }
        return File.ReadAllText(stem + ".pem");
    }

    /// <summary>Marks a certificate it issued revoked in its database (the next CRL lists it).</summary>
    public void Revoke(string certificatePem)
    {
        string path = Path.Combine(Folder, $"revoke-{Interlocked.Increment(ref files)}.pem");
        File.WriteAllText(path, certificatePem);
        Run("ca", "-config", Config, "-revoke", path);
    }

    /// <summary>A CRL made by <c>openssl ca -gencrl</c> with the given lastUpdate and nextUpdate; returns its path.</summary>
    public string Crl(DateTimeOffset lastUpdate, DateTimeOffset nextUpdate, bool der = false)
    {
        static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "Z";
        string path = Path.Combine(Folder, $"crl-{Interlocked.Increment(ref files)}.pem");
        Run("ca", "-config", Config, "-gencrl", "-crl_lastupdate", Time(lastUpdate), "-crl_nextupdate", Time(nextUpdate), "-out", path);
        if (!der) return path;
        string derPath = Path.ChangeExtension(path, ".crl");
        Run("crl", "-in", path, "-outform", "DER", "-out", derPath);
        return derPath;
    }

    /// <summary>A PKCS#7 certificate bundle of the given PEM certificates, as <c>openssl crl2pkcs7 -nocrl -certfile</c> makes it (AD CS
    /// answers so).</summary>
    public byte[] Pkcs7(bool der, params string[] pems)
    {
        var args = new List<string> { "crl2pkcs7", "-nocrl" };
        foreach (var pem in pems)
        {
            string path = Path.Combine(Folder, $"p7-{Interlocked.Increment(ref files)}.pem");
            File.WriteAllText(path, pem);
            args.AddRange(["-certfile", path]);
        }
        string output = Path.Combine(Folder, $"bundle-{Interlocked.Increment(ref files)}.p7b");
        args.AddRange(["-outform", der ? "DER" : "PEM", "-out", output]);
        Run([.. args]);
        return File.ReadAllBytes(output);
    }

    public static string Run(params string[] args)
    {
        var (exit, output) = OpenSsl.Run(args);
        if (exit != 0) throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed ({exit}): {output}");
        return output;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A site whose CA is <see cref="OpenSslCa"/>: its certificate is the manifest's ca.pem, the CSRs made in process.</summary>
public sealed class OpenSslSite : IDisposable
{
    private OpenSslSite(OpenSslCa ca, TempSite site)
    {
        Ca = ca;
        Site = site;
        Csrs = Site.Zips.SelectMany(TempSite.Entries).ToDictionary(e => Core.Certificates.CsrGenerator.Inspect(e.Value).CommonName!, e =>
            e.Value);
    }

    /// <summary>A site of <paramref name="devices"/> devices, its CSRs made (local keys), its CA's certificate the manifest's
    /// ca.pem.</summary>
    public static async Task<OpenSslSite> CreateAsync(int devices = 1, string profile = "bacnet-sc", string key =
        "{ algorithm: ecdsa, curve: P-256, source: local }",
        string caName = "OpenSSL Test Issuing CA")
    {
        var ca = new OpenSslCa(caName);
        var site = new TempSite(TempSite.Manifest(devices, key).Replace("profile: bacnet-sc", $"profile: {profile}",
            StringComparison.Ordinal));
        File.WriteAllText(site.File_("ca.pem"), ca.Pem);
        var run = await Workflows.Requests.CsrRequester.RunAsync(site.ManifestPath, site.Text, new Workflows.Requests.CsrRequestOptions());
        if (run.Requested != devices) throw new InvalidOperationException($"{run.Requested} of {devices} CSRs were made");
        return new OpenSslSite(ca, site);
    }

    public OpenSslCa Ca { get; }

    public TempSite Site { get; }

    /// <summary>The CSRs by CN ("dev-01.bms.test.example").</summary>
    public Dictionary<string, byte[]> Csrs { get; }

    public static string Cn(int device) => $"dev-{device:D2}.bms.test.example";

    public byte[] Csr(int device) => Csrs[Cn(device)];

    /// <summary>A file beside the manifest.</summary>
    public string Write(string name, byte[] data)
    {
        string path = Site.File_(name);
        File.WriteAllBytes(path, data);
        return path;
    }

    public string Write(string name, string text) => Write(name, Encoding.ASCII.GetBytes(text));

    public string Zip(string name, params (string Name, string Content)[] entries) =>
        Write(name, TempSite.MakeZip([.. entries.Select(e => (e.Name, Encoding.ASCII.GetBytes(e.Content)))]));

    public Task<Workflows.Certificates.ImportResult> ImportAsync(string source, Workflows.Certificates.ImportOptions? options = null) =>
        Workflows.Certificates.CertificateImporter.RunAsync(Site.ManifestPath, Site.Text, source, options
            ?? new Workflows.Certificates.ImportOptions());

#pragma warning disable IDE0001 // linked into several test projects, where the shortest name differs
    public Core.Ledger.SiteLedger Ledger => Workflows.Ledger.LedgerFile.Load(Site.LedgerPath);
#pragma warning restore IDE0001

    public void Dispose()
    {
        Site.Dispose();
        Ca.Dispose();
    }
}
