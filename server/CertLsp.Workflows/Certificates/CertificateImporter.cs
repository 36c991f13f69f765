using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Core.Certificates;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;

namespace CertLsp.Workflows.Certificates;

public sealed record ImportOptions
{
    /// <summary>Issuer certificate files beyond the manifest's ca.issuers (PEM or DER; full paths).</summary>
    public IReadOnlyList<string> Issuers { get; init; } = [];

    /// <summary>CRL files (PEM or DER); each must be signed by a configured issuer.</summary>
    public IReadOnlyList<string> RevocationLists { get; init; } = [];

    /// <summary>
    /// Strict CRL checking: an expired CRL (its nextUpdate past) refuses the whole import. Without it an expired CRL is a warning and
    /// the certificates of its issuer are accepted as not proven unrevoked (said in their verdict, the ledger and status).
    /// </summary>
    public bool StrictCrl { get; init; }

    /// <summary>Where bundles go; default "certificates/&lt;manifest&gt;/" beside the manifest.</summary>
    public string? BundleFolder { get; init; }

    /// <summary>Decrypts the private keys and protects the PKCS#12 bundles (the CLI takes it from CERTLSP_KEY_PASSPHRASE).</summary>
    public string? Passphrase { get; init; }

    /// <summary>
    /// Device-held keys (key.source: device): where accepted certificates are installed (BACnet in the CLI). Without one they are
    /// recorded as install pending and a later import with a target installs them.
    /// </summary>
    public IDeviceCertificateTarget? DeviceTarget { get; init; }

