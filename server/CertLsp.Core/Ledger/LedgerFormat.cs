using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CertLsp.Core.Ledger;

/// <summary>A ledger text that cannot be trusted: not written by CertLsp, edited by hand, or damaged. Carries the 1-based line.</summary>
public sealed class LedgerFormatException(string path, int line, string reason)
    : Exception($"{path}:{line}: {reason}")
{
    public string Path { get; } = path;

    public int Line { get; } = line;

    public string Reason { get; } = reason;
}

/// <summary>
/// The ledger's text form: a header, then one block per device sorted by name, each field on its own line in a fixed order,
/// each block closed by a check line (a hash of the block) so that a hand edit is found and reported with its line, never
/// silently overwritten. The header (format, run timestamps, the <c>blocks:</c> line) ends with its own check line, <c>header-check:</c>;
/// ledgers written before it existed have none and still read. The <c>blocks:</c> line covers the set of device blocks (their count
/// and a hash of each block's device and check line, in order), so a whole block removed, added or swapped for another version of
/// itself, or a file cut short at a block boundary, is reported too; ledgers written before it existed have none and still read.
/// Deterministic: the same ledger always gives the same bytes, so a review diff shows what changed.
/// After the device blocks come the blocks of the commissioning tool's own BACnet/SC certificate (“tool: &lt;name&gt;”, sorted by name),
/// covered by the same <c>blocks:</c> line; ledgers without them read as before. A certificate's extendedKeyUsage purposes
/// (<c>certificate-eku</c>, “none” when it has no such extension) are recorded since the SC tool needs clientAuth; older blocks lack it.
/// The last verification over BACnet/SC (<c>verify</c>, <c>verify-at</c>, <c>verify-reason</c>) closes a block; older blocks lack it.
/// </summary>
public static class LedgerFormat
{
    public const string Version = "1";

    private const string Indent = "  ";

    /// <summary>The header's check line: a hash of the header lines above it (the format and the run timestamps).</summary>
    private const string HeaderCheckKey = "header-check";

    /// <summary>The header's line covering the device blocks: "blocks: &lt;count&gt; &lt;hash of each block's device and check
    /// lines&gt;".</summary>
    private const string BlocksKey = "blocks";

    private const string DevicePrefix = "device: ";

    private const string ToolPrefix = "tool: ";

    /// <summary>The value of <c>certificate-eku</c> for a certificate without extendedKeyUsage.</summary>
    private const string NoExtendedKeyUsage = "none";

    private static readonly string[] FieldOrder =
    [
        "cn", "status",
        "pending-key", "pending-since", "pending-zip",
        "certificate-serial", "certificate-issuer", "certificate-not-before", "certificate-not-after",
        "certificate-sha256", "certificate-key", "certificate-revoked", "certificate-crl-expired", "certificate-eku",
        "install", "install-sha256", "install-at", "install-error",
        "verify", "verify-at", "verify-reason",
    ];

    /// <summary>The fields by their position in <see cref="FieldOrder"/>.</summary>
    private enum Field
    {
        Cn, Status,
        PendingKey, PendingSince, PendingZip,
        CertificateSerial, CertificateIssuer, CertificateNotBefore, CertificateNotAfter,
        CertificateSha256, CertificateKey, CertificateRevoked, CertificateCrlExpired, CertificateEku,
        Install, InstallSha256, InstallAt, InstallError,
        Verify, VerifyAt, VerifyReason,
    }

