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
/// A run goes in the steps of the crash-safety list in docs/certificates.md, in its order, so that a crash at any moment leaves a
/// state the next run completes: <see cref="Reconcile"/> what an interrupted run left; <see cref="Plan"/> the zips and mark the run
/// open in the ledger; per zip, <see cref="GenerateAsync"/> the CSRs (the private keys written, each named by its public key, so a
/// pending request's key is never overwritten) and <see cref="Commit"/> them (the zip under a temporary name, flushed, renamed; then
/// the ledger, atomically); <see cref="Close"/> the run. Before them <see cref="Check"/> refuses what cannot be requested and the
/// run takes the manifest's lock. A key file that neither the ledger nor an adopted zip needs is deleted only when a certificate for a
/// newer key of its device is imported; any other may belong to a CSR the CA will still sign (a ledger block lost, a zip sent before
/// a crash), so it is moved to the quarantine folder and reported, never deleted.
/// </para>
/// <para>
/// Devices that hold a valid certificate outside its warning window are not requested unless <see cref="CsrRequestOptions.Renew"/>
/// is set or <see cref="CsrRequestOptions.Devices"/> names them. Every run ends with the zips that still await the CA.
/// </para>
/// </summary>
public static partial class CsrRequester
{
    /// <summary>Codes that do not stop a request: an expired or revoked certificate is exactly why one renews, and so is a commissioning
    /// tool's certificate that expired or cannot authenticate a TLS client.</summary>
    private static readonly string[] RenewalCodes =
    [
        DiagnosticBuilder.CL0402.Code, DiagnosticBuilder.CL0404.Code, DiagnosticBuilder.CL0407.Code, DiagnosticBuilder.CL0409.Code,
    ];

    /// <summary>Key files written at once: their flushes wait on the disk, not the CPU.</summary>
    private const int KeyWriters = 16;

    /// <summary>
    /// Runs a request. <paramref name="manifestText"/> may be an editor buffer; files go beside <paramref name="manifestPath"/>.
    /// Progress is reported from worker threads, once per device. Cancelled before it starts, a run writes nothing; cancelling stops
    /// between devices, and the state left is one the next run completes. Throws <see cref="LedgerFormatException"/> when the ledger cannot
    /// be trusted (nothing is written then).
    /// Key pairs are CPU work done before the first wait: a caller that must stay responsive (an editor's message loop) starts the
    /// run off its own thread.
    /// </summary>
    public static async Task<CsrRunResult> RunAsync(string manifestPath, string manifestText, CsrRequestOptions options,
        IProgress<CsrProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        manifestPath = Path.GetFullPath(manifestPath);
        string ledgerPath = LedgerFile.PathFor(manifestPath);
        var keys = KeyStore.ForManifest(manifestPath, options.Passphrase);
        CsrRunResult Refuse(string why) => new(CsrRunState.Refused, why, [], [], [], RecoveryReport.Nothing, ledgerPath, keys.Folder, []);

        var (run, refusal) = Check(manifestPath, manifestText, options, keys, progress);
        if (run is null) return Refuse(refusal!);
        using var runLock = RunLock.TryTake(ledgerPath);
        if (runLock is null) return Refuse("another certlsp run is working on this manifest; try again when it has finished");

        var recovery = Reconcile(run);
        var plan = Plan(run, recovery);
        if (plan.Conflict) return Result(run, CsrRunState.PendingConflict, recovery, plan);
        for (int k = 0; k < plan.Zips.Length; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var requests = await GenerateAsync(run, plan.Zips[k], cancellationToken).ConfigureAwait(false);
            if (k == plan.ToolZip)
            {
                cancellationToken.ThrowIfCancellationRequested();
                MakeToolRequest(run, requests);
            }
            Commit(run, plan, k, requests);
        }
        Close(run);
        return Result(run, CsrRunState.Done, recovery, plan);
    }

