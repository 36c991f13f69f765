using CertLsp.Core.Checking;
using CertLsp.Core.Files;

namespace CertLsp.Core.Ledger;

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
            string reason = ex.Message.StartsWith(ledgerPath + ": ", StringComparison.Ordinal) ? ex.Message[(ledgerPath.Length + 2)..] : ex.Message;
            throw new LedgerFormatException(displayPath ?? ledgerPath, 1, $"{reason}. Restore it from version control; certlsp will not overwrite it");
        }
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

    /// <summary>Reads the ledger (empty when absent). Throws <see cref="LedgerFormatException"/> with the line when it cannot be trusted.</summary>
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
