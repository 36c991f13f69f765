using System.Collections.Immutable;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using CertLsp.Core.Ledger;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Workflows.Requests;

/// <summary>How a CSR zip is laid out: flat (one "&lt;CN&gt;.pem" per device) or the BACnet CA exchange layout (CARI, Annex AA of
/// 135-2024).</summary>
public enum ZipLayout
{
    Flat,
    Cari,
}

/// <summary>One device's CSR in a zip; <paramref name="Tool"/>: the commissioning tool's (<see cref="Device"/> is then the tool's
/// name).</summary>
public sealed record ZipItem(string Device, long? Instance, string CommonName, string CsrPem, bool Tool = false);

/// <summary>Names and builds CSR zips. Zips hold public material only: CSRs, issuer certificates, notes.</summary>
public static partial class CsrZip
{
    public const string Prefix = "CertificateSigningRequests_";

    public const string TimestampFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The BACnet network port the CSRs are for in the CARI layout (the device's first Network Port).</summary>
    public const int CariPort = 1;

    public static string Timestamp(DateTimeOffset time) => time.ToUniversalTime().ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTimestamp(string timestamp) =>
        DateTimeOffset.ParseExact(timestamp, TimestampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>The site's name as it appears in zip names: letters, digits, '-', '.', anything else '_'.</summary>
    public static string SiteToken(string site)
    {
        var sb = new StringBuilder();
        foreach (char c in site.Trim()) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_');
        return sb.Length == 0 ? "site" : sb.ToString();
    }

    public static string FileName(string site, string timestamp, int index, int count) =>
        $"{Prefix}{SiteToken(site)}_{timestamp}_{index}-of-{count}.zip";

    /// <summary>The run timestamp of one of this site's zip names, or null when the name is not one.</summary>
    public static string? TimestampOf(string fileName, string site)
    {
        var match = NamePattern().Match(fileName);
        return match.Success && match.Groups["site"].Value == SiteToken(site) ? match.Groups["time"].Value : null;
    }

    /// <summary>True for the name of a zip of CSRs this tool wrote (any site's), as opposed to a CA's answer.</summary>
    public static bool IsRequestZip(string fileName) => NamePattern().IsMatch(fileName);

    /// <summary>A zip name's run timestamp and its place in the run ("2-of-3": 2, 3), whatever the site; null when the name is not
    /// one.</summary>
    public static (string Time, int Index, int Count)? Numbering(string fileName)
    {
        var match = NamePattern().Match(fileName);
        return match.Success && int.TryParse(match.Groups["k"].Value, CultureInfo.InvariantCulture, out int k)
            && int.TryParse(match.Groups["n"].Value, CultureInfo.InvariantCulture, out int n)
            ? (match.Groups["time"].Value, k, n) : null;
    }

    /// <summary>
    /// The zips whose CSRs still wait for the CA (named by pending ledger blocks), in name order, each with its devices and where it lies
    /// in <paramref name="folder"/>. A run whose zips are not all pending gets a note on its first listed zip: which of its zips were never
    /// written (<paramref name="interruptedRuns"/>: runs known to have been cut short, whose missing zips do not exist) or hold no pending
    /// CSR.
    /// </summary>
    public static ImmutableArray<PendingZip> Pending(SiteLedger ledger, string folder, IReadOnlySet<string> recovered,
        IReadOnlySet<string> interruptedRuns)
    {
        var byZip = ledger.Entries.Values.Concat(ledger.Tools.Values).Where(e => e.Pending is not null)
            .GroupBy(e => e.Pending!.Zip, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var present = byZip.Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var noted = new HashSet<string>(StringComparer.Ordinal);
        var result = ImmutableArray.CreateBuilder<PendingZip>();
        foreach (var group in byZip)
        {
            string path = Path.Combine(folder, group.Key);
            string? note = null;
            if (Numbering(group.Key) is var (time, _, count) && count > 1 && noted.Add(time))
            {
                var missing = Enumerable.Range(1, count).Where(k => !present.Contains(SiblingName(group.Key, time, k, count))).ToList();
                if (missing.Count > 0)
                {
                    string which = string.Join(", ", missing.Select(k => $"{k}-of-{count}"));
                    bool neverWritten = interruptedRuns.Contains(time)
                        && missing.All(k => !File.Exists(Path.Combine(folder, SiblingName(group.Key, time, k, count))));
                    note = neverWritten
                        ? $"the run {time} was interrupted: {which} {(missing.Count == 1 ? "was" : "were")} never written (their devices " +
                            $"were requested again by a later run)"
                        : $"{which} of the run {time} {(missing.Count == 1 ? "holds" : "hold")} no pending CSR (answered, voided, or " +
                            $"never written by an interrupted run)";
                }
            }
            result.Add(new PendingZip(group.Key, File.Exists(path) ? path : null, [.. group.Select(e => e.Device)],
                recovered.Contains(group.Key), note));
        }
        return result.ToImmutable();
    }

    private static string SiblingName(string fileName, string time, int index, int count)
    {
        int at = fileName.LastIndexOf($"_{time}_", StringComparison.Ordinal);
        return $"{fileName[..at]}_{time}_{index}-of-{count}.zip";
    }

    [GeneratedRegex(@"^CertificateSigningRequests_(?<site>.+)_(?<time>\d{8}T\d{6}Z)_(?<k>\d+)-of-(?<n>\d+)\.zip$")]
    private static partial Regex NamePattern();

    public static string EntryName(ZipItem item, ZipLayout layout) => layout switch
    {
        ZipLayout.Cari when item.Tool => $"cert1/tool/csr-{SafeNames.For(item.CommonName)}.pem",
        ZipLayout.Cari => $"cert1/device-{item.Instance}/port-{CariPort}/csr-{SafeNames.For(item.CommonName)}.pem",
        _ => $"{SafeNames.For(item.CommonName)}.pem",
    };

    public static byte[] Build(IReadOnlyList<ZipItem> items, ZipLayout layout, DateTimeOffset time, IReadOnlyList<byte[]> issuerPems,
        string site)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, string content)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = time;
                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(content));
            }
            void Folder(string name) => zip.CreateEntry(name).LastWriteTime = time;