    /// <summary>
    /// Before the steps: the ledger is read (<see cref="LedgerFormatException"/> when it cannot be trusted), the manifest checked and
    /// the devices selected. A manifest with errors (an expired or revoked certificate aside), device-held keys without a device
    /// source, or devices named that the manifest lacks are refused. Nothing is written but the output folder.
    /// </summary>
    private static (CsrRun? Run, string? Refusal) Check(string manifestPath, string manifestText, CsrRequestOptions options, KeyStore keys,
        IProgress<CsrProgress>? progress)
    {
        string ledgerPath = LedgerFile.PathFor(manifestPath);
        var now = options.Clock.GetUtcNow();
        var ledgerText = LedgerFile.ReadText(ledgerPath);
        var ledger = ledgerText is null ? SiteLedger.Empty : LedgerFormat.Read(ledgerPath, ledgerText);
        var document = ManifestDocument.Parse(manifestPath, manifestText, ledgerText is null ? null
            : new LedgerInput(ledgerPath, ledgerText), now, settings: new ConfigFiles().For(manifestPath));
        // certlsp.json's levels and the suppression comments apply as in certlsp check: a rule turned off or a finding suppressed does
        // not block a request.
        var check = ManifestChecker.Check([document]);
        var blocking = check.All.Where(d => d.Severity == DiagnosticSeverity.Error && !RenewalCodes.Contains(d.Code)).ToList();
        if (document.Manifest is not { } manifest || blocking.Count > 0)
        {
            return (null,
                $"the manifest has {blocking.Count} error{(blocking.Count == 1 ? "" : "s")} (run certlsp check); CSRs are made from a " +
                $"clean manifest only");
        }
        if (manifest.Key.DeviceHeld && options.DeviceSource is null) return (null,
            "the site's keys are held by the devices (key.source: device): their CSRs are read over BACnet, not made here");
        string site = manifest.Site?.Value ?? KeyStore.ManifestStem(manifestPath);

        var selection = Select(manifest, options, out string? unknown);
        if (unknown is not null) return (null, unknown);

        string outFolder = Path.GetFullPath(options.OutputFolder ?? Path.GetDirectoryName(manifestPath)!);
        Directory.CreateDirectory(outFolder);
        return (new CsrRun(manifestPath, manifest, site, keys, outFolder, ledger, selection, options, now, progress), null);
    }

    /// <summary>
    /// Step 2: which selected devices are requested, in which zips. A device whose zip <see cref="Reconcile"/> adopted, or that an
    /// interrupted run requested (since the ledger's run-open marker), is recovered; one with a valid certificate outside its warning
    /// window is not due (unless renewing); a pending CSR stops the run (<see cref="RequestPlan.Conflict"/>), is kept, or is overwritten,
    /// as <see cref="CsrRequestOptions.Pending"/> says. Then the ledger is marked run-open before the first key is written: a crash from
    /// here on is finished by the next run, not mistaken for an older job.
    /// </summary>
    private static RequestPlan Plan(CsrRun run, Recovery recovery)
    {
        var (ledger, site, options) = (run.Ledger, run.Site, run.Options);
        run.Zips.AddRange(recovery.Zips);
        bool renew = options.Renew || options.Devices is { Count: > 0 };
        int warningDays = run.Manifest.Certificates.WarningDayCount;
        // Runs cut short: those whose zips were adopted now, and those since the run-open marker this run found (reconciling keeps it).
        var interruptedRuns = recovery.Zips.Select(z => CsrZip.TimestampOf(z.FileName, site)).OfType<string>().ToHashSet(
            StringComparer.Ordinal);
        if (ledger.RunOpen is { } runOpen)
        {
            interruptedRuns.UnionWith(ledger.Entries.Values.Select(e => e.Pending is { } p ? CsrZip.TimestampOf(p.Zip, site)
                : null).OfType<string>()
                .Where(t => string.CompareOrdinal(t, runOpen) >= 0));
        }
        var recoveredZips = recovery.Zips.Select(z => z.FileName).ToHashSet(StringComparer.Ordinal);

        var toRequest = new List<DeviceEntry>();
        var pending = new List<DeviceResult>();
        foreach (var device in run.Selection)
        {
            string name = device.Name!.Value;
            var entry = ledger.Find(name);
            if (recovery.Devices.TryGetValue(name, out var zip))
            {
                run.Results.Add(new DeviceResult(name, entry!.CommonName, DeviceOutcome.Recovered, zip,
                    "requested by an interrupted run; recorded now"));
            }
            else if (entry?.Pending is { } open && ledger.RunOpen is { } since && CsrZip.TimestampOf(open.Zip, site) is { } made
                && string.CompareOrdinal(made, since) >= 0)
            {
                run.Results.Add(new DeviceResult(name, entry.CommonName, DeviceOutcome.Recovered, open.Zip,
                    "requested by an interrupted run"));
                recoveredZips.Add(open.Zip);
            }
            else if (entry?.Pending is { } p)
            {
                pending.Add(new DeviceResult(name, entry.CommonName, DeviceOutcome.NoActionTaken, p.Zip,
                    $"CSR pending since {LedgerFormat.Time(p.Since)} in {p.Zip}"));
                if (options.Pending == PendingPolicy.Overwrite) toRequest.Add(device);
            }
            else if (!renew && StatusReport.Usable(entry, warningDays, run.Now) is { } valid)
            {
                run.Results.Add(new DeviceResult(name, entry!.CommonName, DeviceOutcome.NotDue, null,
                    $"has a valid certificate until {LedgerFormat.Time(valid.NotAfter)[..10]}, not requested"));
            }
            else
            {
                toRequest.Add(device);
            }
        }
        bool requestTool = PlanTool(run, recovery, recoveredZips, pending);
        if (pending.Count > 0 && options.Pending == PendingPolicy.Stop)
        {
            return new RequestPlan(true, [.. pending], [], "", recoveredZips, interruptedRuns, []);
        }
        if (options.Pending == PendingPolicy.Keep) run.Results.AddRange(pending.Select(p => p with { Detail = p.Detail + "; kept" }));

        var zips = RequestPlanner.Plan(toRequest);
        int toolZip = -1;
        if (requestTool)
        {
            // The tool's CSR rides in the last zip while it has room, else in a zip of its own.
            if (zips.IsEmpty || zips[^1].Length >= RequestPlanner.MaxDevicesPerZip) zips = zips.Add([]);
            toolZip = zips.Length - 1;
        }
        string timestamp = RunTimestamp(run.Now, ledger, site, zips.Length, run.OutFolder);
        if (ledger.RunOpen is null && zips.Length > 0) run.Save(ledger with { RunOpen = timestamp });
        var plan = new RequestPlan(false, [.. pending], zips, timestamp, recoveredZips, interruptedRuns,
            IssuerPems(run.Manifest, run.ManifestPath), toolZip);
        run.StartProgress(run.Results.Count + toRequest.Count + (requestTool ? 1 : 0));
        return plan;
    }