    public static string Write(SiteLedger ledger, string manifestFileName, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        sb.Append("# CertLsp ledger of ").Append(Escape(manifestFileName)).Append(
            ": the pending CSR and the issued certificate of each device.\n");
        sb.Append("# Written by certlsp; each block ends with a check line, so a hand edit is detected. It never holds a private key.\n");
        var blocks = new List<(List<string> Lines, string Check)>();
        var set = new BlockSet();
        foreach (var (prefix, entry) in ledger.Entries.Values.Select(e => (DevicePrefix, e)).Concat(ledger.Tools.Values.Select(e =>
            (ToolPrefix, e))))
        {
            var block = new List<string> { prefix + Escape(entry.Device) };
            foreach (var (key, value) in Fields(entry, now)) block.Add(Indent + key + ": " + Escape(value));
            string check = Check(block);
            blocks.Add((block, check));
            set.Add(block[0], check);
        }
        var header = new List<string> { "ledger: " + Version };
        if (ledger.RequestsThrough is not null) header.Add("requests-through: " + ledger.RequestsThrough);
        if (ledger.RunOpen is not null) header.Add("run-open: " + ledger.RunOpen);
        header.Add(BlocksKey + ": " + set);
        foreach (var line in header) sb.Append(line).Append('\n');
        sb.Append(HeaderCheckKey).Append(": ").Append(Check(header)).Append('\n');
        foreach (var (block, check) in blocks)
        {
            sb.Append('\n');
            foreach (var line in block) sb.Append(line).Append('\n');
            sb.Append(Indent).Append("check: ").Append(check).Append('\n');
        }
        return sb.ToString();
    }

    private static IEnumerable<(string Key, string Value)> Fields(LedgerEntry entry, DateTimeOffset now)
    {
        yield return ("cn", entry.CommonName);
        yield return ("status", entry.StatusAt(now).ToString().ToLowerInvariant());
        if (entry.Pending is { } p)
        {
            yield return ("pending-key", p.PublicKey);
            yield return ("pending-since", Time(p.Since));
            yield return ("pending-zip", p.Zip);
        }
        if (entry.Certificate is { } c)
        {
            yield return ("certificate-serial", c.Serial);
            yield return ("certificate-issuer", c.Issuer);
            yield return ("certificate-not-before", Time(c.NotBefore));
            yield return ("certificate-not-after", Time(c.NotAfter));
            yield return ("certificate-sha256", c.Fingerprint);
            yield return ("certificate-key", c.PublicKey);
            if (c.RevokedAt is { } r) yield return ("certificate-revoked", Time(r));
            if (c.CrlExpired is { } stale) yield return ("certificate-crl-expired", Time(stale));
            if (c.ExtendedKeyUsages is { } purposes) yield return ("certificate-eku", purposes.IsEmpty ? NoExtendedKeyUsage
                : string.Join(",", purposes));
        }
        if (entry.Install is { } install)
        {
            yield return ("install", install.State.ToString().ToLowerInvariant());
            yield return ("install-sha256", install.Certificate);
            if (install.At is { } at) yield return ("install-at", Time(at));
            if (install.Error is { } error) yield return ("install-error", error);
        }
        if (entry.Verification is { } verification)
        {
            yield return ("verify", DeviceVerification.Name(verification.Result));
            yield return ("verify-at", Time(verification.At));
            yield return ("verify-reason", verification.Reason);
        }
    }

