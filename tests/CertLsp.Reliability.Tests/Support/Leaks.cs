using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Reliability.Tests.Support;

/// <summary>
/// The private-key search over everything a test produced: every file of the site except the key folder and its quarantine folder (zips
/// entry by
/// entry, the ledger, bundles' PEM and PKCS#12, anything left over), and every text printed (stdout, stderr, logs, diagnostics),
/// for the keys in the key folder and any removed since (their PEMs kept by the test).
/// </summary>
public static class Leaks
{
    public static void AssertNone(TempSite site, IEnumerable<string> texts, IEnumerable<string>? removedKeys = null)
    {
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        // The key folder and its quarantine folder (keys no ledger entry names, kept aside, owner-only) hold keys by design.
        string[] keyFolders = [Path.GetFullPath(keys.Folder) + Path.DirectorySeparatorChar, Path.GetFullPath(keys.QuarantineFolder)
            + Path.DirectorySeparatorChar];
        var files = Directory.GetFiles(site.Folder, "*", SearchOption.AllDirectories)
            .Where(f => !keyFolders.Any(k => Path.GetFullPath(f).StartsWith(k, StringComparison.Ordinal)));
        PrivateKeyScan.AssertAbsent(site, files, texts, removedKeys: removedKeys);
    }
}
