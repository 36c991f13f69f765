using System.Collections.Concurrent;
using System.Collections.Immutable;
using CertLsp.Core.Certificates;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;
using CertLsp.Core.Requests;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;

namespace CertLsp.Workflows.Requests;

/// <summary>
/// Turns a checked manifest into CSR zips, recording each request in the ledger. With local keys it makes each device's key
/// pair and CSR; with device-held keys (key.source: device) it asks <see cref="CsrRequestOptions.DeviceSource"/> for each
/// device's CSR, checks it (<see cref="DeviceCsrCheck"/>) and writes no key file. Zips, ledger and pending rules are the same.
/// <para>
/// Write order, so that a crash at any moment leaves a state the next run completes: for each zip, first the private keys
/// (each named by its public key, so a pending request's key is never overwritten), then the zip (under a temporary name,
/// flushed, renamed), and last the ledger (atomically). The next run first reconciles: zips of the latest run that the ledger
/// does not know are adopted when their keys are there (their devices are reported as recovered, not requested twice) and
/// temporary files are cleared. A key file that neither the ledger nor such a zip needs is deleted only when a certificate for a
/// newer key of its device is imported; any other may belong to a CSR the CA will still sign (a ledger block lost, a zip sent
/// before a crash), so it is moved to the quarantine folder and reported, never deleted.
/// </para>
/// <para>
/// Devices that hold a valid certificate outside its warning window are not requested unless <see cref="CsrRequestOptions.Renew"/>
/// is set or <see cref="CsrRequestOptions.Devices"/> names them. Every run ends with the zips that still await the CA.
/// </para>
/// </summary>
public static class CsrRequester
{
    /// <summary>Codes that do not stop a request: an expired or revoked certificate is exactly why one renews.</summary>
    private static readonly string[] RenewalCodes = [DiagnosticBuilder.CL0402.Code, DiagnosticBuilder.CL0404.Code];

    /// <summary>Key files written at once: their flushes wait on the disk, not the CPU.</summary>
    private const int KeyWriters = 16;

    /// <summary>
    /// Runs a request off the caller's thread (for the language server). <paramref name="manifestText"/> may be an editor buffer;
    /// files go beside <paramref name="manifestPath"/>. Progress is reported from worker threads, once per device.
    /// Cancelling stops between devices; the state left is one the next run completes.
    /// </summary>
    public static Task<CsrRunResult> RunAsync(string manifestPath, string manifestText, CsrRequestOptions options,
        IProgress<CsrProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Run(manifestPath, manifestText, options, progress, cancellationToken), cancellationToken);