    /// <summary>
    /// The commissioning tool's part of step 2 (“bacnet.secureConnect.tool”, in a run over the whole site only): recovered, pending
    /// (added to <paramref name="pending"/>, requested again only when overwriting), not due, or to be requested (true), by the rules
    /// the devices follow.
    /// </summary>
    private static bool PlanTool(CsrRun run, Recovery recovery, HashSet<string> recoveredZips, List<DeviceResult> pending)
    {
        var (ledger, options) = (run.Ledger, run.Options);
        if (run.ToolName is not { } tool || options.Devices is { Count: > 0 } || options.Batch is not null) return false;
        var entry = ledger.FindTool(tool);
        if (recovery.ToolZip is { } zip)
        {
            run.Results.Add(new DeviceResult(tool, entry!.CommonName, DeviceOutcome.Recovered, zip,
                "requested by an interrupted run; recorded now", Tool: true));
            return false;
        }
        if (entry?.Pending is { } open && ledger.RunOpen is { } since && CsrZip.TimestampOf(open.Zip, run.Site) is { } made
            && string.CompareOrdinal(made, since) >= 0)
        {
            run.Results.Add(new DeviceResult(tool, entry.CommonName, DeviceOutcome.Recovered, open.Zip, "requested by an interrupted run",
                Tool: true));
            recoveredZips.Add(open.Zip);
            return false;
        }
        if (entry?.Pending is { } p)
        {
            pending.Add(new DeviceResult(tool, entry.CommonName, DeviceOutcome.NoActionTaken, p.Zip,
                $"CSR pending since {LedgerFormat.Time(p.Since)} in {p.Zip}", Tool: true));
            return options.Pending == PendingPolicy.Overwrite;
        }
        // A certificate without clientAuth (CL0409) cannot join a hub: due whatever its dates.
        if (!options.Renew && StatusReport.Usable(entry, run.Manifest.Certificates.WarningDayCount,
            run.Now) is { AllowsClientAuth: not false }
            valid)
        {
            run.Results.Add(new DeviceResult(tool, entry!.CommonName, DeviceOutcome.NotDue, null,
                $"has a valid certificate until {LedgerFormat.Time(valid.NotAfter)[..10]}, not requested", Tool: true));
            return false;
        }
        return true;
    }

