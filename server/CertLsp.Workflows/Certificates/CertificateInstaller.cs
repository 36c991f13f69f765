using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;

namespace CertLsp.Workflows.Certificates;

/// <summary>One install an import found to do: the device, the issued certificate (by its SHA-256) and what goes onto the device.</summary>
public sealed record InstallJob(DeviceEntry Device, string Fingerprint, DeviceCertificates Certificates)
{
    public string Name => Device.Name!.Value;
}

/// <summary>The install verdict on one device: installed, failed (with the device's reason), or pending (not tried, and why not).</summary>
public sealed record DeviceInstallResult(string Device, InstallState State, string Detail);

/// <summary>Progress of the installs: a device finished (installed or failed), how many of how many.</summary>
public sealed record InstallProgress(string Device, InstallState State, int Done, int Total);

/// <summary>What <see cref="CertificateInstaller.RunAsync"/> leaves: the ledger with the outcomes, and whether it stopped early
/// (cancelled).</summary>
public sealed record InstallRun(SiteLedger Ledger, bool Cancelled);

public sealed record InstallOptions
{
    /// <summary>Where import wrote the chain files; default "certificates/&lt;manifest&gt;/" beside the manifest.</summary>
    public string? BundleFolder { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// What installing the recorded certificates did: a refusal (nothing done), else per device whose certificate was due its outcome
/// (installed, failed, or pending with why not), whether the ledger changed, and whether the run was cancelled.
/// </summary>
public sealed record InstallResult(string? Refusal, ImmutableArray<DeviceInstallResult> Installs, string LedgerPath, bool LedgerChanged,
    bool Cancelled)
{
    public int Count(InstallState state) => Installs.Count(i => i.State == state);
}

/// <summary>
/// Installs issued certificates on the devices that hold their keys, through an <see cref="IDeviceCertificateTarget"/>, and records
/// each outcome in the ledger. Devices are worked on in groups of <see cref="GroupSize"/> (in parallel within a group); the ledger is
/// written after each group, so a killed import loses at most one group's outcomes, and those devices are simply installed again by
/// the next run (installing the same certificate twice is harmless).
/// </summary>
public static class CertificateInstaller
{
    public const int GroupSize = 50;

    /// <summary>Devices talked to at once.</summary>
    public const int Parallel = 32;

    /// <summary>The issuer certificates a device needs, in install order: the signer, then the configured issuers above it.</summary>
    public static IReadOnlyList<X509Certificate2> Chain(X509Certificate2 signer, IReadOnlyList<X509Certificate2> configured)
    {
        var chain = new List<X509Certificate2> { signer };
        for (var current = signer; chain.Count < 4 && !current.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData);)
        {
            var above = configured.FirstOrDefault(i => !chain.Contains(i) && CertificateFiles.IsSignedBy(current, i));
            if (above is null) break;
            chain.Add(above);
            current = above;
        }
        return chain;
    }

    /// <summary>
    /// Runs the installs; <paramref name="save"/> is called with the ledger after each group, <paramref name="progress"/> as each device
    /// finishes. Returns the ledger with every outcome recorded; <paramref name="results"/> gets one line per job.
    /// Cancellation starts no further device: the devices being written are finished (no device is left with half-installed changes)
    /// and recorded, the others stay as they were in the ledger (pending or failed) and are reported pending; the run is then
    /// <see cref="InstallRun.Cancelled"/>.
    /// </summary>
    public static async Task<InstallRun> RunAsync(IReadOnlyList<InstallJob> jobs, IDeviceCertificateTarget target, SiteLedger ledger,
        Action<SiteLedger> save,
        TimeProvider clock, ICollection<DeviceInstallResult> results, IProgress<InstallProgress>? progress,
            CancellationToken cancellationToken)
    {
        int done = 0;
        for (int start = 0; start < jobs.Count; start += GroupSize)
        {
            var group = jobs.Skip(start).Take(GroupSize).ToList();
            var outcomes = new DeviceInstallOutcome?[group.Count];
            try
            {
                // The group's token is not the caller's: a device once started is finished (each request bounded by the device timeout).
                await System.Threading.Tasks.Parallel.ForEachAsync(Enumerable.Range(0, group.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = Parallel },
                    async (i, _) =>
                    {
                        if (cancellationToken.IsCancellationRequested) return;
                        var outcome = await InstallOne(target, group[i], CancellationToken.None).ConfigureAwait(false);
                        outcomes[i] = outcome;
                        progress?.Report(new InstallProgress(group[i].Name, outcome.Installed ? InstallState.Installed
                            : InstallState.Failed, Interlocked.Increment(ref done), jobs.Count));
                    }).ConfigureAwait(false);
            }
            finally
            {
                // What finished is recorded whatever happens next.
                var now = clock.GetUtcNow();
                for (int i = 0; i < group.Count; i++)
                {
                    if (outcomes[i] is not { } outcome) continue;
                    var job = group[i];
                    var entry = ledger.Find(job.Name);
                    if (entry?.Certificate?.Fingerprint != job.Fingerprint) continue;
                    var state = outcome.Installed ? InstallState.Installed : InstallState.Failed;
                    ledger = ledger.With(entry with { Install = new CertificateInstall(state, job.Fingerprint, now, outcome.Failure) });
                    results.Add(new DeviceInstallResult(job.Name, state, outcome.Failure ?? outcome.Detail
                        ?? "issuer and operational certificates written, read back and activated"));
                }
                save(ledger);
            }
            if (cancellationToken.IsCancellationRequested)
            {
                var finished = results.Select(r => r.Device).ToHashSet(StringComparer.Ordinal);
                foreach (var job in jobs.Where(j => !finished.Contains(j.Name)))
                    results.Add(new DeviceInstallResult(job.Name, InstallState.Pending, "not installed: cancelled before its turn"));
                return new InstallRun(ledger, Cancelled: true);
            }
        }
        return new InstallRun(ledger, Cancelled: false);
    }

    /// <summary>
    /// Installs what the ledger records as imported but not installed (pending or failed; the certificate neither expired nor revoked,
    /// no newer CSR pending), from the chain files the import wrote ("&lt;device&gt;.chain.pem" in the bundle folder): the CA's answer
    /// is not needed again. A chain file that is missing, or does not hold the certificate the ledger records (by SHA-256) signed by
    /// the issuer after it, is not used: that device is reported pending with the reason (importing the CA's answer again rewrites it).
    /// Takes the ledger's lock like import; the ledger is written as <see cref="RunAsync"/> goes.
    /// </summary>
    public static async Task<InstallResult> InstallRecordedAsync(string manifestPath, string manifestText, IDeviceCertificateTarget target,
        InstallOptions options,
        IProgress<InstallProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        manifestPath = Path.GetFullPath(manifestPath);
        string ledgerPath = LedgerFile.PathFor(manifestPath);
        InstallResult Refuse(string why) => new(why, [], ledgerPath, false, false);
        var document = Core.Checking.ManifestDocument.Parse(manifestPath, manifestText);
        if (document.Manifest is not { } manifest) return Refuse("the manifest cannot be read (run certlsp check)");
        if (!manifest.Key.DeviceHeld) return Refuse(
            "the site's keys are local (key.source: local): nothing is installed on the devices; import writes their bundles");

        string manifestDir = Path.GetDirectoryName(manifestPath)!;
        string bundles = options.BundleFolder ?? DefaultBundleFolder(manifestPath);
        using var runLock = RunLock.TryTake(ledgerPath);
        if (runLock is null) return Refuse("another certlsp run is working on this manifest; try again when it has finished");
        AtomicFile.RemoveLeftovers(manifestDir, Path.GetFileName(ledgerPath));
        var ledger = LedgerFile.Load(ledgerPath);
        var now = options.Clock.GetUtcNow();

        var jobs = new List<InstallJob>();
        var results = new List<DeviceInstallResult>();
        foreach (var device in manifest.Devices)
        {
            if (device.Name is null || ledger.Find(device.Name.Value) is not { } entry || !Due(entry, now)) continue;
            var (certificates, problem) = ReadChain(bundles, device.Name.Value, entry.Certificate!.Fingerprint);
            if (certificates is null) results.Add(new DeviceInstallResult(device.Name.Value, InstallState.Pending,
                $"not installed: {problem}; import the CA's answer again to rewrite it"));
            else jobs.Add(new InstallJob(device, entry.Certificate.Fingerprint, certificates));
        }
        bool changed = false;
        var run = await RunAsync(jobs, target, ledger, l => changed |= LedgerFile.Save(ledgerPath, l, Path.GetFileName(manifestPath), now),
            options.Clock, results,
            progress, cancellationToken).ConfigureAwait(false);
        return new InstallResult(null, [.. results.OrderBy(r => r.Device, StringComparer.Ordinal)], ledgerPath, changed, run.Cancelled);
    }

    /// <summary>An issued certificate that is to go onto its device: imported, not installed yet (pending or failed), usable now.</summary>
    public static bool Due(LedgerEntry entry, DateTimeOffset now) =>
        entry.InstallStateOfCertificate is InstallState.Pending or InstallState.Failed && entry.StatusAt(now) == CertificateStatus.Valid;

    /// <summary>Where import writes bundles and chain files by default: "certificates/&lt;manifest&gt;/" beside the manifest.</summary>
    public static string DefaultBundleFolder(string manifestPath) =>
        Path.Combine(Path.GetDirectoryName(manifestPath)!, "certificates", KeyStore.ManifestStem(manifestPath));

    /// <summary>A device's chain file, if it holds the recorded certificate followed by the issuer that signed it.</summary>
    private static (DeviceCertificates? Certificates, string? Problem) ReadChain(string folder, string device, string fingerprint)
    {
        string path = BundleWriter.ChainPath(folder, device);
        string name = Path.GetFileName(path);
        if (!File.Exists(path)) return (null, $"its certificate file {name} is missing (in {folder})");
        IReadOnlyList<X509Certificate2> chain;
        try
        {
            chain = CertificateFiles.ReadAll(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            return (null, $"its certificate file {name} cannot be read: {ex.Message}");
        }
        try
        {
            if (chain.Count < 2 || Fingerprints.Of(chain[0].RawData) != fingerprint || !CertificateFiles.IsSignedBy(chain[0], chain[1]))
                return (null,
                    $"its certificate file {name} does not hold the certificate the ledger records ({Fingerprints.Short(fingerprint)}…) " +
                    $"followed by its issuer");
            return (new DeviceCertificates(chain[0].ExportCertificatePem() + "\n",
                [.. chain.Skip(1).Select(c => c.ExportCertificatePem() + "\n")]), null);
        }
        finally
        {
            foreach (var c in chain) c.Dispose();
        }
    }

    private static async Task<DeviceInstallOutcome> InstallOne(IDeviceCertificateTarget target, InstallJob job,
        CancellationToken cancellationToken)
    {
        try
        {
            return await target.InstallAsync(job.Device, job.Certificates, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return DeviceInstallOutcome.Failed($"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
