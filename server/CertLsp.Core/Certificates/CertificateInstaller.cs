using System.Security.Cryptography.X509Certificates;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Certificates;

/// <summary>One install an import found to do: the device, the issued certificate (by its SHA-256) and what goes onto the device.</summary>
public sealed record InstallJob(DeviceEntry Device, string Fingerprint, DeviceCertificates Certificates)
{
    public string Name => Device.Name!.Value;
}

/// <summary>The install verdict on one device: installed, failed (with the device's reason), or pending (not tried: no target given).</summary>
public sealed record DeviceInstallResult(string Device, InstallState State, string Detail);

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
    /// Runs the installs; <paramref name="save"/> is called with the ledger after each group. Returns the ledger with every outcome
    /// recorded. Cancellation saves what finished, then throws.
    /// </summary>
    public static SiteLedger Run(IReadOnlyList<InstallJob> jobs, IDeviceCertificateTarget target, SiteLedger ledger, Action<SiteLedger> save,
        TimeProvider clock, ICollection<DeviceInstallResult> results, CancellationToken cancellationToken)
    {
        for (int start = 0; start < jobs.Count; start += GroupSize)
        {
            var group = jobs.Skip(start).Take(GroupSize).ToList();
            var outcomes = new DeviceInstallOutcome?[group.Count];
            try
            {
                System.Threading.Tasks.Parallel.ForEachAsync(Enumerable.Range(0, group.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = cancellationToken },
                    async (i, ct) => outcomes[i] = await InstallOne(target, group[i], ct).ConfigureAwait(false)).GetAwaiter().GetResult();
            }
            finally
            {
                // What finished is recorded even when the run is cancelled.
                var now = clock.GetUtcNow();
                for (int i = 0; i < group.Count; i++)
                {
                    if (outcomes[i] is not { } outcome) continue;
                    var job = group[i];
                    var entry = ledger.Find(job.Name);
                    if (entry?.Certificate?.Fingerprint != job.Fingerprint) continue;
                    var state = outcome.Installed ? InstallState.Installed : InstallState.Failed;
                    ledger = ledger.With(entry with { Install = new CertificateInstall(state, job.Fingerprint, now, outcome.Failure) });
                    results.Add(new DeviceInstallResult(job.Name, state, outcome.Failure ?? "issuer and operational certificates written, read back and activated"));
                }
                save(ledger);
            }
        }
        return ledger;
    }

    private static async Task<DeviceInstallOutcome> InstallOne(IDeviceCertificateTarget target, InstallJob job, CancellationToken cancellationToken)
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
