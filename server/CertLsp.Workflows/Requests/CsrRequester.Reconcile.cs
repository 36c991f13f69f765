using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Files;

namespace CertLsp.Workflows.Requests;

/// <summary>Step 1 of a run, <see cref="Reconcile"/>: what an interrupted run left is finished or put aside before anything new.</summary>
public static partial class CsrRequester
{
    /// <summary>What reconciling found: the devices whose zip it adopted (by name, the zip's file name), those zips, and the zip adopted
    /// for the commissioning tool's request.</summary>
    private sealed record Recovery(RecoveryReport Report, Dictionary<string, string> Devices, List<ZipResult> Zips, string? ToolZip = null);

    /// <summary>
    /// Brings ledger, keys and zips back into agreement after an interrupted run: temporary files are removed; a zip of the latest
    /// run that the ledger does not know is adopted when its keys are there (the ledger is written then); a key the ledger names is
    /// moved back from the quarantine folder; a key nothing needs is deleted when a renewal replaced it, else quarantined. The run's
    /// ledger is the reconciled one afterwards; its run-open marker is kept (the plan reads it). Local keys: the key folder is made
    /// (owner-only) first.
    /// </summary>
    private static Recovery Reconcile(CsrRun run)
    {
        var (keys, ledger, site) = (run.Keys, run.Ledger, run.Site);
        if (!run.DeviceHeld || run.ToolName is not null) keys.EnsureFolder();
        int temps = keys.RemoveLeftovers() + AtomicFile.RemoveLeftovers(run.OutFolder)
            + AtomicFile.RemoveLeftovers(Path.GetDirectoryName(run.LedgerPath)!);
        var byCn = DeviceIndex.ByCommonName(run.Manifest, ledger);
        string? tool = run.ToolName;
        string? toolCn = tool is null ? null : ledger.FindTool(tool)?.CommonName ?? Core.Naming.CommonNames.ForTool(run.Manifest)?.Value;
        string? toolZip = null;

        var adopted = new Dictionary<string, string>(StringComparer.Ordinal);
        var adoptedZips = new List<ZipResult>();
        var updated = ledger;
        string? newestRun = ledger.RequestsThrough;
        var candidates = Directory.EnumerateFiles(run.OutFolder, CsrZip.Prefix + "*.zip")
            .Select(p => (Path: p, Time: CsrZip.TimestampOf(Path.GetFileName(p), site)))
            .Where(z => z.Time is not null && (newestRun is null || string.CompareOrdinal(z.Time, newestRun) >= 0))
            .OrderBy(z => z.Path, StringComparer.Ordinal)
            .ToList();
        foreach (var (zipPath, time) in candidates)
        {
            if (time is null) continue;
            string zipName = Path.GetFileName(zipPath);
            int count = 0;
            IEnumerable<(string Name, byte[] Data)> requests;
            try
            {
                requests = CsrZip.ReadRequests(zipPath);
            }
            catch (InvalidDataException)
            {
                continue;
            }
            foreach (var (_, data) in requests)
            {
                string? cn;
                string publicKey;
                try
                {
                    (cn, publicKey) = CsrGenerator.Inspect(data);
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    continue;
                }
                if (cn is null || updated.FindByKey(publicKey) is not null || updated.FindToolByKey(publicKey) is not null) continue;
                if (tool is not null && string.Equals(cn, toolCn, StringComparison.Ordinal)
                    && (keys.Has(ToolFiles.Name(tool), publicKey) || keys.RestoreFromQuarantine(ToolFiles.Name(tool), publicKey)))
                {
                    // The tool's CSR: its key is always here, whatever holds the devices' keys.
                    var oldTool = updated.FindTool(tool);
                    updated = updated.WithTool(new LedgerEntry(tool, cn,
                        new PendingRequest(publicKey, CsrZip.ParseTimestamp(time), zipName),
                        oldTool?.Certificate));
                    toolZip = zipName;
                    count++;
                    continue;
                }
                if (!byCn.TryGetValue(cn, out var entry)
                    || (!run.DeviceHeld && !keys.Has(entry.Name!.Value, publicKey)
                    && !keys.RestoreFromQuarantine(entry.Name!.Value, publicKey))) continue;
                string device = entry.Name!.Value;
                var old = updated.Find(device);
                updated = updated.With(new LedgerEntry(device, cn, new PendingRequest(publicKey, CsrZip.ParseTimestamp(time), zipName),
                    old?.Certificate, old?.Install));
                adopted[device] = zipName;
                count++;
            }
            if (count > 0)
            {
                adoptedZips.Add(new ZipResult(zipName, zipPath, count, 0, true));
                if (newestRun is null || string.CompareOrdinal(time, newestRun) > 0) newestRun = time;
            }
        }
        if (adopted.Count > 0 || toolZip is not null)
        {
            updated = updated with { RequestsThrough = newestRun };
            run.Save(updated);
            ledger = updated;
        }

        // A key the ledger names that lies in the quarantine folder (the ledger was restored) goes back to the key folder.
        int restored = 0;
        foreach (var (keyName, e) in KeyHolders(ledger, devices: !run.DeviceHeld))
        {
            foreach (var k in e.LiveKeys()) if (keys.RestoreFromQuarantine(keyName, k)) restored++;
        }

        // Keys that neither the ledger nor an adopted zip needs. Deleted only when a certificate for a newer key of the device is
        // imported; any other may belong to a CSR the CA still signs (its ledger block lost, its zip sent before a crash): quarantined.
        // The tool's keys are live as the devices' are: never orphaned, never quarantined while its block names them.
        var holders = KeyHolders(ledger, devices: true).ToList();
        var live = holders.SelectMany(h => h.Entry.LiveKeys().Select(k => keys.PathFor(h.KeyName, k))).ToHashSet(StringComparer.Ordinal);
        var bySafeName = holders.GroupBy(h => SafeNames.For(h.KeyName), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(),
            StringComparer.Ordinal);
        int superseded = 0;
        var quarantined = new List<string>();
        foreach (var file in keys.Files().Order(StringComparer.Ordinal).ToList())
        {
            if (live.Contains(file)) continue;
            if (SupersededByImport(file, keys, bySafeName))
            {
                if (TryDelete(file)) superseded++;
                continue;
            }
            try
            {
                keys.Quarantine(file);
                quarantined.Add(Path.GetFileName(file));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left where it is: a key is never deleted for want of a place to put it.
            }
        }
        var report = new RecoveryReport([.. adoptedZips.Select(z => z.FileName)], temps, ledger.RunOpen is not null, superseded,
            [.. quarantined],
            quarantined.Count > 0 ? keys.QuarantineFolder : null, restored);
        return new Recovery(report, adopted, adoptedZips, toolZip);
    }