    /// <summary>
    /// The commissioning tool's CSR, made here whatever holds the devices' keys (the tool is this machine): a key pair and a request for
    /// TLS client authentication (<see cref="CsrGenerator.Generate"/>), the key written (0600, flushed) before the zip that needs it.
    /// </summary>
    private static void MakeToolRequest(CsrRun run, ZipRequests requests)
    {
        string tool = run.ToolName!;
        string? renewal = run.Ledger.FindTool(tool)?.CommonName;
        var subject = DeviceSubject.ForTool(run.Manifest, renewal);
        string cn = subject?.CommonName ?? CommonNames.ForTool(run.Manifest)?.Value ?? tool;
        string? why = subject is null ? "the tool's subject is incomplete" : null;
        if (why is null)
        {
            try
            {
                using var request = CsrGenerator.Generate(subject!, KeySpec.From(run.Manifest.Key), clientOnly: true);
                run.Keys.EnsureFolder();
                run.Keys.Write(ToolFiles.Name(tool), request.PublicKey, request.Key);
                requests.Tool = (new ZipItem(tool, null, cn, request.CsrPem, Tool: true), request.PublicKey);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException
                or System.Security.Cryptography.CryptographicException)
            {
                why = $"{ex.GetType().Name}: {ex.Message}";
            }
        }
        if (why is not null) requests.ToolFailure = new DeviceResult(tool, cn, DeviceOutcome.Failed, null, why, Tool: true);
        run.Report(tool, why is null ? DeviceOutcome.Requested : DeviceOutcome.Failed);
    }

    /// <summary>
    /// Step 3, per zip: the zip's CSRs. Local keys: a key pair and CSR per device, then the key files, each flushed, and the folder
    /// synced, so every key is on disk before the zip that needs it. Device-held keys: each device is asked for its CSR, which is
    /// checked; no key file is written. A device that fails is reported and left out of the zip.
    /// </summary>
    private static Task<ZipRequests> GenerateAsync(CsrRun run, ImmutableArray<DeviceEntry> devices, CancellationToken cancellationToken) =>
        run.DeviceHeld ? FromDevicesAsync(run, devices, cancellationToken) : MakeKeysAsync(run, devices, cancellationToken);