    public static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static SiteLedger Read(string path, string text)
    {
        // Line by line over the text: no array of its lines, no string per line (a 10,000-device ledger has 110,000 of them),
        // no copy of the text (a byte-order mark, which an editor may add, is skipped, not cut off).
        var lines = new LineCursor(text, text.StartsWith('\uFEFF') ? 1 : 0);
        string? version = null, through = null, open = null;
        var header = new List<string>();
        bool headerChecked = false;
        string? blocks = null;
        int blocksLine = -1;
        var found = new BlockSet();
        var entries = ImmutableSortedDictionary.CreateBuilder<string, LedgerEntry>(StringComparer.Ordinal);
        var tools = ImmutableSortedDictionary.CreateBuilder<string, LedgerEntry>(StringComparer.Ordinal);
        string? previousDevice = null;
        bool inTools = false;
        LedgerFormatException Error(int index, string reason) => new(path, index + 1, reason);
        Func<int, string, LedgerFormatException> error = Error;

        for (; lines.More; lines.Next())
        {
            var span = lines.Line;
            if (span.Length == 0 || span[0] == '#') continue;
            if (span.StartsWith(DevicePrefix, StringComparison.Ordinal) || span.StartsWith(ToolPrefix, StringComparison.Ordinal)) break;
            string line = span.ToString();
            int i = lines.Index;
            var (key, value) = Split(line) ?? throw Error(i, $"expected “key: value”, found “{Shorten(line)}”");
            if (headerChecked) throw Error(i, $"unexpected “{Shorten(key)}” after the header's check line");
            switch (key)
            {
                case "ledger" when version is null:
                    if (value != Version) throw Error(i,
                        $"ledger format “{Shorten(value)}” is not one this version of certlsp reads (it reads {Version})");
                    version = value;
                    break;
                case "requests-through" when through is null && open is null && blocks is null && version is not null:
                    through = RunTimestamp(value) ? value : throw Error(i, $"“{Shorten(value)}” is not a run timestamp (yyyyMMddTHHmmssZ)");
                    break;
                case "run-open" when open is null && blocks is null && version is not null:
                    open = RunTimestamp(value) ? value : throw Error(i, $"“{Shorten(value)}” is not a run timestamp (yyyyMMddTHHmmssZ)");
                    break;
                case BlocksKey when blocks is null && version is not null:
                    blocks = BlockSet.Valid(value) ? value : throw Error(i, $"“{Shorten(value)}” is not a count of blocks and their hash");
                    blocksLine = i;
                    break;
                case HeaderCheckKey when version is not null:
                    if (value != Check(header))
                        throw Error(i,
                            "the ledger's header (lines above) does not match its check line: it was edited by hand or damaged. Restore " +
                            "it from version control; certlsp will not overwrite it");
                    headerChecked = true;
                    continue;
                default:
                    throw Error(i, $"unexpected “{Shorten(key)}” in the ledger header");
            }
            header.Add(line);
        }
        if (version is null) throw new LedgerFormatException(path, 1, "this is not a CertLsp ledger (no “ledger: 1” line)");
        if (blocks is not null && !headerChecked) throw Error(blocksLine,
            "the ledger's header ends without its check line: the file was cut short or edited. Restore it from version control; certlsp " +
            "will not overwrite it");
        if (!headerChecked && !lines.More)
        {
            // Every ledger certlsp wrote has a header check line or device blocks: a header alone, without either, is a file cut short.
            // The cursor stands after the last line: its index is the count of lines.
            throw Error(lines.Index - 1,
                "the ledger ends in its header, before its check line and its device blocks: the file was cut short. Restore it from " +
                "version control; certlsp will not overwrite it");
        }

        var fields = new BlockFields(text);
        var bytes = new BlockBytes();
        while (lines.More)
        {
            var line = lines.Line;
            if (line.Length == 0 || line[0] == '#') { lines.Next(); continue; }
            bool isTool = line.StartsWith(ToolPrefix, StringComparison.Ordinal);
            if (!isTool && !line.StartsWith(DevicePrefix, StringComparison.Ordinal)) throw Error(lines.Index,
                $"expected “device: …” to start a block, found “{Shorten(line.ToString())}”");
            if (inTools && !isTool) throw Error(lines.Index, "a device block after the tool blocks (device blocks come first)");
            if (isTool && !inTools) previousDevice = null;
            inTools = isTool;
            int start = lines.Index;
            string device = Unescape(line[(isTool ? ToolPrefix : DevicePrefix).Length..])
                ?? throw Error(start, "bad escape in the device name");
            if (device.Length == 0) throw Error(start, isTool ? "the tool name is empty" : "the device name is empty");
            var into = isTool ? tools : entries;
            if (previousDevice is not null && StringComparer.Ordinal.Compare(previousDevice, device) >= 0)
                throw Error(start, into.ContainsKey(device) ? $"the {(isTool ? "tool" : "device")} “{Shorten(device)}” has a second block"
                    : $"the block of “{Shorten(device)}” is out of order (blocks are sorted by {(isTool ? "tool" : "device")} name)");
            // The block's lines as its check line hashes them: joined by line feeds.
            bytes.Clear();
            bytes.Append(line);
            fields.Clear();
            int order = 0;
            lines.Next();
            bool closed = false;
            for (; lines.More; lines.Next())
            {
                int i = lines.Index;
                var fieldLine = lines.Line;
                if (!fieldLine.StartsWith(Indent, StringComparison.Ordinal)) throw Error(i,
                    $"the block of “{Shorten(device)}” ends without its check line");
                if (!Split(fieldLine[Indent.Length..], out var key, out var raw))
                    throw Error(i, $"expected “key: value”, found “{Shorten(fieldLine.Trim().ToString())}”");
                if (key.SequenceEqual("check"))
                {
                    if (!bytes.Checks(raw)) throw Error(i,
                        $"the block of “{Shorten(device)}” (lines {start + 1}–{i}) does not match its check line: it was edited by hand " +
                        $"or damaged. Restore it from version control; certlsp will not overwrite it");
                    found.Add(line, raw);
                    closed = true;
                    lines.Next();
                    break;
                }
                int position = FieldPosition(key);
                if (position < 0) throw Error(i, $"unknown field “{Shorten(key.ToString())}”");
                if (position < order) throw Error(i, $"the field “{key}” is out of order or repeated");
                order = position + 1;
                // Escapes are checked as the field is read (a bad one is the first error); a value without any is kept as a place
                // in the text, made a string only if the entry needs one.
                string? unescaped = null;
                if (raw.Contains('\\'))
                {
                    unescaped = Unescape(raw) ?? throw Error(i, $"bad escape in “{FieldOrder[position]}”");
                }
                fields.Set((Field)position, lines.Start + (fieldLine.Length - raw.Length), raw.Length, i, unescaped);
                bytes.Append("\n");
                bytes.Append(fieldLine);
            }
            // The cursor stands after the last line: its index is the count of lines.
            if (!closed) throw Error(Math.Max(0, lines.Index - 1), $"the block of “{Shorten(device)}” ends without its check line");
            into[device] = Entry(device, fields, start, error);
            previousDevice = device;
        }
        if (blocks is not null && found.ToString() != blocks)
        {
            int recorded = BlockSet.CountOf(blocks);
            string what = found.Count < recorded
                ? $"the ledger has {found.Count} device block(s) where its header records {recorded}: {recorded - found.Count} " +
                    $"{(recorded - found.Count == 1 ? "is" : "are")} missing (removed by a merge, a restore or a hand edit, or the file " +
                    $"was cut short)"
                : found.Count > recorded
                ? $"the ledger has {found.Count} device block(s) where its header records {recorded}: {found.Count - recorded} " +
                    $"{(found.Count - recorded == 1 ? "was" : "were")} added, not by certlsp"
                : $"the ledger's {found.Count} device blocks are not the ones its header records: a block was replaced by another " +
                    $"version of it, or one removed and another added";
            throw Error(blocksLine, $"{what}. Restore it from version control; certlsp will not overwrite it");
        }
        return new SiteLedger(through, entries.ToImmutable(), open) { Tools = tools.ToImmutable() };
    }

