using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;

namespace CertLsp.Core.Tests.Certificates;

/// <summary>The agreement of ledger, keys and zips that every run, even an interrupted one followed by a re-run, must leave.</summary>
public static class SiteConsistency
{
    /// <summary>Every CSR in every zip has its ledger entry (pending, that zip) and its key; every key is the ledger's.</summary>
    public static void Assert(TempSite site)
    {
        var ledger = LedgerFile.Load(site.LedgerPath);
        Xunit.Assert.Null(ledger.RunOpen);
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        var seen = new HashSet<string>();
        foreach (var zip in site.Zips)
        {
            foreach (var (name, data) in TempSite.Entries(zip).Where(e => e.Key.EndsWith(".pem", StringComparison.Ordinal) && !e.Key.Contains("issuer/", StringComparison.Ordinal)))
            {
                var (cn, publicKey) = CsrGenerator.Inspect(data);
                var entry = ledger.FindByKey(publicKey);
                Xunit.Assert.True(entry is not null, $"{name} in {Path.GetFileName(zip)} has no ledger entry");
                Xunit.Assert.Equal(cn, entry!.CommonName);
                Xunit.Assert.Equal(Path.GetFileName(zip), entry.Pending!.Zip);
                using var key = keys.Load(entry.Device, publicKey);
                seen.Add(keys.PathFor(entry.Device, publicKey));
            }
        }
        foreach (var entry in ledger.Entries.Values)
        {
            Xunit.Assert.NotNull(entry.Pending);
            Xunit.Assert.Contains(site.Zips, z => Path.GetFileName(z) == entry.Pending!.Zip);
        }
        Xunit.Assert.Equal(seen.Order(), keys.Files().Order());
        Xunit.Assert.Empty(Directory.GetFiles(site.Folder, "*.tmp", SearchOption.AllDirectories));
    }

}