    /// <summary>Device-held keys: reported as each device's install finishes.</summary>
    public IProgress<InstallProgress>? InstallProgress { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

public enum FileVerdict
{
    Accepted,
    AlreadyImported,
    Rejected,
    Skipped,
    Issuer,
}

/// <summary>The verdict on one file of the archive, with its reason and, when it names one, the device.</summary>
public sealed record ImportedFile(string Name, FileVerdict Verdict, string Reason, string? Device = null);

public enum ImportState
{
    Done,
    Refused,
}

/// <summary>Per-file progress of an import.</summary>
public sealed record ImportProgress(string File, FileVerdict Verdict, int Done, int Total);

public sealed record ImportResult(
    ImportState State,
    string? Refusal,
    ImmutableArray<ImportedFile> Files,
    ImmutableArray<string> NewlyRevoked,
    ImmutableArray<string> Warnings,
    string LedgerPath,
    bool LedgerChanged)
{
    public int Count(FileVerdict verdict) => Files.Count(f => f.Verdict == verdict);

    /// <summary>Device-held keys: per device whose certificate is not installed yet, what happened (pending when no target was
    /// given).</summary>
    public ImmutableArray<DeviceInstallResult> Installs { get; init; } = [];

    public int InstallCount(InstallState state) => Installs.Count(i => i.State == state);

    /// <summary>The installs were cancelled: the certificates are recorded, the installs not done stay pending (reported so).</summary>
    public bool InstallsCancelled { get; init; }
}

/// <summary>
/// Takes back what the CA signed. The archive is read as hostile input (<see cref="CertificateArchive"/>); each certificate is
/// checked — well formed, no wildcard name, within its dates, signed directly by a configured issuer, the key usages its CA profile
/// needs (<see cref="CertificateUsage"/>), not revoked (with a CRL; an expired CRL is a warning, or refuses with
/// <see cref="ImportOptions.StrictCrl"/>), its public key the pending CSR's, its CN the device's — and only those that pass are recorded.
/// A file may hold a leaf with its chain (fullchain PEM, PKCS#7): the chain is reported, never trusted. For local keys, per-device bundles
/// are written first,
/// the ledger last, so an interrupted import is simply run again. Importing the same files twice changes nothing. For device-held keys
/// each accepted certificate is recorded as install pending, then installed on its device through <see cref="ImportOptions.DeviceTarget"/>
/// (<see cref="CertificateInstaller"/>); a certificate imported earlier but not installed yet is installed when its file is imported again.
/// </summary>
public static class CertificateImporter
{
    /// <summary>Bundles written at once: each waits on three flushes to disk.</summary>
    private const int BundleWriters = 8;

    /// <summary>
    /// Imports <paramref name="source"/> (a zip, a folder or one file) for the manifest. <paramref name="manifestText"/> may be an
    /// editor buffer; cancelled before it starts, the import writes nothing. Checking the certificates is CPU work done before the
    /// first wait: a caller that must stay responsive (an editor's message loop) starts the import off its own thread. Throws
    /// <see cref="LedgerFormatException"/> when the ledger cannot be trusted (nothing is written then).
    /// </summary>
    public static async Task<ImportResult> RunAsync(string manifestPath, string manifestText, string source, ImportOptions options,
        IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        manifestPath = Path.GetFullPath(manifestPath);
        string ledgerPath = LedgerFile.PathFor(manifestPath);
        var now = options.Clock.GetUtcNow();
        var warnings = new List<string>();
        ImportResult Refuse(string why) => new(ImportState.Refused, why, [], [], [.. warnings], ledgerPath, false);

        var ledger = LedgerFile.Load(ledgerPath);
        var document = ManifestDocument.Parse(manifestPath, manifestText);
        if (document.Manifest is not { } manifest) return Refuse("the manifest cannot be read (run certlsp check)");

        var issuers = new List<X509Certificate2>();
        string manifestDir = Path.GetDirectoryName(manifestPath)!;
        var issuerFiles = manifest.Ca.Issuers.Select(i => (Path: ManifestPaths.Resolve(manifestDir, i.Value), FromManifest: true))
            .Concat(options.Issuers.Select(i => (Path: i, FromManifest: false)));
        foreach (var (path, fromManifest) in issuerFiles)
        {
            if (!File.Exists(path))
            {
                if (fromManifest) { warnings.Add($"the issuer certificate {path} (ca.issuers) does not exist"); continue; }
                return Refuse($"the issuer certificate {path} does not exist");
            }
            try
            {
                issuers.AddRange(CertificateFiles.ReadAll(File.ReadAllBytes(path)));
            }
            catch (FormatException ex)
            {
                return Refuse($"the issuer certificate {path} cannot be read: {ex.Message}");
            }
        }
        if (issuers.Count == 0) return Refuse(
            "no issuer certificate is configured (ca.issuers in the manifest, or --issuer): nothing could be verified");

        RevocationLists crls;
        try
        {
            crls = RevocationLists.Load(options.RevocationLists.Select(p => (p, File.ReadAllBytes(p))), issuers);
        }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            return Refuse(ex.Message);
        }
        var expiredCrls = crls.ExpiredAt(now);
        if (options.StrictCrl && expiredCrls.Count > 0)
        {
            var (crlName, next) = expiredCrls[0];
            return Refuse(
                $"the CRL {Path.GetFileName(crlName)} expired on {LedgerFormat.Time(next)} (its nextUpdate), and strict CRL checking " +
                $"refuses an expired CRL: nothing was imported; get a current CRL from the CA");
        }
        foreach (var (crlName, next) in expiredCrls)
        {
            warnings.Add(
                $"the CRL {Path.GetFileName(crlName)} expired on {LedgerFormat.Time(next)} (its nextUpdate): it is no proof that a " +
                $"certificate it does not list is not revoked, so the certificates of its issuer are accepted as not proven unrevoked " +
                $"(--strict-crl refuses them); get a current CRL from the CA");
        }

        IReadOnlyList<ArchiveFile> files;
        try
        {
            files = CertificateArchive.Read(source);
        }
        catch (ArchiveRejectedException ex)
        {
            return Refuse($"{Path.GetFileName(source)} is refused, nothing in it was used: {ex.Message}");
        }

        string bundles = options.BundleFolder ?? CertificateInstaller.DefaultBundleFolder(manifestPath);

        // One writer per ledger; then what an interrupted import left half-written (bundle and ledger temporaries) is cleared.
        using var runLock = RunLock.TryTake(ledgerPath);
        if (runLock is null) return Refuse("another certlsp run is working on this manifest; try again when it has finished");
        ledger = LedgerFile.Load(ledgerPath); // as it is now that no other run can change it
        AtomicFile.RemoveLeftovers(bundles);
        AtomicFile.RemoveLeftovers(manifestDir, Path.GetFileName(ledgerPath));

        var byCn = DeviceIndex.ByCommonName(manifest, ledger);
        var keys = KeyStore.ForManifest(manifestPath, options.Passphrase);
        bool localKeys = !manifest.Key.DeviceHeld;
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };

        // 1. Every file judged against the ledger as it was (in parallel: parsing and signature checks are the CPU work).
        var presented = Presented(files);
        var context = new Context(issuers, presented, crls, byCn, now, ledger, manifest.Ca.ProfileName);
        var judged = new Judgement[files.Count];
        Parallel.For(0, files.Count, parallel, i => judged[i] = Judge(files[i], context));
        foreach (var p in presented) p.Dispose();

        // 2. In file order, at most one certificate per device is accepted.
        var accepted = new List<int>();
        var takenDevices = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < judged.Length; i++)
        {
            if (judged[i].Candidate is { } c && !takenDevices.Add(c.Key))
            {
                judged[i] = new Judgement(new(files[i].Name, FileVerdict.Rejected,
                    $"another certificate in this import was accepted for “{c.Device}”", c.Device), null);
                c.Certificate.Dispose();
            }
            else if (judged[i].Candidate is not null)
            {
                accepted.Add(i);
            }
        }