    /// <summary>The lines of a text one after another, as '\n' splits them (a final empty one dropped), each without its trailing
    /// '\r's.</summary>
    private struct LineCursor
    {
        private readonly string text;
        private int next;

        public LineCursor(string text, int from)
        {
            this.text = text;
            next = from;
            Index = -1;
            Next();
        }

        /// <summary>Whether there is a current line; once not, <see cref="Index"/> is the count of lines.</summary>
        public bool More { get; private set; }

        /// <summary>The current line's zero-based number.</summary>
        public int Index { get; private set; }

        /// <summary>Where the current line starts in the text.</summary>
        public int Start { get; private set; }

        private int length;

        public readonly ReadOnlySpan<char> Line => text.AsSpan(Start, length);

        public void Next()
        {
            Index++;
            More = next < text.Length;
            Start = next;
            if (!More)
            {
                length = 0;
                return;
            }
            int feed = text.IndexOf('\n', next);
            int stop = feed < 0 ? text.Length : feed;
            int end = stop;
            while (end > Start && text[end - 1] == '\r') end--;
            length = end - Start;
            next = feed < 0 ? text.Length : feed + 1;
        }
    }

    /// <summary>The fields of one block as read: each a place in the text (or its unescaped value) and its line.</summary>
    private sealed class BlockFields(string text)
    {
        private readonly (int Start, int Length, int Line, string? Unescaped)[] values =
            new (int, int, int, string?)[FieldOrder.Length];

