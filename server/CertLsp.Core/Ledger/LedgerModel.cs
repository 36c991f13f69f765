using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace CertLsp.Core.Ledger;

/// <summary>Where a device stands with its CA.</summary>
public enum CertificateStatus
{
    None,
    Pending,
    Valid,
    Expired,
    Revoked,
}

/// <summary>A CSR sent (or about to be sent) to the CA: the SHA-256 fingerprint of its public key, when it was made, which zip holds
/// it.</summary>
public sealed record PendingRequest(string PublicKey, DateTimeOffset Since, string Zip);

/// <summary>A certificate the CA issued and that passed the import checks.</summary>
public sealed record IssuedCertificate(
    string Serial,
    string Issuer,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Fingerprint,
    string PublicKey,
    DateTimeOffset? RevokedAt = null)
{
    public bool IsRevoked => RevokedAt is not null;

    /// <summary>
    /// Imported while every CRL given for its issuer had expired: the nextUpdate of that CRL. Its non-revocation is not proven; a later
    /// import with a current CRL of the issuer clears it.
    /// </summary>
    public DateTimeOffset? CrlExpired { get; init; }

    /// <summary>
    /// The certificate's extendedKeyUsage purposes as recorded at import (names such as clientAuth, or dotted OIDs): empty when it has
    /// no such extension (any purpose, RFC 5280 §4.2.1.12); null when the ledger predates the record (unknown).
    /// </summary>
    public ImmutableArray<string>? ExtendedKeyUsages { get; init; }

    /// <summary>False only when the recorded purposes leave out TLS client authentication (a BACnet/SC node connects with it); true
    /// when they include it or allow any purpose, null when nothing was recorded.</summary>
    public bool? AllowsClientAuth => ExtendedKeyUsages is not { } purposes ? null
        : purposes.IsEmpty || purposes.Contains("clientAuth") || purposes.Contains("anyExtendedKeyUsage");
}

/// <summary>Where installing an issued certificate on a device that holds its own key (key.source: device) stands.</summary>
public enum InstallState
{
    /// <summary>Imported, not (yet) installed: the next <c>certlsp import --bind</c> installs it.</summary>
    Pending,
    Installed,
    /// <summary>The last attempt failed (the device refused the certificate or did not answer); the next import with --bind tries
    /// again.</summary>
    Failed,
}

/// <summary>
/// The install of one issued certificate (named by its SHA-256, so a renewal starts afresh) on a device that holds its key:
/// its state, when it was last attempted, and why it failed (for example the device's BACnet error).
/// </summary>
public sealed record CertificateInstall(InstallState State, string Certificate, DateTimeOffset? At = null, string? Error = null);

/// <summary>What the last <c>certlsp verify</c> found for a device over BACnet/SC.</summary>
public enum VerificationResult
{
    /// <summary>It answered over SC, its identity matches and it reports the certificate the ledger recorded.</summary>
    Joined,
    /// <summary>A handshake with its own key and certificate was refused by the hub.</summary>
    Refused,
    /// <summary>It did not answer over SC.</summary>
    NotJoined,
    /// <summary>It answered, but with another identity or another certificate than the ledger recorded.</summary>
    Mismatch,
    /// <summary>It could not be checked (the hub connection was lost, the run was cancelled).</summary>
    NotVerified,
}

/// <summary>The last verification of a device over BACnet/SC: when, the result, and a short reason in words (never anything about a
/// key).</summary>
public sealed record DeviceVerification(VerificationResult Result, DateTimeOffset At, string Reason)
{
    /// <summary>What a device that joined with its recorded certificate is said to have done.</summary>
    public const string JoinedText = "joined the hub with its certificate";

    /// <summary>The result as the ledger and JSON write it (joined, refused, not-joined, mismatch, not-verified).</summary>
    public static string Name(VerificationResult result) => result switch
    {
        VerificationResult.Joined => "joined",
        VerificationResult.Refused => "refused",
        VerificationResult.NotJoined => "not-joined",
        VerificationResult.Mismatch => "mismatch",
        _ => "not-verified",
    };

    /// <summary>The result named so, or null.</summary>
    public static VerificationResult? Parse(string name) => name switch
    {
        "joined" => VerificationResult.Joined,
        "refused" => VerificationResult.Refused,
        "not-joined" => VerificationResult.NotJoined,
        "mismatch" => VerificationResult.Mismatch,
        "not-verified" => VerificationResult.NotVerified,
        _ => null,
    };

    /// <summary>One line for status, hover and code lens: “verified 2026-12-06 20:30 UTC: joined the hub with its certificate”.
    /// </summary>
    public string Describe() =>
        $"verified {At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC: {Reason}";
}