            if (layout == ZipLayout.Cari)
            {
                Folder("cert1/");
                foreach (var item in items) Add(EntryName(item, layout), item.CsrPem);
                Folder("cert1/issuer/");
                for (int i = 0; i < issuerPems.Count; i++) Add($"cert1/issuer/iss-{i + 1}.pem", Encoding.ASCII.GetString(issuerPems[i]));
                Add("cert1/request-notes.txt", Notes(items, time, site));
            }
            else
            {
                foreach (var item in items) Add(EntryName(item, layout), item.CsrPem);
            }
        }
        return memory.ToArray();
    }

    private static string Notes(IReadOnlyList<ZipItem> items, DateTimeOffset time, string site)
    {
        var sb = new StringBuilder();
        sb.Append("Certificate signing requests of ").Append(site).Append(", made by certlsp at ").Append(Timestamp(time)).Append('\n');
        sb.Append(items.Count.ToString(CultureInfo.InvariantCulture)).Append(
            " device(s); one CSR per device under device-<instance>/port-").Append(CariPort).Append("/.\n");
        foreach (var item in items)
        {
            sb.Append(item.Tool ? "tool (BACnet/SC node, clientAuth)" : $"device-{item.Instance}").Append(": ").Append(item.CommonName)
                .Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The CSR PEM entries of a zip (either layout), with their names. Other entries are skipped.</summary>
    public static IEnumerable<(string Name, byte[] Data)> ReadRequests(string zipPath)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        var result = new List<(string, byte[])>();
        foreach (var entry in zip.Entries)
        {
            if (!entry.FullName.EndsWith(".pem", StringComparison.OrdinalIgnoreCase)
                || entry.FullName.Contains("/issuer/", StringComparison.Ordinal)) continue;
            if (entry.Length > 64 * 1024) continue;
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            result.Add((entry.FullName, copy.ToArray()));
        }
        return result;
    }
}
