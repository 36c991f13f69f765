using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertLsp.Bacnet.Simulator;
using CertLsp.Cli.Commands;
using Xunit;

namespace CertLsp.TestSupport;

/// <summary>
/// A site whose devices hold their keys (key.source: device), simulated on loopback: devices dev-0001… at 127.&lt;subnet&gt;.0.2…
/// (instances from <c>firstInstance</c>), a manifest for them in a temporary folder, and the demo's throwaway CA as the site's issuer
/// (ca/issuer.pem). Removed at the end.
/// </summary>
public sealed class DeviceKeySite : IAsyncDisposable
{
    public const string Bind = "127.0.1.9";

    private readonly DemoAuthority ca = new();

    private DeviceKeySite(int count, ushort port, byte subnet, uint firstInstance, Func<SimulatedDeviceSpec,
        SimulatedDeviceSpec>? configure)
    {
        Port = port;
        Specs = [.. Enumerable.Range(0, count).Select(i => new SimulatedDeviceSpec(firstInstance + (uint)i, Address(subnet, i))
        {
            Name = Name(i), CsrCommonName = CommonName(i), GenerateCsrCommand = 8,
        }).Select(configure ?? (s => s))];
        Folder = Directory.CreateTempSubdirectory("certlsp-devicekeys-").FullName;
        ManifestPath = Path.Combine(Folder, "plant.site.yaml");
        var manifest = new StringBuilder($"""
            site: Device Key Plant
            domain: bms.test.example
            ca: {"{"} profile: bacnet-sc, issuers: [ca/issuer.pem] {"}"}
            subject: {"{"} country: DE, state: Bayern, locality: München, organization: Test GmbH, organizationalUnit: Gebäudetechnik {"}"}
            key: {"{"} algorithm: ecdsa, curve: P-256, source: device {"}"}
            bacnet: {"{"} port: {port}, broadcast: {LoopbackNamespace.Broadcast}, generateCsrCommand: 8 {"}"}
            devices:

            """);
        foreach (var spec in Specs) manifest.Append($"  - name: {spec.Name}\n    instance: {spec.Instance}\n    address: {spec.Address}\n");
        File.WriteAllText(ManifestPath, manifest.ToString());
        Directory.CreateDirectory(Path.Combine(Folder, "ca"));
        File.WriteAllText(Path.Combine(Folder, "ca", "issuer.pem"), ca.Pem);
        Site = SimulatedSite.Start(Specs, port, IPAddress.Parse(LoopbackNamespace.Broadcast));
    }

    /// <param name="configure">Changes each device's spec (its limits, a File_Size it refuses to write).</param>
    public static DeviceKeySite Start(int count, ushort port, byte subnet, uint firstInstance = 7001, Func<SimulatedDeviceSpec,
        SimulatedDeviceSpec>? configure = null) =>
        new(count, port, subnet, firstInstance, configure);

    public ushort Port { get; }

    public IReadOnlyList<SimulatedDeviceSpec> Specs { get; }

    public SimulatedSite Site { get; }

    public string Folder { get; }

    public string ManifestPath { get; }

    public string IssuerPem => ca.Pem;

    public SimulatedDevice Device(int i) => Site[Specs[i].Instance];

    /// <summary>Device i holds exactly the certificate and issuer it was given, activated, nothing pending.</summary>
    public void AssertInstalled(int i, string certificate)
    {
        var device = Device(i);
        Assert.Equal(certificate, Encoding.ASCII.GetString(device.FileContent(SimulatedDevice.OperationalFile)));
        Assert.Equal(IssuerPem, Encoding.ASCII.GetString(device.FileContent(SimulatedDevice.IssuerFile1)));
        Assert.False(device.ChangesPending);
        using var expected = X509Certificate2.CreateFromPem(certificate);
        Assert.Equal(expected.Thumbprint, device.ActiveCertificate?.Thumbprint);
        Assert.Equal(expected.PublicKey.ExportSubjectPublicKeyInfo(), device.ActivePublicKey);
    }

    /// <summary>Device i was given nothing: no operational or issuer certificate written, none active.</summary>
    public void AssertUntouched(int i)
    {
        var device = Device(i);
        Assert.Empty(device.FileContent(SimulatedDevice.OperationalFile));
        Assert.Empty(device.FileContent(SimulatedDevice.IssuerFile1));
        Assert.Null(device.ActiveCertificate);
    }

    public static string Name(int i) => $"dev-{i + 1:D4}";

    public static string CommonName(int i) => $"{Name(i)}.bms.test.example";

    private static IPAddress Address(byte subnet, int i) => new([127, subnet, (byte)((i + 2) >> 8), (byte)((i + 2) & 0xFF)]);

    /// <summary>The demo CA signs every CSR zip of the folder into one answer zip (flat, with the issuer); returns its path.</summary>
    public string SignAll(string name = "signed.zip")
    {
        string answer = Path.Combine(Folder, name);
        ca.SignZips(Directory.GetFiles(Folder, "CertificateSigningRequests_*.zip").Order(StringComparer.Ordinal), answer, 30);
        return answer;
    }

    /// <summary>The demo CA answers each CSR zip with its own zip (a CA's answer holds at most 50 certificates); returns their
    /// paths.</summary>
    public IReadOnlyList<string> SignEach()
    {
        var zips = Directory.GetFiles(Folder, "CertificateSigningRequests_*.zip").Order(StringComparer.Ordinal).ToList();
        var answers = new List<string>();
        foreach (var zip in zips)
        {
            string answer = Path.Combine(Folder, "signed-" + Path.GetFileName(zip));
            ca.SignZips([zip], answer, 30);
            answers.Add(answer);
        }
        return answers;
    }

    /// <summary>The signed certificates of an answer zip, by device CN.</summary>
    public static Dictionary<string, string> Certificates(string answer)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(answer);
        return zip.Entries.Where(e => e.FullName.EndsWith(".crt", StringComparison.Ordinal)).ToDictionary(e =>
            e.FullName[..^".crt".Length], e =>
        {
            using var reader = new StreamReader(e.Open(), Encoding.ASCII);
            return reader.ReadToEnd();
        });
    }

    /// <summary>Runs the CLI in-process.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Cli.Program.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await Site.DisposeAsync();
        ca.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