/// <summary>
/// One device's block: the CN its requests carry (reused on renewal), its pending CSR, its issued certificate and, for device-held keys,
/// whether that certificate is installed on the device.
/// </summary>
public sealed record LedgerEntry(string Device, string CommonName, PendingRequest? Pending, IssuedCertificate? Certificate,
    CertificateInstall? Install = null)
{
    /// <summary>The last verification over BACnet/SC (<c>certlsp verify</c>), or null when none was recorded.</summary>
    public DeviceVerification? Verification { get; init; }

    /// <summary>
    /// Where installing the issued certificate stands (meaningful for device-held keys only): null without a certificate; pending
    /// when no install of this very certificate was recorded (an import of an older version, or a renewal).
    /// </summary>
    public InstallState? InstallStateOfCertificate =>
        Certificate is null ? null : Install?.Certificate == Certificate.Fingerprint ? Install.State : InstallState.Pending;

    /// <summary>The status at a moment: revoked, else pending, else valid or expired by the certificate's dates, else none.</summary>
    public CertificateStatus StatusAt(DateTimeOffset now)
    {
        if (Certificate is { IsRevoked: true }) return CertificateStatus.Revoked;
        if (Pending is not null) return CertificateStatus.Pending;
        if (Certificate is null) return CertificateStatus.None;
        return now > Certificate.NotAfter ? CertificateStatus.Expired : CertificateStatus.Valid;
    }

    /// <summary>The public keys this device still needs the private key of: the pending CSR's and the issued certificate's.</summary>
    public IEnumerable<string> LiveKeys()
    {
        if (Pending is not null) yield return Pending.PublicKey;
        if (Certificate is not null) yield return Certificate.PublicKey;
    }
}

/// <summary>
/// The ledger of one manifest: per device (sorted by name) what was requested and what was issued. Immutable; never holds a private key.
/// <see cref="RequestsThrough"/> is the timestamp of the newest CSR run recorded, so a zip left by an interrupted run can be told from an
/// old one;
/// <see cref="RunOpen"/> is the timestamp of the earliest CSR run that has not finished (it was killed or cancelled): requests made since
/// then belong to the job a re-run finishes, not to an earlier job that a new request would void.
/// </summary>
/// <para>The blocks of the commissioning tool's own BACnet/SC certificates (“bacnet.secureConnect.tool”) are <see cref="Tools"/>, kept
/// apart from the devices' so that no device name can collide with a tool's.</para>
public sealed record SiteLedger(string? RequestsThrough, ImmutableSortedDictionary<string, LedgerEntry> Entries, string? RunOpen = null)
{
    public static SiteLedger Empty { get; } = new(null, ImmutableSortedDictionary.Create<string, LedgerEntry>(StringComparer.Ordinal));

    /// <summary>The tool blocks, by the tool's name (the <see cref="LedgerEntry.Device"/> of each is the tool's name).</summary>
    public ImmutableSortedDictionary<string, LedgerEntry> Tools { get; init; } =
        ImmutableSortedDictionary.Create<string, LedgerEntry>(StringComparer.Ordinal);

    public LedgerEntry? FindTool(string tool) => Tools.GetValueOrDefault(tool);

    public SiteLedger WithTool(LedgerEntry entry) => this with { Tools = Tools.SetItem(entry.Device, entry) };

    /// <summary>The device's block, or null. A large ledger is looked up in a hash index of its entries, made on the first look-up
    /// and kept as long as the entries are (checks and reviews look up every device of a site several times; the sorted
    /// dictionary's search was a twentieth of a 10,000-device review).</summary>
    public LedgerEntry? Find(string device) =>
        Entries.Count < IndexedFrom ? Entries.GetValueOrDefault(device)
        : ByName.GetValue(Entries, static entries => new Dictionary<string, LedgerEntry>(entries, StringComparer.Ordinal))
            .GetValueOrDefault(device);

    /// <summary>From how many entries <see cref="Find"/> uses a hash index.</summary>
    private const int IndexedFrom = 64;

    private static readonly ConditionalWeakTable<ImmutableSortedDictionary<string, LedgerEntry>, Dictionary<string, LedgerEntry>>
        ByName = [];

    public SiteLedger With(LedgerEntry entry) => this with { Entries = Entries.SetItem(entry.Device, entry) };

    /// <summary>The entry holding a public key, pending or issued.</summary>
    public LedgerEntry? FindByKey(string publicKey) =>
        Entries.Values.FirstOrDefault(e => e.Pending?.PublicKey == publicKey || e.Certificate?.PublicKey == publicKey);

    /// <summary>The tool block holding a public key, pending or issued.</summary>
    public LedgerEntry? FindToolByKey(string publicKey) =>
        Tools.Values.FirstOrDefault(e => e.Pending?.PublicKey == publicKey || e.Certificate?.PublicKey == publicKey);
}
