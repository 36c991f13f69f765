using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>`certlsp demo`: both example sites end to end; the device-key one on simulated devices over loopback BACnet (so it runs here,
/// in the namespace).</summary>
[Collection(UdpCollection.Name)]
public sealed class DemoCommandTests
{
    private static string[] Tree(string folder) =>
        [.. Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p =>
            $"{p} {(File.Exists(p) ? new FileInfo(p).Length : 0)}").Order(StringComparer.Ordinal)];

    [NeedsFact(Needs.Namespace)]
    public async Task The_demo_requests_signs_imports_installs_and_shows_status_without_writing_into_the_repository()
    {
        LoopbackNamespace.Require();
        string examples = RepoPaths.Examples;
        var before = Tree(examples);
        var (exit, output, error) = await DeviceKeySite.RunAsync("demo", "--examples", examples);
        Assert.True(exit == 0, output + error);

        // local keys (riverside-campus)
        // Both sites: riverside's 5 devices; lakeside's 4 devices and its commissioning tool.
        Assert.Equal(2, Regex.Matches(output, Regex.Escape("Summary: 5 requested, 0 no action taken, 0 failed.")).Count);
        Assert.Equal(2, Regex.Matches(output, Regex.Escape("Summary: 5 accepted, 0 already imported, 0 rejected")).Count);
        Assert.Matches(@"Kältemaschine-1\s+Kaltemaschine-1\.bms\.riverside\.example\s+valid \(expires soon\)", output);
        Assert.Contains("warning CL0403", output);
        Assert.Contains("**1 manifest changed: 1 new certificate request, 1 issued or pending certificate voided", output);
        // Paths relative to the site, not the demo's temporary folder.
        Assert.Contains("### CertLsp review before/riverside.site.yaml → riverside.site.yaml\n", output.ReplaceLineEndings("\n"));
        Assert.Contains("| `riverside.site.yaml` | modified | 0 | 0 | 1 | 1 | 1 |", output);
        Assert.Matches(
            @"\| [^|]+-NEW \| [^|]+ \| [^|]+ \| its valid certificate \(serial [0-9A-F]+, CN [^)]+\) "
                + @"will not match: a new CSR is needed \|",
            output);
        // device-held keys (lakeside-plant) on the simulated site
        Assert.Contains("4 device(s) answered.", output);
        Assert.Contains("every device answered with the manifest's name and address", output);
        Assert.Matches(@"requested\s+tool certlsp-tool\s+certlsp-tool\.bms\.lakeside\.example\s+requested \(clientAuth\)", output);
        // The devices keep their keys; the tool's own key is the one written here (owner-only).
        Assert.Matches(@"Keys: held by the devices; the tool's own key in \S+ \(owner-only, git-ignored\)\.", output);
        Assert.Matches(@"accepted\s+certlsp-tool\.bms\.lakeside\.example\.crt \(certlsp-tool\): accepted", output);
        Assert.Contains("Installs: 4 installed, 0 failed.", output);
        Assert.Equal(4, Regex.Matches(output, @"active: CN=\S+\.bms\.lakeside\.example, serial \w+, its own key").Count);
        Assert.Matches(@"PUMP-P1\s+PUMP-P1\.bms\.lakeside\.example\s+valid\s+\S+\s+\d+\s+-\s+installed", output);
        // ... and certlsp verify through the simulated BACnet/SC hub: every device joined with its new certificate.
        Assert.Contains("and a BACnet/SC hub at wss://127.0.0.9:", output);
        Assert.Contains("== certlsp verify lakeside.site.yaml", output);
        foreach (var device in new[] { "BOILER-1", "BOILER-2", "PUMP-P1", "CHILLER-1" })
            Assert.Matches($@"(?m)^{device}\s+yes\s+matches\s+connected to the primary hub\s+matches ledger\s+joined: ", output);
        Assert.Contains("4 of 4 device(s) joined the hub with their recorded certificate.", output);
        Assert.EndsWith("Every device joined the BACnet/SC hub with its new certificate, as certlsp verify confirmed through the hub.",
            output.TrimEnd());

        Assert.DoesNotContain("PRIVATE KEY", output + error);
        Assert.Equal(before, Tree(examples));
        foreach (Match work in Regex.Matches(output, @"in (\S*certlsp-demo-\w+) \(removed"))
            Assert.False(Directory.Exists(work.Groups[1].Value), $"{work.Groups[1].Value} was left behind");
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_demo_that_cannot_bind_its_simulated_devices_says_so()
    {
        LoopbackNamespace.Require();
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 47808));
        var (exit, _, error) = await DeviceKeySite.RunAsync("demo", "--examples", RepoPaths.Examples);
        Assert.Equal(2, exit);
        Assert.Contains("the demo could not bind its simulated devices to 127.0.0.2–127.0.0.5 (UDP port 47808)", error);
        Assert.Contains("Nothing was sent.", error);
    }
}
