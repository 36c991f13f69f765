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
        Assert.Contains("Summary: 5 requested, 0 no action taken, 0 failed.", output);
        Assert.Contains("Summary: 5 accepted, 0 already imported, 0 rejected", output);
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
        Assert.Contains("Summary: 4 requested, 0 no action taken, 0 failed.", output);
        Assert.Contains("Keys: held by the devices (none written here).", output);
        Assert.Contains("Summary: 4 accepted, 0 already imported, 0 rejected", output);
        Assert.Contains("Installs: 4 installed, 0 failed.", output);
        Assert.Equal(4, Regex.Matches(output, @"active: CN=\S+\.bms\.lakeside\.example, serial \w+, its own key").Count);
        Assert.Matches(@"PUMP-P1\s+PUMP-P1\.bms\.lakeside\.example\s+valid\s+\S+\s+\d+\s+-\s+installed", output);

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
