using System.Collections.Immutable;
using CertLsp.Core.Checking;
using CertLsp.Core.Configuration;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Ledger;

namespace CertLsp.Core.Review;

/// <summary>One manifest of one state of a site (a revision or a folder): its path, its text, the text of the ledger beside it, if
/// any, and the certlsp.json of that state that applies to it (its rule levels; suppression comments are in the text).</summary>
public sealed record ReviewFile(string Path, string Text, LedgerInput? Ledger = null, CheckSettings? Settings = null);

/// <summary>How a manifest of the head state relates to the base state.</summary>
public enum ManifestChange
{
    /// <summary>In both states at the same path.</summary>
    Modified,
    /// <summary>In both states, under another path (moved, or two manifests swapped).</summary>
    Renamed,
    /// <summary>Only in the head state: every device is added.</summary>
    Added,
    /// <summary>Only in the base state: every device is removed.</summary>
    Deleted,
}

/// <summary>What a change does to the certificate of one device.</summary>
public enum CertificateImpact
{
    /// <summary>A device the base did not have: it needs its first CSR.</summary>
    NewDevice,
    /// <summary>The issued certificate still works as issued (only the subject or key settings of future requests change).</summary>
    StillValid,
    /// <summary>The issued certificate's CN no longer matches the manifest: it must be requested (and paid for) again.</summary>
    MustRequestAgain,
    /// <summary>The CSR waiting at the CA was made for the old CN, subject or key: what the CA issues will not match.</summary>
    PendingWillNotMatch,
    /// <summary>The device had no usable certificate or request (none, expired or revoked): a request was needed anyway.</summary>
    NeededAnyway,
}

/// <summary>
/// A device as one state has it: its CN, BACnet identity, batch, zip number in the request plan (1-based), 1-based line, and its
/// certificate status and serial in that state's ledger.
/// </summary>
public sealed record ReviewDevice(string Name, string? CommonName, uint? Instance, string? Address, string? Batch, int Zip, int Line,
    CertificateStatus Status, string? Serial);

/// <summary>A device of the head matched to the base (by instance, then address, then name), or only in one of them.</summary>
public sealed record DevicePairing(ReviewDevice? Base, ReviewDevice? Head)
{
    public bool IsRenamed => Base is not null && Head is not null && Base.Name != Head.Name;

    public bool CommonNameChanged => Base is not null && Head is not null
        && !string.Equals(Base.CommonName, Head.CommonName, StringComparison.Ordinal);
}

/// <summary>
/// One device's certificate impact: why (the CN, subject fields or key settings that change), what it had in the base ledger,
/// and what happens to it. <see cref="NewRequest"/> says whether the change implies a CSR that was not needed before.
/// </summary>
public sealed record DeviceImpact(DevicePairing Device, CertificateImpact Impact, ImmutableArray<string> Reasons,
    CertificateStatus BaseStatus, string? BaseSerial)
{
    public bool NewRequest => Impact is CertificateImpact.NewDevice or CertificateImpact.MustRequestAgain
        or CertificateImpact.PendingWillNotMatch;
}

/// <summary>A device of the open text renamed since the base, with the entry its lens sits on and what the rename does to its
/// certificate.</summary>
public sealed record RenamedDevice(Manifest.DeviceEntry Device, DeviceImpact Impact);

/// <summary>A site-wide setting that changes every future request (domain, subject defaults, key settings).</summary>
public sealed record SettingChange(string Setting, string? Old, string? New);

/// <summary>A named batch of more than 50 devices in the head (cut into several zips); <see cref="New"/> when the base had it at 50 or
/// fewer.</summary>
public sealed record OversizedBatch(string Batch, int Devices, bool New);

public enum LedgerEventKind
{
    RequestMade,
    CertificateImported,
    Revoked,
    Installed,
    InstallFailed,
    EntryRemoved,
}

/// <summary>What the ledger records between the two states for one device.</summary>
public sealed record LedgerEvent(string Device, LedgerEventKind Kind, string CommonName, string Detail);

/// <summary>A finding of the checker, with its 1-based line and column in its own text (the head's for introduced ones, the base's for
/// fixed ones).</summary>
public sealed record ReviewFinding(Diagnostic Diagnostic, int Line, int Column, string? Device);

/// <summary>A certificate of the head that expires within the warning window.</summary>
public sealed record ExpiringCertificate(string Device, string CommonName, DateTimeOffset NotAfter, int DaysLeft);

/// <summary>A ledger that could not be read in one of the states (named with its line); its changes were not compared.</summary>
public sealed record LedgerProblem(string Side, string Path, int Line, string Reason);

/// <summary>Everything a change does to one manifest.</summary>
public sealed record ManifestReview(
    string Path,
    string? BasePath,
    ManifestChange Change,
    ImmutableArray<string> Notes,
    ImmutableArray<DevicePairing> Added,
    ImmutableArray<DevicePairing> Removed,
    ImmutableArray<DevicePairing> Renamed,
    ImmutableArray<SettingChange> Settings,
    ImmutableArray<DeviceImpact> Impacts,
    ImmutableArray<DevicePairing> ZipMoves,
    ImmutableArray<OversizedBatch> OversizedBatches,
    ImmutableArray<LedgerEvent> LedgerEvents,
    ImmutableArray<LedgerProblem> LedgerProblems,
    ImmutableArray<ReviewFinding> Introduced,
    ImmutableArray<ReviewFinding> Fixed,
    ImmutableArray<ExpiringCertificate> Expiring,
    int WarningDays)
{
    public int NewRequests => Impacts.Count(i => i.NewRequest);

    public int IntroducedErrors => Introduced.Count(f => f.Diagnostic.Severity == DiagnosticSeverity.Error);

    /// <summary>Whether the change voids an issued certificate or a pending CSR (new devices alone are not an impact).</summary>
    public bool HasCertificateImpact => Impacts.Any(i => i.Impact is CertificateImpact.MustRequestAgain
        or CertificateImpact.PendingWillNotMatch);

    public bool IsUnchanged => Change == ManifestChange.Modified && Added.IsEmpty && Removed.IsEmpty && Renamed.IsEmpty && Settings.IsEmpty
        && Impacts.IsEmpty
        && ZipMoves.IsEmpty && LedgerEvents.IsEmpty && LedgerProblems.IsEmpty && Introduced.IsEmpty && Fixed.IsEmpty && Notes.IsEmpty;
}

/// <summary>The review of a change to a set of manifests, and the head's check (for SARIF of the introduced findings).</summary>
public sealed record SiteReview(ImmutableArray<ManifestReview> Manifests, CheckResult HeadCheck, DateTimeOffset Now)
{
    public int NewRequests => Manifests.Sum(m => m.NewRequests);

    public int IntroducedErrors => Manifests.Sum(m => m.IntroducedErrors);

    public bool HasCertificateImpact => Manifests.Any(m => m.HasCertificateImpact);

    /// <summary>The head's check reduced to the findings this change introduced.</summary>
    public CheckResult IntroducedOnly()
    {
        var introduced = Manifests.SelectMany(m => m.Introduced).Select(f => f.Diagnostic).ToHashSet(ReferenceEqualityComparer.Instance);
        return HeadCheck with
        {
            ByPath = HeadCheck.ByPath.ToImmutableDictionary(kv => kv.Key, kv =>
                kv.Value.Where(d => introduced.Contains(d)).ToImmutableArray(), StringComparer.Ordinal),
        };
    }
}
