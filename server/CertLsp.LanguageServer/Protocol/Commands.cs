using System.Text.Json;

namespace CertLsp.LanguageServer.Protocol;

/// <summary>
/// Arguments of certlsp.generateCsrs: scope "all", "batch" (with Batch) or "devices" (with Devices); Pending "keep" or "overwrite";
/// Renew true to request devices that hold a valid certificate too (scope "devices" always does).
/// </summary>
public sealed record GenerateCsrsArguments(string Uri, string? Scope = null, string? Batch = null, string[]? Devices = null,
    string? Pending = null, string? Layout = null, bool? Renew = null);

public sealed record GenerateCsrsResult(
    int Requested,
    int NoActionTaken,
    int Failed,
    string[] Zips,
    string Message,
    bool NeedsPendingChoice = false,
    string[]? PendingDevices = null,
    string? Refusal = null,
    bool Cancelled = false);

public sealed record ImportCertificatesArguments(string Uri, string Path, string[]? Issuers = null);

public sealed record ImportedFileResult(string Name, string Verdict, string Reason, string? Device);

/// <summary>
/// What an import did; for a site whose devices hold their keys (key.source: device) also its installs (null otherwise), and whether
/// they were cancelled (the certificates are recorded; installs not done stay pending).
/// </summary>
public sealed record ImportCertificatesResult(int Imported, int Rejected, string Message, ImportedFileResult[] Files, string? Refusal =
    null, InstallSummary? Installs = null, bool Cancelled = false);

/// <summary>One device's install: State "installed", "failed" or "pending"; Detail the device's error, or why it was not tried.</summary>
public sealed record DeviceInstallEntry(string Device, string State, string Detail);

/// <summary>The installs of certificates on devices that hold their keys: counts by state and a line per device.</summary>
public sealed record InstallSummary(int Installed, int Failed, int Pending, DeviceInstallEntry[] Devices);

/// <summary>Arguments of certlsp.installCertificates: the manifest whose recorded, not yet installed certificates go onto their
/// devices.</summary>
public sealed record InstallCertificatesArguments(string Uri);

/// <summary>The argument of the client's own command <c>certlsp.importCertificatesPrompt</c> (a code action offers it).</summary>
public sealed record ImportPromptArguments(string Uri);

public sealed record InstallCertificatesResult(int Installed, int Failed, int Pending, DeviceInstallEntry[] Devices, string Message,
    string? Refusal = null, bool Cancelled = false);

public sealed record SiteStatusParams(string Uri);

public sealed record SiteCounts(int Devices, int Errors, int Warnings, int Pending);

/// <summary>A device's status; Install ("installed", "pending", "failed") and InstallError only for device-held keys with an issued
/// certificate; Verified (joined, refused, not-joined, mismatch, not-verified) and Verification (“verified 2026-12-06 20:30 UTC: joined
/// the hub with its certificate”) once a verification over BACnet/SC was recorded.</summary>
public sealed record DeviceStatusResult(string Name, string CommonName, string Status, Range Range, string? NotAfter = null,
    int? DaysLeft = null, string? PendingSince = null,
    string? Install = null, string? InstallError = null, string? Verified = null, string? Verification = null);

public sealed record SiteStatusResult(string Site, SiteCounts Counts, DeviceStatusResult[] Devices);

public sealed record WorkDoneProgressCancelParams(JsonElement Token);

/// <summary>Arguments of certlsp.discoverDevices: the manifest, and how long to wait for I-Am answers (seconds, default 3).</summary>
public sealed record DiscoverDevicesArguments(string Uri, double? Timeout = null);

/// <summary>
/// What discovery did to the manifest: devices that answered, names added, devices whose address was updated, devices that
/// did not answer and other differences (as text), whether the client applied the edit (and the edit itself).
/// </summary>
public sealed record DiscoverDevicesResult(
    int Answered,
    string[] Added,
    string[] Updated,
    string[] Missing,
    string[] Differences,
    bool Applied,
    string Message,
    WorkspaceEdit? Edit = null,
    string? Refusal = null,
    bool Cancelled = false);

/// <summary>Arguments of certlsp.reviewChanges: the manifest, and the git revision to compare its open text with (default HEAD).</summary>
public sealed record ReviewChangesArguments(string Uri, string? Base = null);

/// <summary>
/// The review of the manifest's open text against the base revision: the markdown (as <c>certlsp review --format markdown</c>), its
/// headline and counts; or, with nothing else filled, why there is none (untrusted workspace, not a git repository, no such revision).
/// </summary>
public sealed record ReviewChangesResult(string Base, string Markdown, string Headline, int NewRequests, bool CertificateImpact,
    string? Refusal = null);

/// <summary>Arguments of certlsp.verifySite: the manifest, and how long to wait for I-Am answers and each read (seconds, default 3).
/// </summary>
public sealed record VerifySiteArguments(string Uri, double? Timeout = null);

/// <summary>One device's verification over BACnet/SC (as <c>certlsp verify --format json</c> writes it).</summary>
public sealed record DeviceVerificationEntry(string Device, long? Instance, bool Joined, bool? IdentityMatches, string HubStatus,
    bool? CertificateMatches, string? ReportedFingerprint, string? Handshake, string Result, string Reason);

/// <summary>The result of certlsp.verifySite: each device, whether all joined with their recorded certificate, the summary; Refusal
/// when it could not run, LedgerProblem when the ledger was not updated, Cancelled when the engineer cancelled it.</summary>
public sealed record VerifySiteResult(bool AllJoined, DeviceVerificationEntry[] Devices, string Message, string? Refusal = null,
    string? LedgerProblem = null, bool Cancelled = false);
