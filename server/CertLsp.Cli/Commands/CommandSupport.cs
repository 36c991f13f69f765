using CertLsp.Core.Ledger;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Requests;

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

    public static int LedgerProblem(LedgerFormatException ex, TextWriter stderr)
    {
        stderr.WriteLine($"certlsp: {Output.DisplayPath.For(ex.Path)}:{ex.Line}: {ex.Reason}");
        stderr.WriteLine("certlsp: the ledger was not changed; nothing was written.");
        return Program.CouldNotRun;
    }

    /// <summary>
    /// The zips whose CSRs still wait for the CA, each with its devices: printed at the end of every csr run and by status, so that
    /// a zip adopted from an interrupted run is never forgotten (and a numbering with gaps says why).
    /// </summary>
    public static void WriteAwaitingZips(IReadOnlyList<PendingZip> zips, TextWriter stdout)
    {
        if (zips.Count == 0) return;
        stdout.WriteLine(
            $"Zips awaiting the CA's answer ({zips.Count} zip(s), {zips.Sum(z => z.Devices.Length)} device(s); send each one not sent " +
            $"yet):");
        foreach (var zip in zips)
        {
            string where = zip.Path is { } p ? Output.DisplayPath.For(p) : zip.FileName + " (not in the output folder)";
            stdout.WriteLine($"  {where}: {zip.Devices.Length} device(s){(zip.Recovered ? ", recovered from an interrupted run" : "")}");
            if (zip.Note is { } note) stdout.WriteLine($"    note: {note}");
            stdout.WriteLine($"    {string.Join(", ", zip.Devices)}");
        }
    }

    /// <summary>A table: columns as wide as their widest cell, two spaces apart, the last column unpadded.</summary>
    public static void WriteTable(string[] header, IReadOnlyList<string[]> cells, TextWriter stdout)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        string Line(string[] c) => string.Join("  ", c.Select((v, i) => i == c.Length - 1 ? v : v.PadRight(widths[i]))).TrimEnd();
        stdout.WriteLine(Line(header));
        foreach (var c in cells) stdout.WriteLine(Line(c));
    }

    public static string Date(DateTimeOffset? t) => t is { } v ? LedgerFormat.Time(v)[..10] : "-";
}
