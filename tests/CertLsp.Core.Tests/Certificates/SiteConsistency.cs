using CertLsp.Core.Certificates;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Ledger;

namespace CertLsp.Core.Tests.Certificates;

/// <summary>The agreement of ledger, keys and zips that every run, even an interrupted one followed by a re-run, must leave.</summary>
public static class SiteConsistency
{
    /// <summary>
    /// Every CSR in every zip has its ledger entry (pending, that zip; or, once imported, the certificate of that key) and its key;
    /// every key is the ledger's; every imported certificate has its bundle; nothing half-written (*.tmp) is left.
    /// </summary>
    /// <param name="runMayBeOpen">True right after a cancelled run: its ledger still marks the run open for the next run to finish.</param>
    public static void Assert(TempSite site, bool runMayBeOpen = false)
    {
        var ledger = LedgerFile.Load(site.LedgerPath);
        if (!runMayBeOpen) Xunit.Assert.Null(ledger.RunOpen);
        var keys = KeyStore.ForManifest(site.ManifestPath, null);
        var seen = new HashSet<string>();
        foreach (var zip in site.Zips)
        {
            foreach (var (name, data) in TempSite.Entries(zip).Where(e => e.Key.EndsWith(".pem", StringComparison.Ordinal)
                && !e.Key.Contains("issuer/", StringComparison.Ordinal)))
            {
                var (cn, publicKey) = CsrGenerator.Inspect(data);
                var tool = ledger.FindToolByKey(publicKey);
                var entry = ledger.FindByKey(publicKey) ?? tool;
                Xunit.Assert.True(entry is not null, $"{name} in {Path.GetFileName(zip)} has no ledger entry");
                string keyName = tool is null ? entry!.Device : ToolFiles.Name(tool.Device);
                Xunit.Assert.Equal(cn, entry!.CommonName);
                if (entry.Pending?.PublicKey == publicKey) Xunit.Assert.Equal(Path.GetFileName(zip), entry.Pending.Zip);
                else Xunit.Assert.Equal(publicKey, entry.Certificate?.PublicKey);
                using var key = keys.Load(keyName, publicKey);
                seen.Add(keys.PathFor(keyName, publicKey));
            }
        }
        foreach (var (entry, fileName) in ledger.Entries.Values.Select(e => (e, e.Device))
            .Concat(ledger.Tools.Values.Select(e => (e, ToolFiles.Name(e.Device)))))
        {
            if (entry.Pending is { } pending)
            {
                Xunit.Assert.Contains(site.Zips, z => Path.GetFileName(z) == pending.Zip);
            }
            else
            {
                Xunit.Assert.NotNull(entry.Certificate);
                string bundle = Path.Combine(site.Folder, "certificates", KeyStore.ManifestStem(site.ManifestPath),
                    SafeNames.For(fileName));
                Xunit.Assert.True(File.Exists(bundle + ".chain.pem") && File.Exists(bundle + ".p12"),
                    $"the certificate of {entry.Device} is recorded without its bundle");
            }
        }
        Xunit.Assert.Equal(seen.Order(), keys.Files().Order());
        Xunit.Assert.Empty(Directory.GetFiles(site.Folder, "*.tmp", SearchOption.AllDirectories).Select(f =>
            Path.GetRelativePath(site.Folder, f)));
    }

}