        // 3. Bundles for local keys (in parallel: PKCS#12 encryption and durable writes), chain files for device-held keys (what a
        // later install takes), before the ledger records anything.
        var reasons = new string[judged.Length];
        var onDevice = new DeviceCertificates?[judged.Length];
        // The issuer chain a device gets depends only on the signer: found and exported once per signer, not per device.
        var chains = new Dictionary<X509Certificate2, IReadOnlyList<string>>(ReferenceEqualityComparer.Instance);
        foreach (var signer in localKeys ? [] : accepted.Select(i => judged[i].Candidate!.Issuer))
        {
            if (!chains.ContainsKey(signer)) chains[signer] = [.. CertificateInstaller.Chain(signer, issuers).Select(i =>
                i.ExportCertificatePem() + "\n")];
        }
        await IoParallel.ForAsync(accepted.Count, BundleWriters, cancellationToken, n =>
        {
            int i = accepted[n];
            var c = judged[i].Candidate!;
            if (localKeys || c.Tool is not null) // the tool's key is always here: a bundle, whatever holds the devices' keys
            {
                reasons[i] = WriteBundle(bundles, c, keys, options.Passphrase);
                return;
            }
            onDevice[i] = new DeviceCertificates(c.Certificate.ExportCertificatePem() + "\n", chains[c.Issuer]);
            reasons[i] = WriteChain(bundles, c, onDevice[i]!);
        }).ConfigureAwait(false);
        foreach (int i in accepted)
        {
            if (judged[i].Candidate is { Again: false, CrlExpired: { } expired })
                reasons[i] += $"; not proven unrevoked: the CRL of its issuer expired on {LedgerFormat.Time(expired)}";
        }

        // 4. The ledger, last.
        var verdicts = new List<ImportedFile>(judged.Length);
        var updated = ledger;
        var installs = new List<InstallJob>();
        for (int i = 0; i < judged.Length; i++)
        {
            if (judged[i].Candidate is { Again: true } again)
            {
                using (again.Certificate)
                {
                    if (!localKeys && again.Tool is null && updated.Find(again.Device) is { } entry && CertificateInstaller.Due(entry, now))
                        installs.Add(InstallJobFor(again, onDevice[i]!));
                }
                verdicts.Add(new(files[i].Name, FileVerdict.AlreadyImported, reasons[i], again.Device));
            }
            else if (judged[i].Candidate is { } c)
            {
                using (c.Certificate)
                {
                    var issued = new IssuedCertificate(c.Serial, c.Issuer.SubjectName.Name, c.Certificate.NotBefore.ToUniversalTime(),
                        c.Certificate.NotAfter.ToUniversalTime(), c.Fingerprint, c.PublicKey)
                    {
                        CrlExpired = c.CrlExpired,
                        ExtendedKeyUsages = CertificateUsage.ExtendedKeyUsageNames(c.Certificate),
                    };
                    if (c.Tool is { } tool)
                    {
                        // The commissioning tool's block: recorded as a local key's (no install; its bundle is written above).
                        updated = updated.WithTool(updated.FindTool(tool)! with { Pending = null, Certificate = issued, Install = null });
                    }
                    else
                    {
                        var entry = updated.Find(c.Device)!;
                        updated = updated.With(entry with
                        {
                            Pending = null,
                            Certificate = issued,
                            Install = localKeys ? null : new CertificateInstall(InstallState.Pending, c.Fingerprint),
                        });
                        if (!localKeys) installs.Add(InstallJobFor(c, onDevice[i]!));
                    }
                }
                verdicts.Add(new(files[i].Name, FileVerdict.Accepted, reasons[i], c.Device));
            }
            else
            {
                verdicts.Add(judged[i].Final!);
            }
            progress?.Report(new ImportProgress(files[i].Name, verdicts[^1].Verdict, i + 1, files.Count));
        }