    /// <summary>Runs a request. Throws <see cref="LedgerFormatException"/> when the ledger cannot be trusted (nothing is written
    /// then).</summary>
    public static CsrRunResult Run(string manifestPath, string manifestText, CsrRequestOptions options,
        IProgress<CsrProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        manifestPath = Path.GetFullPath(manifestPath);
        string ledgerPath = LedgerFile.PathFor(manifestPath);
        var keys = KeyStore.ForManifest(manifestPath, options.Passphrase);
        var now = options.Clock.GetUtcNow();
        CsrRunResult Refuse(string why) => new(CsrRunState.Refused, why, [], [], [], RecoveryReport.Nothing, ledgerPath, keys.Folder, []);

        var ledgerText = LedgerFile.ReadText(ledgerPath);
        var ledger = ledgerText is null ? SiteLedger.Empty : LedgerFormat.Read(ledgerPath, ledgerText);
        var document = ManifestDocument.Parse(manifestPath, manifestText, ledgerText is null ? null
            : new LedgerInput(ledgerPath, ledgerText), now);
        var check = ManifestChecker.Check([document]);
        var blocking = check.All.Where(d => d.Severity == DiagnosticSeverity.Error && !RenewalCodes.Contains(d.Code)).ToList();
        if (document.Manifest is not { } manifest || blocking.Count > 0)
        {
            return Refuse(
                $"the manifest has {blocking.Count} error{(blocking.Count == 1 ? "" : "s")} (run certlsp check); CSRs are made from a " +
                $"clean manifest only");
        }
        bool deviceHeld = manifest.Key.DeviceHeld;
        if (deviceHeld && options.DeviceSource is null) return Refuse(
            "the site's keys are held by the devices (key.source: device): their CSRs are read over BACnet, not made here");
        string site = manifest.Site?.Value ?? KeyStore.ManifestStem(manifestPath);

        var selection = Select(manifest, options, out string? unknown);
        if (unknown is not null) return Refuse(unknown);

        string outFolder = Path.GetFullPath(options.OutputFolder ?? Path.GetDirectoryName(manifestPath)!);
        Directory.CreateDirectory(outFolder);
        using var runLock = RunLock.TryTake(ledgerPath);
        if (runLock is null) return Refuse("another certlsp run is working on this manifest; try again when it has finished");

        if (!deviceHeld) keys.EnsureFolder();
        string? runOpenBefore = ledger.RunOpen;
        var recovery = Reconcile(manifest, site, manifestPath, ledgerPath, keys, outFolder, ledger, now, deviceHeld);
        ledger = recovery.Ledger;
        var recoveredDevices = recovery.Devices;
        bool renew = options.Renew || options.Devices is { Count: > 0 };
        int warningDays = manifest.Certificates.WarningDayCount;
        // Runs cut short: those whose zips were adopted now, and those since the run-open marker this run found.
        var interruptedRuns = recovery.Zips.Select(z => CsrZip.TimestampOf(z.FileName, site)).OfType<string>().ToHashSet(
            StringComparer.Ordinal);
        if (runOpenBefore is not null)
        {
            interruptedRuns.UnionWith(ledger.Entries.Values.Select(e => e.Pending is { } p ? CsrZip.TimestampOf(p.Zip, site)
                : null).OfType<string>()
                .Where(t => string.CompareOrdinal(t, runOpenBefore) >= 0));
        }
        var recoveredZips = recovery.Zips.Select(z => z.FileName).ToHashSet(StringComparer.Ordinal);
        ImmutableArray<PendingZip> Awaiting() => CsrZip.Pending(ledger, outFolder, recoveredZips, interruptedRuns);

        var results = new List<DeviceResult>();
        var toRequest = new List<DeviceEntry>();
        var pending = new List<DeviceResult>();
        foreach (var device in selection)
        {
            string name = device.Name!.Value;
            var entry = ledger.Find(name);
            if (recoveredDevices.TryGetValue(name, out var zip))
            {
                results.Add(new DeviceResult(name, entry!.CommonName, DeviceOutcome.Recovered, zip,
                    "requested by an interrupted run; recorded now"));
            }
            else if (entry?.Pending is { } open && ledger.RunOpen is { } since && CsrZip.TimestampOf(open.Zip, site) is { } made
                && string.CompareOrdinal(made, since) >= 0)
            {
                results.Add(new DeviceResult(name, entry.CommonName, DeviceOutcome.Recovered, open.Zip, "requested by an interrupted run"));
                recoveredZips.Add(open.Zip);
            }
            else if (entry?.Pending is { } p)
            {
                pending.Add(new DeviceResult(name, entry.CommonName, DeviceOutcome.NoActionTaken, p.Zip,
                    $"CSR pending since {LedgerFormat.Time(p.Since)} in {p.Zip}"));
                if (options.Pending == PendingPolicy.Overwrite) toRequest.Add(device);
            }
            else if (!renew && StatusReport.Usable(entry, warningDays, now) is { } valid)
            {
                results.Add(new DeviceResult(name, entry!.CommonName, DeviceOutcome.NotDue, null,
                    $"has a valid certificate until {LedgerFormat.Time(valid.NotAfter)[..10]}, not requested"));
            }
            else
            {
                toRequest.Add(device);
            }
        }
        if (pending.Count > 0 && options.Pending == PendingPolicy.Stop)
        {
            return new CsrRunResult(CsrRunState.PendingConflict, null, [.. results], [.. recovery.Zips], [.. pending], recovery.Report,
                ledgerPath, keys.Folder, Awaiting());
        }
        if (options.Pending == PendingPolicy.Keep) results.AddRange(pending.Select(p => p with { Detail = p.Detail + "; kept" }));

        var zips = new List<ZipResult>(recovery.Zips);
        var plan = RequestPlanner.Plan(toRequest);
        string timestamp = RunTimestamp(now, ledger, site, plan.Length, outFolder);
        if (ledger.RunOpen is null && plan.Length > 0)
        {
            // Marks the run as open before its first key: a crash from here on is finished by the next run, not mistaken for an older job.
            ledger = ledger with { RunOpen = timestamp };
            LedgerFile.Save(ledgerPath, ledger, Path.GetFileName(manifestPath), now);
        }
        var issuers = IssuerPems(manifest, manifestPath);
        var spec = KeySpec.From(manifest.Key);
        int total = results.Count + toRequest.Count, done = 0;
        foreach (var r in results) progress?.Report(new CsrProgress(r.Device, r.Outcome, ++done, total));

        for (int k = 0; k < plan.Length; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string zipName = CsrZip.FileName(site, timestamp, k + 1, plan.Length);
            var made = new ConcurrentDictionary<int, (ZipItem Item, string PublicKey)>();
            var failed = new ConcurrentDictionary<int, DeviceResult>();
            var devices = plan[k];
            var generated = new GeneratedRequest?[devices.Length];
            var written = new ConcurrentBag<string>();
            if (deviceHeld)
            {
                // The devices make their own key pairs: ask each for its CSR (waiting on the network, so many at once) and check it.
                Parallel.ForEachAsync(Enumerable.Range(0, devices.Length),
                    new ParallelOptions
                    {
                        MaxDegreeOfParallelism = Math.Max(1, options.DeviceParallelism), CancellationToken =
                    cancellationToken
                    }, async (i, ct) =>
                {
                    var device = devices[i];
                    string name = device.Name!.Value;
                    var (item, publicKey, why) = await FromDevice(manifest, device, ledger.Find(name)?.CommonName, options,
                        ct).ConfigureAwait(false);
                    if (why is null) made[i] = (item, publicKey!);
                    else failed[i] = new DeviceResult(name, item.CommonName, DeviceOutcome.Failed, null, why);
                    progress?.Report(new CsrProgress(name, why is null ? DeviceOutcome.Requested : DeviceOutcome.Failed,
                        Interlocked.Increment(ref done), total));
                }).GetAwaiter().GetResult();
            }
            else
            {
                try
                {
                    // Key pairs and CSRs: CPU work, one per core.
                    Parallel.For(0, devices.Length, new ParallelOptions
                    {
                        MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism),
                        CancellationToken = cancellationToken
                    }, i =>
                    {
                        var device = devices[i];
                        string name = device.Name!.Value;
                        var (subject, cn, instance, why) = Prepare(manifest, device, ledger.Find(name)?.CommonName, options.Layout);
                        if (why is null)
                        {
                            try
                            {
                                generated[i] = CsrGenerator.Generate(subject!, spec);
                                made[i] = (new ZipItem(name, instance, cn, generated[i]!.CsrPem), generated[i]!.PublicKey);
                            }
                            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException)
                            {
                                why = $"{ex.GetType().Name}: {ex.Message}";
                            }
                        }
                        if (why is not null) failed[i] = new DeviceResult(name, cn, DeviceOutcome.Failed, null, why);
                    });

                    // The key files: waiting on the disk (each is flushed), so many at once on threads of their own (the thread pool
                    // grows too slowly for I/O waits); the file system commits concurrent flushes together.
                    IoParallel.For(devices.Length, KeyWriters, cancellationToken, i =>
                    {
                        string name = devices[i].Name!.Value;
                        if (generated[i] is { } request)
                        {
                            try
                            {
                                keys.Write(name, request.PublicKey, request.Key, syncFolder: false);
                                written.Add(keys.PathFor(name, request.PublicKey));
                            }
                            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException
                                or System.Security.Cryptography.CryptographicException)
                            {
                                made.TryRemove(i, out var lost);
                                failed[i] = new DeviceResult(name, lost.Item?.CommonName ?? name, DeviceOutcome.Failed, null,
                                    $"{ex.GetType().Name}: {ex.Message}");
                            }
                        }
                        progress?.Report(new CsrProgress(name, failed.ContainsKey(i) ? DeviceOutcome.Failed : DeviceOutcome.Requested,
                            Interlocked.Increment(ref done), total));
                    });
                }
                catch (OperationCanceledException)
                {
                    // Cancelled inside this zip: its keys would serve no CSR, so none is left behind (the zips before it are complete).
                    foreach (var path in written) TryDelete(path);
                    throw;
                }
                finally
                {
                    foreach (var request in generated) request?.Dispose();
                }
            }

            if (!deviceHeld) keys.SyncFolder(); // every key of this zip is on disk before the zip that needs it
            var items = made.OrderBy(m => m.Key).Select(m => m.Value).ToList();
            string zipPath = Path.Combine(outFolder, zipName);
            if (items.Count > 0)
            {
                AtomicFile.Write(zipPath, CsrZip.Build([.. items.Select(m => m.Item)], options.Layout, now, issuers, site));
                var updated = ledger with { RequestsThrough = timestamp };
                foreach (var (item, publicKey) in items)
                {
                    var old = ledger.Find(item.Device);
                    updated = updated.With(new LedgerEntry(item.Device, item.CommonName, new PendingRequest(publicKey, now, zipName),
                        old?.Certificate, old?.Install));
                }
                LedgerFile.Save(ledgerPath, updated, Path.GetFileName(manifestPath), now);
                foreach (var (item, _) in items)
                {
                    var old = ledger.Find(item.Device);
                    if (old?.Pending is { } voided && old.Certificate?.PublicKey != voided.PublicKey) TryDelete(
                        keys.PathFor(item.Device, voided.PublicKey));
                }
                ledger = updated;
            }
            for (int i = 0; i < devices.Length; i++)
            {
                if (failed.TryGetValue(i, out var failure)) { results.Add(failure); continue; }
                var (item, _) = made[i];
                var old = pending.FirstOrDefault(p => p.Device == item.Device);
                string detail = old is null ? "requested" : $"requested; the old request ({old.Zip}) is void";
                results.Add(new DeviceResult(item.Device, item.CommonName, DeviceOutcome.Requested, zipName, detail));
            }
            zips.Add(new ZipResult(zipName, zipPath, items.Count, failed.Count, false));
        }
        // the run is complete
        if (ledger.RunOpen is not null) LedgerFile.Save(ledgerPath, ledger with { RunOpen = null }, Path.GetFileName(manifestPath), now);
        var order = selection.Select((d, i) => (d.Name!.Value, i)).ToDictionary(x => x.Item1, x => x.i, StringComparer.Ordinal);
        return new CsrRunResult(CsrRunState.Done, null, [.. results.OrderBy(r => order[r.Device])], [.. zips], [.. pending],
            recovery.Report, ledgerPath, keys.Folder, Awaiting());
    }

    /// <summary>A device's subject, CN (for the report even when the subject is incomplete) and instance, or why it cannot be
    /// requested.</summary>
    private static (DeviceSubject? Subject, string CommonName, long? Instance, string? Problem) Prepare(SiteManifest manifest,
        DeviceEntry device, string? renewalCommonName, ZipLayout layout)
    {
        var subject = DeviceSubject.For(manifest, device, renewalCommonName);
        string cn = subject?.CommonName ?? CommonNames.For(manifest, device)?.Value ?? device.Name!.Value;
        long? instance = device.Instance is { } s && s.TryGetInt64(out long v) ? v : null;
        string? why = subject is null ? "the subject is incomplete"
            : layout == ZipLayout.Cari && instance is null ? "the CARI layout needs the device's BACnet “instance”"
            : null;
        return (subject, cn, instance, why);
    }

    /// <summary>One device's CSR from the device source, checked; the item is filled (with the expected CN) even on failure, for the
    /// report.</summary>
    private static async Task<(ZipItem Item, string? PublicKey, string? Problem)> FromDevice(SiteManifest manifest, DeviceEntry device,
        string? renewalCommonName,
        CsrRequestOptions options, CancellationToken cancellationToken)
    {
        var (subject, cn, instance, why) = Prepare(manifest, device, renewalCommonName, options.Layout);
        var item = new ZipItem(device.Name!.Value, instance, cn, "");
        if (why is not null) return (item, null, why);
        DeviceCsrOutcome outcome;
        try
        {
            outcome = await options.DeviceSource!.RequestAsync(device, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            outcome = DeviceCsrOutcome.Failed($"{ex.GetType().Name}: {ex.Message}");
        }
        if (outcome.Csr is not { } csr) return (item, null, outcome.Failure ?? "the device gave no CSR");
        var (details, pem, problem) = DeviceCsrCheck.Check(csr, subject!, manifest.Ca.ProfileName);
        return problem is null ? (item with { CsrPem = pem! }, details!.PublicKey, null) : (item, null, problem);
    }

    private static List<DeviceEntry> Select(SiteManifest manifest, CsrRequestOptions options, out string? problem)
    {
        problem = null;
        var named = manifest.Devices.Where(d => d.Name is not null).ToList();
        if (named.GroupBy(d => d.Name!.Value, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            problem = $"two devices are named “{twice.Key}”; the ledger and the key folder know devices by name, so names must be unique";
            return [];
        }
        if (options.Devices is { Count: > 0 } wanted)
        {
            var byName = named.Select(d => d.Name!.Value).ToHashSet(StringComparer.Ordinal);
            var missing = wanted.Where(w => !byName.Contains(w)).ToList();
            if (missing.Count > 0) problem = $"no device named {string.Join(", ", missing.Select(m => $"“{m}”"))} in the manifest";
            var set = wanted.ToHashSet(StringComparer.Ordinal);
            named = named.Where(d => set.Contains(d.Name!.Value)).ToList();
        }
        if (options.Batch is { } batch)
        {
            named = named.Where(d => d.Batch?.Value == batch).ToList();
            if (named.Count == 0) problem ??= $"no device is in the batch “{batch}”";
        }
        return named;
    }

    /// <summary>The run's timestamp: now, but later than every run the ledger records and not the name of an existing zip.</summary>
    private static string RunTimestamp(DateTimeOffset now, SiteLedger ledger, string site, int zips, string outFolder)
    {
        var time = now.ToUniversalTime();
        time = time.AddTicks(-(time.Ticks % TimeSpan.TicksPerSecond));
        if (ledger.RequestsThrough is { } through && CsrZip.ParseTimestamp(through) is var last && last >= time) time = last.AddSeconds(1);
        while (Enumerable.Range(1, Math.Max(1, zips)).Any(k =>
            File.Exists(Path.Combine(outFolder, CsrZip.FileName(site, CsrZip.Timestamp(time), k, zips))))) time = time.AddSeconds(1);
        return CsrZip.Timestamp(time);
    }

    private static List<byte[]> IssuerPems(SiteManifest manifest, string manifestPath)
    {
        string dir = Path.GetDirectoryName(manifestPath)!;
        var list = new List<byte[]>();
        foreach (var issuer in manifest.Ca.Issuers)
        {
            string path = ManifestPaths.Resolve(dir, issuer.Value);
            if (File.Exists(path) && new FileInfo(path).Length < 64 * 1024) list.Add(File.ReadAllBytes(path));
        }
        return list;
    }

    private sealed record Recovery(SiteLedger Ledger, RecoveryReport Report, Dictionary<string, string> Devices, List<ZipResult> Zips);

    /// <summary>Brings ledger, keys and zips back into agreement after an interrupted run (see the class summary).</summary>
    private static Recovery Reconcile(SiteManifest manifest, string site, string manifestPath, string ledgerPath, KeyStore keys,
        string outFolder, SiteLedger ledger, DateTimeOffset now, bool deviceHeld)
    {
        int temps = keys.RemoveLeftovers() + AtomicFile.RemoveLeftovers(outFolder)
            + AtomicFile.RemoveLeftovers(Path.GetDirectoryName(ledgerPath)!);
        var byCn = DeviceIndex.ByCommonName(manifest, ledger);

        var adopted = new Dictionary<string, string>(StringComparer.Ordinal);
        var adoptedZips = new List<ZipResult>();
        var updated = ledger;
        string? newestRun = ledger.RequestsThrough;
        var candidates = Directory.EnumerateFiles(outFolder, CsrZip.Prefix + "*.zip")
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
                if (cn is null || updated.FindByKey(publicKey) is not null || !byCn.TryGetValue(cn, out var entry)
                    || (!deviceHeld && !keys.Has(entry.Name!.Value, publicKey)
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
        if (adopted.Count > 0)
        {
            updated = updated with { RequestsThrough = newestRun };
            LedgerFile.Save(ledgerPath, updated, Path.GetFileName(manifestPath), now);
            ledger = updated;
        }

        // A key the ledger names that lies in the quarantine folder (the ledger was restored) goes back to the key folder.
        int restored = 0;
        if (!deviceHeld)
        {
            foreach (var e in ledger.Entries.Values)
            {
                foreach (var k in e.LiveKeys()) if (keys.RestoreFromQuarantine(e.Device, k)) restored++;
            }
        }

        // Keys that neither the ledger nor an adopted zip needs. Deleted only when a certificate for a newer key of the device is
        // imported; any other may belong to a CSR the CA still signs (its ledger block lost, its zip sent before a crash): quarantined.
        var live = ledger.Entries.Values.SelectMany(e => e.LiveKeys().Select(k => keys.PathFor(e.Device, k))).ToHashSet(
            StringComparer.Ordinal);
        var bySafeName = ledger.Entries.Values.GroupBy(e => SafeNames.For(e.Device), StringComparer.Ordinal).ToDictionary(g => g.Key, g =>
            g.First(), StringComparer.Ordinal);
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
        return new Recovery(ledger, report, adopted, adoptedZips);
    }

    /// <summary>
    /// True when a key file the ledger does not name is older than the key of its device's imported certificate: a certificate for a
    /// newer key was imported (a renewal), so the CA will not sign this key's CSR for use any more. The file times decide; equal times,
    /// a missing certificate key file or an unknown device mean "cannot tell", and the key is kept.
    /// </summary>
    private static bool SupersededByImport(string file, KeyStore keys, Dictionary<string, LedgerEntry> bySafeName)
    {
        string name = Path.GetFileName(file);
        int fingerprint = name.LastIndexOf('.', name.Length - ".key.pem".Length - 1);
        if (fingerprint <= 0 || !bySafeName.TryGetValue(name[..fingerprint], out var entry)
            || entry.Certificate is not { } certificate) return false;
        string certificateKey = keys.PathFor(entry.Device, certificate.PublicKey);
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
