using CertLsp.Core.Certificates;
using CertLsp.Core.Files;
using CertLsp.Core.Ledger;

namespace CertLsp.Cli.Commands;

/// <summary>What the csr, import and status commands share: reading the one manifest they work on, the key passphrase, dates.</summary>
internal static class CommandSupport
{
    /// <summary>The manifest's full path and text, or null after telling stderr why not.</summary>
    public static (string Path, string Text)? ReadManifest(string path, TextWriter stderr)
    {
        try
        {
            if (!File.Exists(path))
            {
                stderr.WriteLine($"certlsp: {path}: no such manifest");
                return null;
            }
            string full = Path.GetFullPath(path);
            return (full, ManifestFiles.Read(full));
        }
        catch (ManifestReadException ex)
        {
            stderr.WriteLine($"certlsp: {ex.Message}");
            return null;
        }
    }

    public static string? Passphrase() => Environment.GetEnvironmentVariable(KeyStore.PassphraseVariable) is { Length: > 0 } p ? p : null;

    public static int LedgerProblem(LedgerFormatException ex, TextWriter stderr)
    {
        stderr.WriteLine($"certlsp: {Output.DisplayPath.For(ex.Path)}:{ex.Line}: {ex.Reason}");
        stderr.WriteLine("certlsp: the ledger was not changed; nothing was written.");
        return Program.CouldNotRun;
    }

    public static string Date(DateTimeOffset? t) => t is { } v ? LedgerFormat.Time(v)[..10] : "-";
}