        // Certificates recorded earlier that a CRL given now lists; those accepted against an expired CRL that a current one now covers.
        var revoked = new List<string>();
        if (crls.Count > 0)
        {
            // The devices' blocks, then the commissioning tool's (named "tool NAME" when revoked).
            foreach (var (entry, tool) in updated.Entries.Values.Select(e => (e, false)).Concat(
                updated.Tools.Values.Select(e => (e, true))))
            {
                if (entry.Certificate is not { IsRevoked: false } c) continue;
                LedgerEntry? marked = null;
                if (crls.RevokedAt(c.Serial, c.Issuer) is { } at)
                {
                    marked = entry with { Certificate = c with { RevokedAt = at } };
                    revoked.Add(tool ? $"tool {entry.Device}" : entry.Device);
                }
                else if (c.CrlExpired is not null && crls.CurrentFor(c.Issuer, now))
                {
                    marked = entry with { Certificate = c with { CrlExpired = null } };
                }
                if (marked is not null) updated = tool ? updated.WithTool(marked) : updated.With(marked);
            }
        }
        string manifestFile = Path.GetFileName(manifestPath);
        // Nothing recorded (no certificate accepted, none revoked): the ledger is left as it is, and the report says so.
        bool changed = !ReferenceEquals(updated, ledger) && LedgerFile.Save(ledgerPath, updated, manifestFile, now);

