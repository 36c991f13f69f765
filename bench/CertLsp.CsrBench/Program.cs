using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertLsp.Core.Certificates;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Requests;

// CertLsp CSR benchmark: 50 RSA-2048 CSRs by CertLsp vs an openssl genpkey + req loop run two at a time (xargs -P2), in the same
// run and alternating; 50 ECDSA P-256 CSRs; importing 50 certificates. Writes a markdown report (argument 1, default
// bench/csr-results.md). Everything happens in a temporary folder that is removed at the end.
var inv = CultureInfo.InvariantCulture;
string report = args.Length > 0 ? args[0] : "bench/csr-results.md";
int rounds = args.Length > 1 ? int.Parse(args[1], inv) : 3;
var parts = (args.Length > 2 ? args[2] : "rsa,ecdsa,import").Split(',');
const int Devices = 50;
string root = Path.Combine(Path.GetTempPath(), "certlsp-csrbench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(root);
var lines = new List<string>();
void Say(string s) { Console.WriteLine(s); lines.Add(s); }

try
{
    string openssl = Run("openssl", "version").Trim();
    Say($"# CSR benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
    Say("");
    string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
    Say($"Machine: {Environment.ProcessorCount} cores, {RuntimeInfo()}, {openssl}; load average {load} when the run started. Every " +
        $"figure is wall time on a shared machine; ratios compare runs made back to back in the same round.");
    Say("");

    // ---- RSA-2048: CertLsp vs openssl xargs -P2, alternating ---------------------------------------------------------
    if (parts.Contains("rsa"))
    {
    Say($"## {Devices} RSA-2048 CSRs (keys written 0600, CSR zip, ledger) vs `openssl genpkey` + `openssl req`, `xargs -P2`");
    Say("");
    Say("| round | CertLsp (core, all cores) | openssl xargs -P2 | ratio CertLsp/openssl |");
    Say("|---|---|---|---|");
    var ours = new List<double>();
    var theirs = new List<double>();
    for (int r = 1; r <= rounds; r++)
    {
        // Alternate which goes first, so that a load change on the shared machine does not always favour the same side.
        double a = 0, b = 0;
        if (r % 2 == 0) b = OpenSslLoop(Path.Combine(root, $"openssl-{r}"));
        a = await CertLspRunAsync(Path.Combine(root, $"rsa-{r}"), "{ algorithm: rsa, size: 2048, source: local }");
        if (r % 2 == 1) b = OpenSslLoop(Path.Combine(root, $"openssl-{r}"));
        ours.Add(a);
        theirs.Add(b);
        Say($"| {r} | {a:F2} s | {b:F2} s | {a / b:F2} |");
    }
    Say($"| median | {Median(ours):F2} s | {Median(theirs):F2} s | **{Median(ours.Zip(theirs, (x, y) => x / y).ToList()):F2}** |");
    Say("");
    }

    // ---- ECDSA P-256 --------------------------------------------------------------------------------------------------
    if (parts.Contains("ecdsa"))
    {
    var ecRuns = new List<double>();
    var ecGen = new List<double>();
    var ecShm = new List<double>();
    const string EcKey = "{ algorithm: ecdsa, curve: P-256, source: local }";
    string? shm = Directory.Exists("/dev/shm") ? Path.Combine("/dev/shm", "certlsp-csrbench-" + Guid.NewGuid().ToString("N")[..8]) : null;
    for (int r = 1; r <= 7; r++)
    {
        ecRuns.Add(await CertLspRunAsync(Path.Combine(root, $"ec-{r}"), EcKey) * 1000);
        ecGen.Add(GenerateOnly(KeySpec.EcdsaP256) * 1000);
        if (shm is not null) ecShm.Add(await CertLspRunAsync(Path.Combine(shm, $"ec-{r}"), EcKey) * 1000);
    }
    if (shm is not null) Directory.Delete(shm, true);
    Say($"## {Devices} ECDSA P-256 CSRs (target < 50 ms)");
    Say("");
    Say("| what | median of 7 | min | max |");
    Say("|---|---|---|---|");
    Say($"| key pairs + CSRs in memory (CsrGenerator, all cores) | {Median(ecGen):F1} ms | {ecGen.Min():F1} ms | {ecGen.Max():F1} ms |");
    Say($"| whole `csr` run: keys written 0600 and fsynced, zip, ledger | {Median(ecRuns):F1} ms | {ecRuns.Min():F1} ms | " +
        $"{ecRuns.Max():F1} ms |");
    if (ecShm.Count > 0) Say(
        $"| the same whole run on tmpfs (/dev/shm: fsync costs nothing) | {Median(ecShm):F1} ms | {ecShm.Min():F1} ms | {ecShm.Max():F1} " +
        $"ms |");
    Say("");
    }

    // ---- Import ---------------------------------------------------------------------------------------------------------
    if (parts.Contains("import"))
    {
    var imports = await ImportRunsAsync(Path.Combine(root, "import"), 5);
    string? shmImport = Directory.Exists("/dev/shm") ? Path.Combine("/dev/shm", "certlsp-csrbench-" + Guid.NewGuid().ToString("N")[..8])
        : null;
    var importsShm = shmImport is null ? [] : await ImportRunsAsync(shmImport, 5);
    if (shmImport is not null) Directory.Delete(shmImport, true);
    Say($"## Importing {Devices} certificates (target < 1 s)");
    Say("");
    Say("Hostile-input checks of the zip, each certificate parsed twice and verified (dates, issuer signature, pending key, CN), a " +
        "PKCS#12 and a chain bundle per device (local keys), the ledger written.");
    Say("");
    Say("| where | median of 5 | min | max |");
    Say("|---|---|---|---|");
    Say($"| disk (every file fsynced) | {Median(imports):F0} ms | {imports.Min():F0} ms | {imports.Max():F0} ms |");
    if (importsShm.Count > 0) Say(
        $"| tmpfs (/dev/shm) | {Median(importsShm):F0} ms | {importsShm.Min():F0} ms | {importsShm.Max():F0} ms |");
    Say("");
    }
    Say("Reading the figures: key generation is nearly all of an RSA CSR's cost, and both sides use the 2 cores (CertLsp a Parallel.For, " +
        "openssl `xargs -P2`), so the ratio sits near 1; its spread between rounds is other work on the shared machine (see the load " +
        "average). For ECDSA, the in-memory row is the CSR work itself; a whole run adds one fsync per key file, which crash safety " +
        "needs, and that is what separates the disk row from the tmpfs row. The import does the same fsyncs for its bundles.");
    Say("");
    Say("Run with `bench/run-csr.sh [rounds] [parts]` (builds Release, then this program; rounds of the RSA comparison, default 3; " +
        "parts: rsa,ecdsa,import).");
    File.WriteAllText(report, string.Join("\n", lines) + "\n");
    Console.Error.WriteLine($"written to {report}");
    return 0;
}
finally
{
    Directory.Delete(root, recursive: true);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static string RuntimeInfo() => $".NET {Environment.Version}";

static string Manifest(string key, int devices)
{
    var sb = new StringBuilder(
        "site: Bench Site\ndomain: bms.bench.example\nca:\n  profile: generic\n  issuers: [ca.pem]\nsubject:\n  country: US\n  state: " +
        "Wisconsin\n  locality: Milwaukee\n  organization: Bench Health\n  organizationalUnit: Facilities\n  email: bms@bench.example\n");
    sb.Append("key: ").Append(key).Append("\ndevices:\n");
    for (int i = 1; i <= devices; i++) sb.Append(CultureInfo.InvariantCulture, $"  - name: DEV-{i:D3}\n    instance: {10000 + i}\n");
    return sb.ToString();
}

static async Task<double> CertLspRunAsync(string folder, string key)
{
    Directory.CreateDirectory(folder);
    string manifest = Path.Combine(folder, "bench.site.yaml");
    File.WriteAllText(manifest, Manifest(key, Devices));
    string text = File.ReadAllText(manifest);
    var clock = Stopwatch.StartNew();
    var result = await CsrRequester.RunAsync(manifest, text, new CsrRequestOptions());
    clock.Stop();
    if (result.Requested != Devices) throw new InvalidOperationException(
        $"CertLsp requested {result.Requested} of {Devices}: {result.Refusal}");
    return clock.Elapsed.TotalSeconds;
}

static double GenerateOnly(KeySpec spec)
{
    var subjects = Enumerable.Range(1, Devices).Select(i =>
        new DeviceSubject("US", "Wisconsin", "Milwaukee", "Bench Health", "Facilities", $"DEV-{i:D3}.bms.bench.example",
        "bms@bench.example")).ToArray();
    var clock = Stopwatch.StartNew();
    Parallel.For(0, Devices, i => { using var r = CsrGenerator.Generate(subjects[i], spec); });
    return clock.Elapsed.TotalSeconds;
}

static double OpenSslLoop(string folder)
{
    Directory.CreateDirectory(folder);
    var script = new StringBuilder("set -e\ncd \"$1\"\nseq -w 1 " + Devices + " | xargs -P2 -I{} sh -c '");
    script.Append("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key-{}.pem 2>/dev/null && chmod 600 key-{}.pem && ");
    script.Append(
        "openssl req -new -utf8 -sha256 -key key-{}.pem -subj \"/C=US/ST=Wisconsin/L=Milwaukee/O=Bench " +
        "Health/OU=Facilities/CN=DEV-{}.bms.bench.example/emailAddress=bms@bench.example\" -out DEV-{}.csr.pem'\n");
    string path = Path.Combine(folder, "loop.sh");
    File.WriteAllText(path, script.ToString());
    var clock = Stopwatch.StartNew();
    Run("bash", path, folder);
    clock.Stop();
    int made = Directory.GetFiles(folder, "*.csr.pem").Length;
    if (made != Devices) throw new InvalidOperationException($"openssl made {made} CSRs");
    return clock.Elapsed.TotalSeconds;
}

static async Task<List<double>> ImportRunsAsync(string folder, int runs)
{
    Directory.CreateDirectory(folder);
    string manifest = Path.Combine(folder, "bench.site.yaml");
    File.WriteAllText(manifest, Manifest("{ algorithm: ecdsa, curve: P-256, source: local }", Devices));
    string text = File.ReadAllText(manifest);
    var request = await CsrRequester.RunAsync(manifest, text, new CsrRequestOptions());
    using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    var caRequest = new CertificateRequest("CN=Bench Issuing CA", caKey, HashAlgorithmName.SHA256);
    caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
    using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    File.WriteAllText(Path.Combine(folder, "ca.pem"), ca.ExportCertificatePem());
    string answer = Path.Combine(folder, "signed.zip");
    using (var zip = ZipFile.Open(answer, ZipArchiveMode.Create))
    {
        foreach (var (name, data) in CsrZip.ReadRequests(request.Zips.Single().Path))
        {
            var csr = CertificateRequest.LoadSigningRequestPem(Encoding.ASCII.GetString(data), HashAlgorithmName.SHA256);
            using var cert = csr.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), DateTimeOffset.UtcNow.AddMinutes(-1),
                DateTimeOffset.UtcNow.AddDays(365), RandomNumberGenerator.GetBytes(12));
            using var writer = new StreamWriter(zip.CreateEntry(name.Replace(".pem", ".crt", StringComparison.Ordinal)).Open());
            writer.Write(cert.ExportCertificatePem());
        }
        using var issuer = new StreamWriter(zip.CreateEntry("issuer/iss-1.pem").Open());
        issuer.Write(ca.ExportCertificatePem());
    }
    string ledgerPath = LedgerFile.PathFor(manifest);
    string pendingLedger = File.ReadAllText(ledgerPath);
    string bundles = Path.Combine(folder, "certificates");
    var times = new List<double>();
    for (int r = 0; r < runs; r++)
    {
        File.WriteAllText(ledgerPath, pendingLedger);
        if (Directory.Exists(bundles)) Directory.Delete(bundles, true);
        var clock = Stopwatch.StartNew();
        var result = await CertificateImporter.RunAsync(manifest, text, answer, new ImportOptions());
        clock.Stop();
        if (result.Count(FileVerdict.Accepted) != Devices) throw new InvalidOperationException(
            $"imported {result.Count(FileVerdict.Accepted)}: {result.Refusal}");
        times.Add(clock.Elapsed.TotalMilliseconds);
    }
    return times;
}

static string Run(string file, params string[] args)
{
    var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in args) info.ArgumentList.Add(a);
    using var p = Process.Start(info)!;
    var output = p.StandardOutput.ReadToEndAsync();
    string err = p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {err}");
    return output.Result;
}
