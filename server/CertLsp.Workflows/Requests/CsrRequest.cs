using System.Collections.Immutable;

namespace CertLsp.Workflows.Requests;

/// <summary>What to do with devices whose CSR is still pending: stop and list them, keep them (no action taken), or overwrite them (the old
/// request is void).</summary>
public enum PendingPolicy
{
    Stop,
    Keep,
    Overwrite,
}

/// <summary>Which devices to request, how, and where the zips go.</summary>
public sealed record CsrRequestOptions
{
    /// <summary>Only these devices (by name); null for all (or the batch). Devices named here are requested even when they hold a valid
    /// certificate. The commissioning tool's certificate (“bacnet.secureConnect.tool”) is requested only by a run over the whole site
    /// (no devices named, no batch).</summary>
    public IReadOnlyList<string>? Devices { get; init; }

    /// <summary>
    /// Request devices that hold a valid certificate outside its warning window too (a renewal before it is due). Without it, and
    /// unless <see cref="Devices"/> names them, such devices are left out as <see cref="DeviceOutcome.NotDue"/>: each request costs money.
    /// </summary>
    public bool Renew { get; init; }

    /// <summary>Only the devices of this named batch.</summary>
    public string? Batch { get; init; }

    public PendingPolicy Pending { get; init; } = PendingPolicy.Stop;

    /// <summary>The folder for the zips; default: the manifest's folder. A re-run after a crash must use the same folder.</summary>
    public string? OutputFolder { get; init; }

    public ZipLayout Layout { get; init; } = ZipLayout.Flat;

    /// <summary>Encrypts the private keys when set (the CLI takes it from CERTLSP_KEY_PASSPHRASE).</summary>
    public string? Passphrase { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Where the CSRs come from when the manifest's keys are held by the devices (key.source: device); without it such a manifest
    /// is refused.</summary>
    public IDeviceCsrSource? DeviceSource { get; init; }

    /// <summary>Devices asked for a CSR at once (they wait on the devices, not on this machine's CPU).</summary>
    public int DeviceParallelism { get; init; } = 16;
}

public enum CsrRunState
{
    /// <summary>The run finished (some devices may have failed).</summary>
    Done,

    /// <summary>Nothing was requested: devices have pending CSRs and no keep/overwrite choice was made.</summary>
    PendingConflict,

    /// <summary>Nothing was requested: the manifest cannot be requested as it is (errors, unknown devices, device-held keys).</summary>
    Refused,
}

public enum DeviceOutcome
{
    Requested,

    /// <summary>Requested by an earlier run that was interrupted after writing its zip; recorded in the ledger now.</summary>
    Recovered,

    NoActionTaken,

    Failed,

    /// <summary>Not requested: the device holds a valid certificate outside its warning window and no renewal was asked for.</summary>
    NotDue,
}

/// <summary>One device's outcome; <see cref="Detail"/> says why (a failure's reason, "pending since …", "the old request is
/// void").</summary>
/// <param name="Tool">The commissioning tool's own certificate (“bacnet.secureConnect.tool”): <see cref="Device"/> is the tool's
/// name.</param>
public sealed record DeviceResult(string Device, string CommonName, DeviceOutcome Outcome, string? Zip, string Detail, bool Tool = false);

/// <summary>One zip written (or recovered): its file name and counts.</summary>
public sealed record ZipResult(string FileName, string Path, int Requested, int Failed, bool Recovered);

/// <summary>
/// What the run found before it began: what an interrupted earlier run left (zips the ledger did not know, temporary files, the
/// ledger's run-open marker) and what was done about it, and the key files no ledger entry names. A key is deleted only when a
/// certificate for a newer key of the same device was imported (<see cref="SupersededKeysRemoved"/>); every other unnamed key may
/// belong to a CSR the CA will still sign, so it is moved to the quarantine folder (<see cref="QuarantinedKeys"/>), never deleted.
/// </summary>
public sealed record RecoveryReport(ImmutableArray<string> AdoptedZips, int TempFilesRemoved, bool RunWasOpen = false,
    int SupersededKeysRemoved = 0, ImmutableArray<string> QuarantinedKeys = default, string? QuarantineFolder = null, int KeysRestored = 0)
{
    public static RecoveryReport Nothing { get; } = new([], 0);

    /// <summary>An earlier run was interrupted: it left a zip the ledger did not know, temporary files, or its run-open marker.</summary>
    public bool Interrupted => !AdoptedZips.IsEmpty || TempFilesRemoved > 0 || RunWasOpen;

    public ImmutableArray<string> Quarantined => QuarantinedKeys.IsDefault ? [] : QuarantinedKeys;
}

/// <summary>
/// A zip whose CSRs still wait for the CA's answer (its devices' ledger blocks name it as pending): to be sent if it was not yet.
/// <see cref="Path"/> is where it lies (null when it is no longer in the output folder); <see cref="Note"/> explains a numbering
/// with gaps ("3-of-3" missing), for example a zip adopted from an interrupted run.
/// </summary>
public sealed record PendingZip(string FileName, string? Path, ImmutableArray<string> Devices, bool Recovered, string? Note);

/// <summary>Per-device progress of a run: which device, its outcome, and how far the run is.</summary>
public sealed record CsrProgress(string Device, DeviceOutcome Outcome, int Done, int Total);

/// <summary>The result of a CSR run: what happened to each device and each zip, and the summary counts.</summary>
public sealed record CsrRunResult(
    CsrRunState State,
    string? Refusal,
    ImmutableArray<DeviceResult> Devices,
    ImmutableArray<ZipResult> Zips,
    ImmutableArray<DeviceResult> Pending,
    RecoveryReport Recovery,
    string LedgerPath,
    string KeyFolder,
    ImmutableArray<PendingZip> PendingZips = default)
{
    /// <summary>Every zip that still awaits the CA's answer after this run, with its devices (listed at the end of every run).</summary>
    public ImmutableArray<PendingZip> AwaitingZips => PendingZips.IsDefault ? [] : PendingZips;

    public int NotDue => Devices.Count(d => d.Outcome == DeviceOutcome.NotDue);

    public int Requested => Devices.Count(d => d.Outcome is DeviceOutcome.Requested or DeviceOutcome.Recovered);

    public int NoActionTaken => Devices.Count(d => d.Outcome == DeviceOutcome.NoActionTaken);

    public int Failed => Devices.Count(d => d.Outcome == DeviceOutcome.Failed);
}