        // 5. Device-held keys: the installs, each outcome recorded (the certificates above are already in the ledger, whatever happens
        // here).
        var installResults = new List<DeviceInstallResult>();
        bool cancelled = false;
        if (options.DeviceTarget is { } target && installs.Count > 0)
        {
            var run = await CertificateInstaller.RunAsync(installs, target, updated, l =>
                changed |= LedgerFile.Save(ledgerPath, l, manifestFile, now), options.Clock,
                installResults, options.InstallProgress, cancellationToken).ConfigureAwait(false);
            cancelled = run.Cancelled;
        }
        else
        {
            installResults.AddRange(installs.Select(j => new DeviceInstallResult(j.Name, InstallState.Pending,
                "not installed: installing on the device needs its address to talk from (--bind)")));
        }
        return new ImportResult(ImportState.Done, null, [.. verdicts], [.. revoked], [.. warnings], ledgerPath, changed)
        {
            Installs = [.. installResults.OrderBy(r => r.Device, StringComparer.Ordinal)],
            InstallsCancelled = cancelled,
        };
    }

    private static InstallJob InstallJobFor(Candidate c, DeviceCertificates certificates) => new(c.Entry!, c.Fingerprint, certificates);

    private static string WriteChain(string folder, Candidate c, DeviceCertificates certificates)
    {
        try
        {
            string file = Path.GetFileName(BundleWriter.ChainPath(folder, c.Device));
            bool written = BundleWriter.WriteChain(folder, c.Device, certificates);
            return !c.Again ? $"accepted; {file}" : written ? $"already imported; its missing {file} written now" : "already imported";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{(c.Again ? "already imported" : "accepted")}; no chain file: {ex.Message}";
        }
    }

    /// <summary>Signature algorithms whose hash is broken (collisions), by OID.</summary>
    private static readonly Dictionary<string, string> WeakSignatures = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.1.1.2"] = "MD2 with RSA", ["1.2.840.113549.1.1.3"] = "MD4 with RSA", ["1.2.840.113549.1.1.4"] = "MD5 with RSA",
        ["1.2.840.113549.1.1.5"] = "SHA-1 with RSA", ["1.3.14.3.2.29"] = "SHA-1 with RSA", ["1.2.840.10045.4.1"] = "ECDSA with SHA-1",
        ["1.2.840.10040.4.3"] = "DSA with SHA-1",
    };

    /// <summary>Extensions a relying party knows (RFC 5280 §4.2); any other marked critical makes a device refuse the
    /// certificate.</summary>
    private static readonly HashSet<string> KnownCritical = new(StringComparer.Ordinal)
    {
        "2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.30", "2.5.29.32", "2.5.29.36", "2.5.29.37", "2.5.29.54",
    };

    /// <summary>A certificate that passed every check: accepted unless another one for the same device was accepted first.</summary>
    /// <param name="Entry">The device's manifest entry; null for the commissioning tool's certificate.</param>
    /// <param name="Tool">The commissioning tool's name when the certificate is the tool's (recognised by its pending public key).</param>
    /// <param name="Again">Already recorded: only its bundle is (re)written when it is missing (an earlier import ran out of disk).</param>
    private sealed record Candidate(Core.Manifest.DeviceEntry? Entry, X509Certificate2 Certificate, X509Certificate2 Issuer, string Serial,
        string Fingerprint, string PublicKey, bool Again = false, string? Tool = null)
    {
        public string Device => Tool ?? Entry!.Name!.Value;

        /// <summary>What at most one certificate per import is accepted for: the device, or the tool (apart from a namesake
        /// device).</summary>
        public string Key => Tool is null ? Device : "\0tool\0" + Tool;

        /// <summary>The name its key and bundle files carry.</summary>
        public string FileName => Tool is null ? Device : ToolFiles.Name(Tool);

        /// <summary>Every CRL given for its issuer had expired: the nextUpdate up to which it was last proven unrevoked.</summary>
        public DateTimeOffset? CrlExpired { get; init; }
    }

    /// <summary>What every file is judged against: the trusted issuers, the issuer certificates the answer presents (not trusted), the
    /// CRLs, the devices.</summary>
    private sealed record Context(List<X509Certificate2> Issuers, List<X509Certificate2> Presented, RevocationLists Crls,
        Dictionary<string, Core.Manifest.DeviceEntry> ByCn,
        DateTimeOffset Now, SiteLedger Ledger, string Profile);

    /// <summary>The certificates of the answer's issuer files, to name the one that signed a certificate no configured issuer
    /// signed.</summary>
    private static List<X509Certificate2> Presented(IReadOnlyList<ArchiveFile> files)
    {
        var result = new List<X509Certificate2>();
        foreach (var file in files.Where(f => f.Kind == ArchiveFileKind.Issuer))
        {
            try
            {
                result.AddRange(CertificateFiles.ReadAll(file.Data));
            }
            catch (FormatException)
            {
                // Reported as a malformed issuer file by its own verdict.
            }
        }
        return result;
    }

    /// <summary>Either the file's final verdict, or a candidate for acceptance.</summary>
    private sealed record Judgement(ImportedFile? Final, Candidate? Candidate);

    private static Judgement Judge(ArchiveFile file, Context context)
    {
        Judgement Final(FileVerdict verdict, string reason, string? device = null) =>
            new(new ImportedFile(file.Name, verdict, reason, device), null);
        Judgement Reject(string why, string? device = null) => Final(FileVerdict.Rejected, why, device);
        switch (file.Kind)
        {
            case ArchiveFileKind.Notes: return Final(FileVerdict.Skipped, "notes: not read");
            case ArchiveFileKind.Request: return Final(FileVerdict.Skipped, "a CSR, not a certificate");
            case ArchiveFileKind.PrivateKey: return Reject("a private key does not belong in a CA's answer: not read");
            case ArchiveFileKind.Issuer:
                try
                {
                    var found = CertificateFiles.ReadAll(file.Data);
                    var verdict = IssuerFile(found, context, Final, Reject);
                    foreach (var f in found) f.Dispose();
                    return verdict;
                }
                catch (FormatException ex)
                {
                    return Reject($"issuer file not well formed: {ex.Message}");
                }
        }

        IReadOnlyList<X509Certificate2> all;
        try
        {
            all = CertificateFiles.ReadAll(file.Data);
        }
        catch (FormatException ex)
        {
            return Reject($"not well formed: {ex.Message}");
        }
        // A leaf followed by its chain (fullchain PEM, PKCS#7): the chain is what issued something, the device's certificate the rest.
        var devices = all.Where(c => !CertificateFiles.IsAuthority(c)
            && !all.Any(o => !ReferenceEquals(o, c) && CertificateFiles.IsSignedBy(o, c))).ToList();
        var chain = all.Except(devices).ToList();
        try
        {
            if (devices.Count == 0) return IssuerFile(chain, context, Final, Reject);
            if (devices.Count > 1) return Reject(
                $"it holds {devices.Count} device certificates; one per file is expected (followed by its issuers, if any)");
            var judgement = Verify(devices[0], chain, context, Final, Reject);
            if (judgement.Candidate is null) devices[0].Dispose();
            return judgement;
        }
        finally
        {
            foreach (var c in chain) c.Dispose();
            foreach (var c in devices.Skip(1)) c.Dispose();
            if (devices.Count > 1) devices[0].Dispose();
        }
    }

    /// <summary>
    /// The verdict on a file of issuer certificates in the answer: configured ones are named so; another certificate with a configured
    /// issuer's name is shown by fingerprint. A CA certificate (CA:TRUE) with a device's CN is a device certificate issued wrongly:
    /// rejected.
    /// </summary>
    private static Judgement IssuerFile(IReadOnlyList<X509Certificate2> found, Context context, Func<FileVerdict, string, string?,
        Judgement> final, Func<string, string?, Judgement> reject)
    {
        var issuers = context.Issuers;
        var unknown = found.Where(f => !issuers.Any(i => i.RawData.AsSpan().SequenceEqual(f.RawData))).ToList();
        foreach (var f in unknown)
        {
            if (CertificateFiles.CommonName(f) is { } cn && context.ByCn.TryGetValue(cn, out var device))
                return reject("it is a CA certificate (basicConstraints CA:TRUE), not a device's", device.Name!.Value);
        }
        if (unknown.Count == 0) return final(FileVerdict.Issuer, "issuer certificate: one of the configured issuers", null);
        string reason = "issuer certificate not configured: not trusted (configure it with ca.issuers or --issuer)";
        foreach (var f in unknown)
        {
            var namesake = issuers.Where(i => i.SubjectName.RawData.AsSpan().SequenceEqual(f.SubjectName.RawData)).ToList();
            if (namesake.Count > 0)
                reason += $"; it has the name of a configured issuer (“{f.Subject}”) but is another certificate: " +
                    $"{Fingerprints.Of(f.RawData)} here, {string.Join(", ", namesake.Select(i => Fingerprints.Of(i.RawData)))} configured";
        }
        return final(FileVerdict.Issuer, reason, null);
    }

    /// <summary>
    /// Why no configured issuer signed the certificate: its issuer's name and, by SHA-256 fingerprint, the configured issuer(s) of that
    /// name (a rogue or re-keyed CA has the same name) and the certificate in the answer that did sign it, if the answer holds it.
    /// </summary>
    private static string NotSignedReason(X509Certificate2 certificate, IEnumerable<X509Certificate2> chain, Context context)
    {
        var reason = new System.Text.StringBuilder($"not signed directly by a configured issuer (its issuer is “{certificate.Issuer}”)");
        var namesake = context.Issuers.Where(i => i.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData)).ToList();
        if (namesake.Count > 0)
            reason.Append(
                $"; the configured issuer of that name, {string.Join(", ", namesake.Select(i => Fingerprints.Of(i.RawData)))}, did not " +
                $"sign it");
        var signer = chain.Concat(context.Presented).FirstOrDefault(p => CertificateFiles.IsSignedBy(certificate, p));
        reason.Append(signer is null
            ? "; the answer holds no certificate of the issuer that signed it"
            : $"; it was signed by the issuer certificate {Fingerprints.Of(signer.RawData)} in the answer, which is not configured");
        return reason.ToString();
    }

    private static Judgement Verify(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> chain, Context context,
        Func<FileVerdict, string, string?, Judgement> final, Func<string, string?, Judgement> reject)
    {
        var (issuers, crls, byCn, now, ledger) = (context.Issuers, context.Crls, context.ByCn, context.Now, context.Ledger);
        if (CertificateUsage.WildcardProblem(certificate) is { } wildcard) return reject(wildcard, null);
        string? cn = CertificateFiles.CommonName(certificate);
        if (cn is null) return reject("the certificate has no common name", null);
        string fingerprint = Fingerprints.Of(certificate.RawData);
        string publicKey = Fingerprints.OfPublicKey(certificate.PublicKey);
        // The commissioning tool's certificate is recognised by its public key (its pending CSR's, or its issued certificate's).
        var toolEntry = ledger.FindToolByKey(publicKey);
        Core.Manifest.DeviceEntry? device = null;
        if (toolEntry is null && !byCn.TryGetValue(cn, out device)) return reject($"its CN “{cn}” is no device's of this site", null);
        string name = toolEntry?.Device ?? device!.Name!.Value;
        var entry = toolEntry ?? ledger.Find(name);
        if (entry?.Certificate?.Fingerprint == fingerprint)
        {
            // Recorded before; an import that could not write the bundle (a full disk) left it to this one.
            var signer = issuers.FirstOrDefault(i => CertificateFiles.IsSignedBy(certificate, i));
            return signer is null ? final(FileVerdict.AlreadyImported, "already imported", name)
                : new Judgement(null, new Candidate(device, certificate, signer, entry.Certificate.Serial, fingerprint, publicKey,
                    Again: true, Tool: toolEntry?.Device));
        }
        if (now < certificate.NotBefore.ToUniversalTime()) return reject($"not valid before {LedgerFormat.Time(certificate.NotBefore)}",
            name);
        if (now > certificate.NotAfter.ToUniversalTime()) return reject($"expired on {LedgerFormat.Time(certificate.NotAfter)}", name);
        var issuer = issuers.FirstOrDefault(i => CertificateFiles.IsSignedBy(certificate, i));
        if (issuer is null) return reject(NotSignedReason(certificate, chain, context), name);
        if (WeakSignatures.GetValueOrDefault(certificate.SignatureAlgorithm.Value ?? "") is { } weak) return reject(
            $"signed with {weak}, a broken hash: ask the CA to sign with SHA-256 or stronger", name);
        if (CertificateFiles.IsAuthority(certificate)) return reject("it is a CA certificate (basicConstraints CA:TRUE), not a device's",
            name);
        if (certificate.Extensions.FirstOrDefault(e => e.Critical && !KnownCritical.Contains(e.Oid?.Value ?? "")) is { } odd)
            return reject($"it has a critical extension ({odd.Oid?.Value}) that devices do not know, so they must refuse the certificate",
                name);
        if ((toolEntry is null ? CertificateUsage.Problem(certificate, context.Profile)
            : CertificateUsage.ToolProblem(certificate, context.Profile)) is { } usage) return reject(usage, name);
        string serial = CertificateFiles.SerialHex(certificate);
        if (crls.RevokedAt(serial, issuer.SubjectName.Name) is { } revokedAt) return reject(
            $"revoked on {LedgerFormat.Time(revokedAt)} (CRL)", name);
        if (entry?.Pending is not { } pending) return reject($"no CSR is pending for “{name}”", name);
        if (pending.PublicKey != publicKey) return reject($"its public key is not the one of the pending CSR of “{name}” ({pending.Zip})",
            name);
        if (!string.Equals(cn, entry.CommonName, StringComparison.Ordinal)) return reject(
            $"its CN “{cn}” differs from the requested “{entry.CommonName}”", name);
        return new Judgement(null, new Candidate(device, certificate, issuer, serial, fingerprint, publicKey, Tool: toolEntry?.Device)
        {
            CrlExpired =
            crls.ExpiredFor(issuer.SubjectName.Name, now)
        });
    }

    private static string WriteBundle(string folder, Candidate c, KeyStore keys, string? passphrase)
    {
        try
        {
            var bundle = BundleWriter.Write(folder, c.FileName, c.Certificate, c.Issuer, () => keys.Load(c.FileName, c.PublicKey),
                passphrase);
            string files = $"bundle {Path.GetFileName(bundle.ChainPem)}, {Path.GetFileName(bundle.Pkcs12)}";
            return !c.Again ? $"accepted; {files}" : bundle.Written ? $"already imported; its missing {files} written now"
                : "already imported";
        }
        catch (Exception ex) when (ex is KeyStoreException or IOException or UnauthorizedAccessException
            or System.Security.Cryptography.CryptographicException)
        {
            return $"{(c.Again ? "already imported" : "accepted")}; no bundle: {ex.Message}";
        }
    }
}