        private readonly bool[] present = new bool[FieldOrder.Length];

        public void Clear() => Array.Clear(present);

        public void Set(Field field, int start, int length, int line, string? unescaped)
        {
            values[(int)field] = (start, length, line, unescaped);
            present[(int)field] = true;
        }

        public bool Has(Field field) => present[(int)field];

        public int Line(Field field) => values[(int)field].Line;

        /// <summary>The value (present), unescaped.</summary>
        public ReadOnlySpan<char> Span(Field field) =>
            values[(int)field] is { Unescaped: { } u } ? u : text.AsSpan(values[(int)field].Start, values[(int)field].Length);

        public string Value(Field field) => values[(int)field].Unescaped ?? Span(field).ToString();

        /// <summary>The first field present (in the fixed order, which is the order they were read in) whose name starts so.</summary>
        public string? FirstStartingWith(string prefix)
        {
            for (int p = 0; p < FieldOrder.Length; p++)
            {
                if (present[p] && FieldOrder[p].StartsWith(prefix, StringComparison.Ordinal)) return FieldOrder[p];
            }
            return null;
        }
    }

    /// <summary>The UTF-8 bytes of a block's lines, for its check line; one buffer re-used for every block.</summary>
    private sealed class BlockBytes
    {
        private byte[] buffer = new byte[1024];
        private int count;

        public void Clear() => count = 0;

        public void Append(ReadOnlySpan<char> chars)
        {
            int most = Encoding.UTF8.GetMaxByteCount(chars.Length);
            if (count + most > buffer.Length) Array.Resize(ref buffer, Math.Max(buffer.Length * 2, count + most));
            count += Encoding.UTF8.GetBytes(chars, buffer.AsSpan(count));
        }

