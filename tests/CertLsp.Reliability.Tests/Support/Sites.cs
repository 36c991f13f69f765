using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Requests;

namespace CertLsp.Reliability.Tests.Support;

/// <summary>Sites the fault tests start from.</summary>
public static class Sites
{
    /// <summary>
    /// A site of ECDSA P-256 devices whose CSRs were made (in process) and signed by a test CA (its certificate is the manifest's
    /// ca.pem) into signed.zip (<see cref="SignedZip"/>), ready to import.
    /// </summary>
    public static async Task<TempSite> SignedAsync(int devices)
    {
        var site = new TempSite(TempSite.Manifest(devices));
        var ca = new TestCa();
        File.WriteAllText(site.File_("ca.pem"), ca.Pem);
        Assert.Equal(devices, (await CsrRequester.RunAsync(site.ManifestPath, site.Text, new CsrRequestOptions())).Requested);
        File.WriteAllBytes(SignedZip(site), TempSite.MakeZip([.. site.Zips.SelectMany(TempSite.Entries)
            .Select(e => (Path.GetFileNameWithoutExtension(e.Key) + ".crt", System.Text.Encoding.ASCII.GetBytes(ca.Sign(e.Value))))]));
        return site;
    }

    /// <summary>The answer <see cref="SignedAsync"/> wrote beside the manifest.</summary>
    public static string SignedZip(TempSite site) => site.File_("signed.zip");
}
