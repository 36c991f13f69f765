using System.Security.Cryptography;
using System.Text;
using CertLsp.Core.Certificates;
using CertLsp.Workflows.Files;

namespace CertLsp.Workflows.Certificates;

/// <summary>A private key file that cannot be used: missing, encrypted without a passphrase, or not a key CertLsp wrote.</summary>
public sealed class KeyStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The private keys of one manifest's devices: ".certlsp-keys/&lt;manifest&gt;/" beside the manifest, owner-only (0700) and
/// git-ignored; one PKCS#8 PEM per device and public key ("&lt;device&gt;.&lt;fingerprint&gt;.key.pem"), created 0600 from the
/// first byte, encrypted (PBES2, AES-256) when a passphrase is given. Naming a key by its public key means a new request never
/// overwrites the key of a pending one until the ledger has moved on.
/// </summary>
public sealed class KeyStore(string folder, string? passphrase)
{
    public const string FolderName = ".certlsp-keys";

    public const string PassphraseVariable = "CERTLSP_KEY_PASSPHRASE";

    /// <summary>
    /// The passphrase set in <see cref="PassphraseVariable"/>, or null when it is unset or empty (keys are then not encrypted):
    /// the one place the CLI and the language server read it.
    /// </summary>
    public static string? PassphraseFromEnvironment() =>
        Environment.GetEnvironmentVariable(PassphraseVariable) is { Length: > 0 } passphrase ? passphrase : null;

    private const string Suffix = ".key.pem";

    /// <summary>PBKDF2 iterations protecting private keys: the key files and the PKCS#12 bundles alike.</summary>
    public const int KdfIterations = 100_000;

    /// <summary>How private keys are encrypted: PBES2, AES-256-CBC, PBKDF2 with HMAC-SHA256 and <see cref="KdfIterations"/>.</summary>
    public static PbeParameters Encryption { get; } = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, KdfIterations);

    public string Folder { get; } = folder;

    public bool Encrypts => !string.IsNullOrEmpty(passphrase);

    public static KeyStore ForManifest(string manifestPath, string? passphrase)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        return new KeyStore(Path.Combine(dir, FolderName, ManifestStem(manifestPath)), passphrase);
    }

    public static string ManifestStem(string manifestPath)
    {
        string name = Path.GetFileName(manifestPath);
        foreach (var suffix in new[] { ".yaml", ".yml" })
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return name[..^suffix.Length];
        }
        return name;
    }

    public void EnsureFolder()
    {
        AtomicFile.EnsurePrivateFolder(Path.GetDirectoryName(Folder)!);
        AtomicFile.EnsurePrivateFolder(Folder);
    }

    public string PathFor(string device, string publicKey) =>
        Path.Combine(Folder, $"{SafeNames.For(device)}.{Fingerprints.Short(publicKey)}{Suffix}");

    public bool Has(string device, string publicKey) => File.Exists(PathFor(device, publicKey));

    /// <summary>Writes a key durably; with <paramref name="syncFolder"/> false the caller calls <see cref="SyncFolder"/> after a
    /// batch.</summary>
    public void Write(string device, string publicKey, AsymmetricAlgorithm key, bool syncFolder = true)
    {
        string pem = Encrypts
            ? key.ExportEncryptedPkcs8PrivateKeyPem(passphrase, Encryption)
            : key.ExportPkcs8PrivateKeyPem();
        byte[] bytes = Encoding.ASCII.GetBytes(pem + "\n");
        try
        {
            AtomicFile.Write(PathFor(device, publicKey), bytes, AtomicFile.OwnerOnly, syncFolder);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Loads the private key of a device's public key, checking that it is that key.</summary>
    public AsymmetricAlgorithm Load(string device, string publicKey)
    {
        string path = PathFor(device, publicKey);
        if (!File.Exists(path)) throw new KeyStoreException($"no private key for “{device}” ({Fingerprints.Short(publicKey)}) in {Folder}");
        string pem = File.ReadAllText(path);
        bool encrypted = pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal);
        if (encrypted && !Encrypts) throw new KeyStoreException($"the key of “{device}” is encrypted: set {PassphraseVariable}");
        foreach (var candidate in new Func<AsymmetricAlgorithm>[] { RSA.Create, ECDsa.Create })
        {
            var key = candidate();
            try
            {
                if (encrypted) key.ImportFromEncryptedPem(pem, passphrase); else key.ImportFromPem(pem);
                if (Fingerprints.OfPublicKey(key) == publicKey) return key;
                key.Dispose();
                throw new KeyStoreException(
                    $"the key file of “{device}” holds another key than its name says; it was not written by certlsp");
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                key.Dispose();
            }
        }
        throw new KeyStoreException(encrypted
            ? $"the key of “{device}” cannot be decrypted with {PassphraseVariable} (wrong passphrase, or not a key certlsp wrote)"
            : $"the key file of “{device}” is not a PKCS#8 RSA or ECDSA key");
    }

    /// <summary>Every key file, with the short fingerprint its name carries.</summary>
    public IEnumerable<string> Files() =>
        Directory.Exists(Folder) ? Directory.EnumerateFiles(Folder, "*" + Suffix).Where(f => !Path.GetFileName(f).StartsWith('.')) : [];

    /// <summary>Temporaries an interrupted write left: keys here, and the .gitignore that <see cref="EnsureFolder"/> writes one folder
    /// up.</summary>
    public int RemoveLeftovers() => AtomicFile.RemoveLeftovers(Folder)
        + AtomicFile.RemoveLeftovers(Path.GetDirectoryName(Folder)!, ".gitignore");

    public void SyncFolder() => AtomicFile.SyncFolder(Folder);

    /// <summary>
    /// Where keys go that no ledger entry names but whose CSR may still come back signed: "&lt;manifest&gt;.quarantine" beside the key
    /// folder (owner-only, git-ignored like it). Keys there are never deleted by certlsp; a key the ledger names again is moved back.
    /// </summary>
    public string QuarantineFolder => Folder + ".quarantine";

    /// <summary>Moves a key file into the quarantine folder (a file of the same name already there is kept: this one gets a suffix).
    /// Returns the new path.</summary>
    public string Quarantine(string file)
    {
        AtomicFile.EnsurePrivateFolder(Path.GetDirectoryName(QuarantineFolder)!);
        AtomicFile.EnsurePrivateFolder(QuarantineFolder);
        string name = Path.GetFileName(file), target = Path.Combine(QuarantineFolder, name);
        for (int n = 2; File.Exists(target); n++) target = Path.Combine(QuarantineFolder, $"{name[..^Suffix.Length]}.{n}{Suffix}");
        File.Move(file, target);
        AtomicFile.SyncFolder(QuarantineFolder);
        AtomicFile.SyncFolder(Folder);
        return target;
    }

    /// <summary>Moves a device's key back from the quarantine folder when it is there and not in the key folder; true when it
    /// was.</summary>
    public bool RestoreFromQuarantine(string device, string publicKey)
    {
        string path = PathFor(device, publicKey), quarantined = Path.Combine(QuarantineFolder, Path.GetFileName(path));
        if (File.Exists(path) || !File.Exists(quarantined)) return false;
        EnsureFolder();
        File.Move(quarantined, path);
        AtomicFile.SyncFolder(Folder);
        return true;
    }
}