        /// <summary>Whether <paramref name="check"/> is the check value of the bytes (<see cref="Check"/> of the lines).</summary>
        public bool Checks(ReadOnlySpan<char> check)
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(buffer.AsSpan(0, count), hash);
            Span<char> hex = stackalloc char[16];
            return Convert.TryToHexStringLower(hash[..8], hex, out _) && check.SequenceEqual(hex);
        }
    }

    /// <summary>The position of a field's name in <see cref="FieldOrder"/>, or -1.</summary>
    private static int FieldPosition(ReadOnlySpan<char> key)
    {
        for (int p = 0; p < FieldOrder.Length; p++)
        {
            if (key.SequenceEqual(FieldOrder[p])) return p;
        }
        return -1;
    }

    /// <summary>The set of device blocks as the header records it: "&lt;count&gt; &lt;16 hex digits&gt;", a hash over each block's device
    /// line and check value in order.</summary>
    private sealed class BlockSet
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public int Count { get; private set; }

        public void Add(ReadOnlySpan<char> deviceLine, ReadOnlySpan<char> check)
        {
            // The bytes of "deviceLine\ncheck\n".
            byte[] bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(deviceLine.Length + check.Length + 2));
            int n = Encoding.UTF8.GetBytes(deviceLine, bytes);
            bytes[n++] = (byte)'\n';
            n += Encoding.UTF8.GetBytes(check, bytes.AsSpan(n));
            bytes[n++] = (byte)'\n';
            hash.AppendData(bytes, 0, n);
            ArrayPool<byte>.Shared.Return(bytes);
            Count++;
        }

        public override string ToString() =>
            Count.ToString(CultureInfo.InvariantCulture) + " " + Convert.ToHexStringLower(hash.GetCurrentHash())[..16];

        public static bool Valid(string value) =>
            value.Split(' ') is [var n, var h] && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out _) && h.Length == 16
                && h.All(char.IsAsciiHexDigitLower);

        public static int CountOf(string value) => int.Parse(value.Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static bool RunTimestamp(string value) =>
        DateTime.TryParseExact(value, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static LedgerEntry Entry(string device, BlockFields f, int start, Func<int, string, LedgerFormatException> error)
    {
        string Name(Field field) => FieldOrder[(int)field];
        void Need(Field field)
        {
            if (!f.Has(field)) throw error(start, $"the block of “{Shorten(device)}” has no “{Name(field)}”");
        }
        string Value(Field field)
        {
            Need(field);
            return f.Value(field);
        }
        DateTimeOffset When(Field field) =>
            DateTimeOffset.TryParseExact(f.Span(field), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var t)
                ? t.ToUniversalTime()
                : throw error(f.Line(field), $"“{Shorten(f.Value(field))}” is not a UTC time (yyyy-MM-ddTHH:mm:ssZ)");
        string cn = Value(Field.Cn);
        Need(Field.Status);
        PendingRequest? pending = null;
        if (f.Has(Field.PendingKey))
        {
            pending = new PendingRequest(Value(Field.PendingKey), f.Has(Field.PendingSince) ? When(Field.PendingSince)
                : throw error(start, "pending-since missing"), Value(Field.PendingZip));
        }
        IssuedCertificate? certificate = null;
        if (f.Has(Field.CertificateSerial))
        {
            Need(Field.CertificateNotBefore);
            Need(Field.CertificateNotAfter);
            certificate = new IssuedCertificate(Value(Field.CertificateSerial), Value(Field.CertificateIssuer),
                When(Field.CertificateNotBefore), When(Field.CertificateNotAfter),
                Value(Field.CertificateSha256), Value(Field.CertificateKey), f.Has(Field.CertificateRevoked)
                    ? When(Field.CertificateRevoked) : null)
            {
                CrlExpired = f.Has(Field.CertificateCrlExpired) ? When(Field.CertificateCrlExpired) : null,
                ExtendedKeyUsages = f.Has(Field.CertificateEku) ? Purposes(f.Value(Field.CertificateEku), f.Line(Field.CertificateEku),
                    error) : null,
            };
        }
        else if (f.FirstStartingWith("certificate-") is { } stray)
        {
            throw error(f.Line((Field)Array.IndexOf(FieldOrder, stray)), $"“{stray}” without “certificate-serial”");
        }
        // Ledgers written before installs were recorded have no install fields: the install is then unknown (null).
        CertificateInstall? install = null;
        if (f.Has(Field.Install))
        {
            var state = f.Span(Field.Install);
            var parsed = state switch
            {
                "pending" => InstallState.Pending,
                "installed" => InstallState.Installed,
                "failed" => InstallState.Failed,
                _ => throw error(f.Line(Field.Install),
                    $"“{Shorten(state.ToString())}” is not an install state (pending, installed, failed)"),
            };
            install = new CertificateInstall(parsed, Value(Field.InstallSha256), f.Has(Field.InstallAt) ? When(Field.InstallAt) : null,
                f.Has(Field.InstallError) ? f.Value(Field.InstallError) : null);
        }
        else if (f.FirstStartingWith("install-") is { } strayInstall)
        {
            throw error(f.Line((Field)Array.IndexOf(FieldOrder, strayInstall)), $"“{strayInstall}” without “install”");
        }
        // Ledgers written before verifications were recorded have no verify fields: none was made (null).
        DeviceVerification? verification = null;
        if (f.Has(Field.Verify))
        {
            string result = f.Value(Field.Verify);
            verification = new DeviceVerification(DeviceVerification.Parse(result) ?? throw error(f.Line(Field.Verify),
                    $"“{Shorten(result)}” is not a verification result (joined, refused, not-joined, mismatch, not-verified)"),
                f.Has(Field.VerifyAt) ? When(Field.VerifyAt) : throw error(start, "verify-at missing"), Value(Field.VerifyReason));
        }
        else if (f.FirstStartingWith("verify-") is { } strayVerify)
        {
            throw error(f.Line((Field)Array.IndexOf(FieldOrder, strayVerify)), $"“{strayVerify}” without “verify”");
        }
        return new LedgerEntry(device, cn, pending, certificate, install) { Verification = verification };
    }

    /// <summary>The recorded extendedKeyUsage purposes: “none”, or names and OIDs joined by commas.</summary>
    private static ImmutableArray<string> Purposes(string value, int line, Func<int, string, LedgerFormatException> error)
    {
        if (value == NoExtendedKeyUsage) return [];
        var purposes = value.Split(',');
        return purposes.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterOrDigit(c) || c == '.')) ? [.. purposes]
            : throw error(line, $"“{Shorten(value)}” is not a list of extendedKeyUsage purposes (clientAuth,serverAuth or none)");
    }

    /// <summary><see cref="Split(string)"/> without making strings.</summary>
    private static bool Split(ReadOnlySpan<char> line, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon <= 0)
        {
            bool bare = line.EndsWith(':') && line.Length > 1;
            key = bare ? line[..^1] : default;
            value = "";
            return bare;
        }
        key = line[..colon];
        value = line[(colon + 2)..];
        return true;
    }

    private static (string Key, string Value)? Split(string line) =>
        Split(line.AsSpan(), out var key, out var value) ? (key.ToString(), value.ToString()) : null;

    private static string Check(IEnumerable<string> block) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", block))))[..16];

    /// <summary>Values stay on one line: backslash, control characters and edge spaces are escaped.</summary>
    public static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            bool edgeSpace = c == ' ' && (i == 0 || i == value.Length - 1);
            if (c == '\\') sb.Append("\\\\");
            else if (c < 0x20 || c == 0x7F || edgeSpace || LoneSurrogate(value, i))
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool LoneSurrogate(string s, int i) =>
        char.IsHighSurrogate(s[i]) ? i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])
        : char.IsLowSurrogate(s[i]) && (i == 0 || !char.IsHighSurrogate(s[i - 1]));

    /// <summary>The value with its escapes undone, or null when it has a bad one.</summary>
    private static string? Unescape(ReadOnlySpan<char> value)
    {
        if (!value.Contains('\\')) return value.ToString();
        var sb = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\') { sb.Append(value[i]); continue; }
            if (i + 1 < value.Length && value[i + 1] == '\\') { sb.Append('\\'); i++; continue; }
            if (i + 5 < value.Length && value[i + 1] == 'u' && int.TryParse(value.Slice(i + 2, 4), NumberStyles.HexNumber,
                CultureInfo.InvariantCulture, out int code))
            {
                sb.Append((char)code);
                i += 5;
                continue;
            }
            return null;
        }
        return sb.ToString();
    }

    /// <summary>A value for a message: at most 60 characters, invisible characters (a byte-order mark, controls) shown as \uXXXX.</summary>
    private static string Shorten(string s)
    {
        s = s.Length > 60 ? s[..57] + "…" : s;
        if (!s.Any(Invisible)) return s;
        var sb = new StringBuilder();
        foreach (char c in s) sb.Append(Invisible(c) ? "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString());
        return sb.ToString();
    }

    private static bool Invisible(char c) => char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format;
}