    /// <summary>The ledger blocks whose keys may lie in the key folder, each with the name its key files carry: the devices' (when
    /// <paramref name="devices"/>) and the commissioning tools' (always: the tool's key is made here, whatever holds the devices').
    /// </summary>
    private static IEnumerable<(string KeyName, LedgerEntry Entry)> KeyHolders(SiteLedger ledger, bool devices) =>
        (devices ? ledger.Entries.Values.Select(e => (e.Device, e)) : [])
            .Concat(ledger.Tools.Values.Select(e => (ToolFiles.Name(e.Device), e)));

    /// <summary>
    /// True when a key file the ledger does not name is older than the key of its device's imported certificate: a certificate for a
    /// newer key was imported (a renewal), so the CA will not sign this key's CSR for use any more. The file times decide; equal times,
    /// a missing certificate key file or an unknown device mean "cannot tell", and the key is kept.
    /// </summary>
    private static bool SupersededByImport(string file, KeyStore keys, Dictionary<string, (string KeyName, LedgerEntry Entry)> bySafeName)
    {
        string name = Path.GetFileName(file);
        int fingerprint = name.LastIndexOf('.', name.Length - ".key.pem".Length - 1);
        if (fingerprint <= 0 || !bySafeName.TryGetValue(name[..fingerprint], out var holder)
            || holder.Entry.Certificate is not { } certificate) return false;
        string certificateKey = keys.PathFor(holder.KeyName, certificate.PublicKey);
        return File.Exists(certificateKey) && File.GetLastWriteTimeUtc(file) < File.GetLastWriteTimeUtc(certificateKey);
    }

    private static bool TryDelete(string path)
    {
        try
        {
            if (!File.Exists(path)) return false;
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