/// <summary>
/// Device names and CNs as file names: letters, digits, '.', '-', '_' kept; anything else (a separator, “*”, “:”) makes "_" plus a
/// short hash so names stay distinct. Never a path: a result names one file inside its folder on every platform.
/// </summary>
public static class SafeNames
{
    public static string For(string name)
    {
        var sb = new StringBuilder(name.Length);
        bool changed = false;
        foreach (var rune in name.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune) || rune.Value is '-' or '_' or '.')
            {
                sb.Append(rune.ToString());
            }
            else { sb.Append('_'); changed = true; }
        }
        string result = sb.ToString();
        // Not ".", "..", a hidden file, a name Windows trims (trailing dot) or a Windows device name (CON, NUL.pem, COM1 …).
        if (result.Length == 0 || result.StartsWith('.') || result.EndsWith('.') || result.Length > 100
            || IsWindowsDeviceName(result)) changed = true;
        if (!changed) return result;
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        string stem = result.TrimStart('.')[..Math.Min(result.TrimStart('.').Length, 90)];
        // Windows opens the device for "NUL.anything" too: such a name gets a leading "_".
        return $"{(IsWindowsDeviceName(stem) ? "_" : "")}{stem}_{hash}";
    }

    private static bool IsWindowsDeviceName(string name)
    {
        string stem = name.Split('.')[0];
        return stem.ToUpperInvariant() is "CON" or "PRN" or "AUX" or "NUL" or "CONIN$" or "CONOUT$"
            || (stem.Length == 4 && (stem.StartsWith("COM", StringComparison.OrdinalIgnoreCase)
                || stem.StartsWith("LPT", StringComparison.OrdinalIgnoreCase)) && char.IsAsciiDigit(stem[3]));
    }
}