    /// <summary>The devices make their own key pairs: each is asked for its CSR (waiting on the network, so many at once) and it is
    /// checked.</summary>
    private static async Task<ZipRequests> FromDevicesAsync(CsrRun run, ImmutableArray<DeviceEntry> devices,
        CancellationToken cancellationToken)
    {
        var requests = new ZipRequests();
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, run.Options.DeviceParallelism), CancellationToken =
            cancellationToken
        };
        await Parallel.ForEachAsync(Enumerable.Range(0, devices.Length), parallel, async (i, ct) =>
        {
            string name = devices[i].Name!.Value;
            var (item, publicKey, why) = await FromDevice(run.Manifest, devices[i], run.Ledger.Find(name)?.CommonName, run.Options,
                ct).ConfigureAwait(false);
            if (why is null) requests.Made[i] = (item, publicKey!);
            else requests.Failed[i] = new DeviceResult(name, item.CommonName, DeviceOutcome.Failed, null, why);
            run.Report(name, why is null ? DeviceOutcome.Requested : DeviceOutcome.Failed);
        }).ConfigureAwait(false);
        return requests;
    }

    /// <summary>Key pairs and CSRs made here, then the key files written. Cancelled inside the zip, it leaves none of the zip's
    /// keys.</summary>
    private static async Task<ZipRequests> MakeKeysAsync(CsrRun run, ImmutableArray<DeviceEntry> devices,
        CancellationToken cancellationToken)
    {
        var requests = new ZipRequests();
        var (made, failed) = (requests.Made, requests.Failed);
        var generated = new GeneratedRequest?[devices.Length];
        var written = new ConcurrentBag<string>();
        var spec = KeySpec.From(run.Manifest.Key);
        try
        {
            // Key pairs and CSRs: CPU work, one per core.
            Parallel.For(0, devices.Length, new ParallelOptions
            {
                MaxDegreeOfParallelism = Math.Max(1, run.Options.MaxParallelism),
                CancellationToken = cancellationToken
            }, i =>
            {
                string name = devices[i].Name!.Value;
                var (subject, cn, instance, why) = Prepare(run.Manifest, devices[i], run.Ledger.Find(name)?.CommonName, run.Options.Layout);
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
            await IoParallel.ForAsync(devices.Length, KeyWriters, cancellationToken, i =>
            {
                string name = devices[i].Name!.Value;
                if (generated[i] is { } request)
                {
                    try
                    {
                        run.Keys.Write(name, request.PublicKey, request.Key, syncFolder: false);
                        written.Add(run.Keys.PathFor(name, request.PublicKey));
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException
                        or System.Security.Cryptography.CryptographicException)
                    {
                        made.TryRemove(i, out var lost);
                        failed[i] = new DeviceResult(name, lost.Item?.CommonName ?? name, DeviceOutcome.Failed, null,
                            $"{ex.GetType().Name}: {ex.Message}");
                    }
                }
                run.Report(name, failed.ContainsKey(i) ? DeviceOutcome.Failed : DeviceOutcome.Requested);
            }).ConfigureAwait(false);
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
        run.Keys.SyncFolder(); // every key of this zip is on disk before the zip that needs it
        return requests;
    }

    /// <summary>
    /// Step 4, per zip: the zip (under a temporary name, flushed, renamed), then the ledger, which records each device's new pending
    /// CSR; then the keys of the requests this one voided (overwrite) are deleted. A zip none of whose devices succeeded is not written.
    /// </summary>
    private static void Commit(CsrRun run, RequestPlan plan, int k, ZipRequests requests)
    {
        var devices = plan.Zips[k];
        string zipName = CsrZip.FileName(run.Site, plan.Timestamp, k + 1, plan.Zips.Length);
        var items = requests.Made.OrderBy(m => m.Key).Select(m => m.Value).ToList();
        if (requests.Tool is { } tool) items.Add(tool);
        string zipPath = Path.Combine(run.OutFolder, zipName);
        if (items.Count > 0)
        {
            AtomicFile.Write(zipPath, CsrZip.Build([.. items.Select(m => m.Item)], run.Options.Layout, run.Now, plan.Issuers, run.Site));
            var before = run.Ledger;
            var updated = before with { RequestsThrough = plan.Timestamp };
            foreach (var (item, publicKey) in items)
            {
                var old = item.Tool ? before.FindTool(item.Device) : before.Find(item.Device);
                var entry = new LedgerEntry(item.Device, item.CommonName, new PendingRequest(publicKey, run.Now, zipName), old?.Certificate,
                    old?.Install);
                updated = item.Tool ? updated.WithTool(entry) : updated.With(entry);
            }
            run.Save(updated);
            foreach (var (item, _) in items)
            {
                var old = item.Tool ? before.FindTool(item.Device) : before.Find(item.Device);
                if (old?.Pending is { } voided && old.Certificate?.PublicKey != voided.PublicKey) TryDelete(
                    run.Keys.PathFor(item.Tool ? ToolFiles.Name(item.Device) : item.Device, voided.PublicKey));
            }
        }
        for (int i = 0; i < devices.Length; i++)
        {
            if (requests.Failed.TryGetValue(i, out var failure)) { run.Results.Add(failure); continue; }
            var (item, _) = requests.Made[i];
            var old = plan.Pending.FirstOrDefault(p => !p.Tool && p.Device == item.Device);
            string detail = old is null ? "requested" : $"requested; the old request ({old.Zip}) is void";
            run.Results.Add(new DeviceResult(item.Device, item.CommonName, DeviceOutcome.Requested, zipName, detail));
        }
        if (requests.ToolFailure is { } toolFailure) run.Results.Add(toolFailure);
        if (requests.Tool is { Item: var toolItem })
        {
            var old = plan.Pending.FirstOrDefault(p => p.Tool);
            run.Results.Add(new DeviceResult(toolItem.Device, toolItem.CommonName, DeviceOutcome.Requested, zipName,
                old is null ? "requested (clientAuth)" : $"requested (clientAuth); the old request ({old.Zip}) is void", Tool: true));
        }
        int failedCount = requests.Failed.Count + (requests.ToolFailure is null ? 0 : 1);
        run.Zips.Add(new ZipResult(zipName, zipPath, items.Count, failedCount, false));
    }

    /// <summary>Step 5: the run is complete, its run-open marker cleared.</summary>
    private static void Close(CsrRun run)
    {
        if (run.Ledger.RunOpen is not null) run.Save(run.Ledger with { RunOpen = null });
    }

    /// <summary>What the run did to each device (in manifest order) and zip, and the zips that still await the CA.</summary>
    private static CsrRunResult Result(CsrRun run, CsrRunState state, Recovery recovery, RequestPlan plan)
    {
        var order = run.Selection.Select((d, i) => (d.Name!.Value, i)).ToDictionary(x => x.Item1, x => x.i, StringComparer.Ordinal);
        return new CsrRunResult(state, null, [.. run.Results.OrderBy(r => r.Tool ? int.MaxValue : order[r.Device])], [.. run.Zips],
            plan.Pending, recovery.Report, run.LedgerPath,
            run.Keys.Folder, CsrZip.Pending(run.Ledger, run.OutFolder, plan.RecoveredZips, plan.InterruptedRuns));
    }

    /// <summary>
    /// One run: the checked manifest and where its files go, fixed; the ledger as last written, the results and zips so far, and the
    /// progress count, as the steps go.
    /// </summary>
    private sealed class CsrRun(string manifestPath, SiteManifest manifest, string site, KeyStore keys, string outFolder, SiteLedger ledger,
        List<DeviceEntry> selection, CsrRequestOptions options, DateTimeOffset now, IProgress<CsrProgress>? progress)
    {
        private int done;
        private int total;

        public string ManifestPath => manifestPath;

        public string LedgerPath { get; } = LedgerFile.PathFor(manifestPath);

        public SiteManifest Manifest => manifest;

        /// <summary>The site's name, as the zips are named.</summary>
        public string Site => site;

        public KeyStore Keys => keys;

        public string OutFolder => outFolder;

        public List<DeviceEntry> Selection => selection;

        public CsrRequestOptions Options => options;

        public DateTimeOffset Now => now;

        public bool DeviceHeld => manifest.Key.DeviceHeld;

        /// <summary>The commissioning tool named in “bacnet.secureConnect.tool”, or null.</summary>
        public string? ToolName => manifest.Bacnet.SecureConnect?.Tool?.Name?.Value;

        public SiteLedger Ledger { get; private set; } = ledger;

        public List<DeviceResult> Results { get; } = [];

        public List<ZipResult> Zips { get; } = [];

        /// <summary>Writes the ledger (atomically); the run goes on from it.</summary>
        public void Save(SiteLedger updated)
        {
            LedgerFile.Save(LedgerPath, updated, Path.GetFileName(manifestPath), now);
            Ledger = updated;
        }

        /// <summary>Sets the number of devices and reports those already decided (recovered, not due, kept).</summary>
        public void StartProgress(int devices)
        {
            total = devices;
            foreach (var r in Results) Report(r.Device, r.Outcome);
        }

        public void Report(string device, DeviceOutcome outcome) =>
            progress?.Report(new CsrProgress(device, outcome, Interlocked.Increment(ref done), total));
    }

    /// <summary>The plan of a run: the pending CSRs found, the zips to make (their devices) and their timestamp, and what the report of
    /// zips awaiting the CA needs.</summary>
    private sealed record RequestPlan(bool Conflict, ImmutableArray<DeviceResult> Pending,
        ImmutableArray<ImmutableArray<DeviceEntry>> Zips, string Timestamp,
        HashSet<string> RecoveredZips, HashSet<string> InterruptedRuns, List<byte[]> Issuers, int ToolZip = -1);

    /// <summary>One zip's CSRs by the device's index in the zip: made (the zip item and its public key) or failed.</summary>
    private sealed class ZipRequests
    {
        public ConcurrentDictionary<int, (ZipItem Item, string PublicKey)> Made { get; } = new();

        public ConcurrentDictionary<int, DeviceResult> Failed { get; } = new();

        /// <summary>The commissioning tool's request, in the zip that carries it.</summary>
        public (ZipItem Item, string PublicKey)? Tool { get; set; }

        public DeviceResult? ToolFailure { get; set; }
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
}
