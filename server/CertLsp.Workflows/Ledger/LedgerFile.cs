using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Workflows.Files;

namespace CertLsp.Workflows.Ledger;

/// <summary>The ledger on disk: "&lt;name&gt;.site.yaml" has "&lt;name&gt;.site.ledger" beside it.</summary>
public static class LedgerFile
{
    public const string Extension = ".ledger";

    public static string PathFor(string manifestPath)
    {
        string name = Path.GetFileName(manifestPath);
        foreach (var suffix in new[] { ".yaml", ".yml" })
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^suffix.Length];
                break;
            }
        }
        return Path.Combine(Path.GetDirectoryName(manifestPath) ?? "", name + Extension);
    }

    /// <summary>
    /// The ledger's text, or null when the manifest has none yet. A file that is not UTF-8 text (binary, damaged) throws
    /// <see cref="LedgerFormatException"/> at line 1, named by <paramref name="displayPath"/> (default: the path).
    /// </summary>
    public static string? ReadText(string ledgerPath, string? displayPath = null)
    {
        if (!File.Exists(ledgerPath)) return null;
        try
        {
            return ManifestFiles.Read(ledgerPath, TextFileKind.Ledger);
        }
        catch (ManifestReadException ex)
        {
            throw NotText(ledgerPath, displayPath ?? ledgerPath, ex);
        }
    }

    /// <summary>
    /// The ledger as a checker input from its bytes (a revision's, read with git show); bytes that are not UTF-8 text carry their
    /// error at line 1, as <see cref="ReadText"/> says it.
    /// </summary>
    public static LedgerInput Input(string displayPath, ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new LedgerInput(displayPath, ManifestFiles.Decode(displayPath, bytes, TextFileKind.Ledger));
        }
        catch (ManifestReadException ex)
        {
            return new LedgerInput(displayPath, "", NotText(displayPath, displayPath, ex));
        }
    }

    private static LedgerFormatException NotText(string readPath, string displayPath, ManifestReadException ex)
    {
        string reason = ex.Message.StartsWith(readPath + ": ", StringComparison.Ordinal) ? ex.Message[(readPath.Length + 2)..] : ex.Message;
        return new LedgerFormatException(displayPath, 1, $"{reason}. Restore it from version control; certlsp will not overwrite it");
    }

    /// <summary>The ledger as a checker input (null when there is none); a ledger that cannot be read as text carries its error.</summary>
    public static LedgerInput? Input(string ledgerPath, string? displayPath = null)
    {
        try
        {
            return ReadText(ledgerPath, displayPath) is { } text ? new LedgerInput(displayPath ?? ledgerPath, text) : null;
        }
        catch (LedgerFormatException ex)
        {
            return new LedgerInput(displayPath ?? ledgerPath, "", ex);
        }
    }

    /// <summary>Reads the ledger (empty when absent). Throws <see cref="LedgerFormatException"/> with the line when it cannot be
    /// trusted.</summary>
    public static SiteLedger Load(string ledgerPath) =>
        ReadText(ledgerPath) is { } text ? LedgerFormat.Read(ledgerPath, text) : SiteLedger.Empty;

    /// <summary>Writes atomically, and only when the text changes (so a repeated import leaves the file untouched).</summary>
    public static bool Save(string ledgerPath, SiteLedger ledger, string manifestFileName, DateTimeOffset now)
    {
        string text = LedgerFormat.Write(ledger, manifestFileName, now);
        if (File.Exists(ledgerPath) && File.ReadAllText(ledgerPath) == text) return false;
        AtomicFile.WriteText(ledgerPath, text);
        return true;
    }
}
