using System.Security.Cryptography;
using System.Text;
using CertLsp.Core.Ledger;
using CertLsp.Workflows.Ledger;
using CsCheck;

namespace CertLsp.Core.Tests.Ledger;

/// <summary>
/// Whole device blocks removed, added or duplicated (a bad merge, a restore of part of the file, a hand edit) and a ledger cut short
/// exactly at a block boundary are reported, never read as a smaller ledger: the header's <c>blocks:</c> line covers the set of blocks.
/// Ledgers written before that line existed still read. A byte-order mark and a binary file are reported or accepted visibly.
/// </summary>
public sealed class LedgerBlockSetTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private const string Zip = "CertificateSigningRequests_X_20261123T110000Z_1-of-1.zip";

    /// <summary>A ledger of <paramref name="devices"/> pending devices, some with an issued certificate too.</summary>
    private static SiteLedger Ledger(int devices)
    {
        var ledger = SiteLedger.Empty with { RequestsThrough = "20261123T110000Z" };
        for (int i = 1; i <= devices; i++)
        {
            var certificate = i % 3 == 0 ? new IssuedCertificate($"{i:X4}", "CN=Issuing CA", Now.AddDays(-10), Now.AddDays(355),
                $"sha256:c{i}", $"sha256:b{i}") : null;
            ledger = ledger.With(new LedgerEntry($"DEV-{i:D4}", $"DEV-{i:D4}.bms.example",
                new PendingRequest($"sha256:a{i}", Now.AddHours(-1), Zip), certificate));
        }
        return ledger;
    }

    private static string Text(int devices) => LedgerFormat.Write(Ledger(devices), "x.site.yaml", Now);

    /// <summary>The text split into its header (up to the first device block) and its device blocks, each with its leading blank
    /// line.</summary>
    private static (string Header, List<string> Blocks) Split(string text)
    {
        var parts = text.Split("\ndevice: ");
        return (parts[0], [.. parts[1..].Select(p => "device: " + p.TrimEnd('\n') + "\n")]);
    }

    private static string Join(string header, IEnumerable<string> blocks) => header + string.Concat(blocks.Select(b => "\n" + b));

    [Fact]
    public void The_issue_s_step_deleting_the_block_of_dev_0001_is_reported_on_the_blocks_line()
    {
        string text = Text(120);
        var (header, blocks) = Split(text);
        Assert.Equal(text, Join(header, blocks));
        string cut = Join(header, blocks.Skip(1));
        var error = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("site.site.ledger", cut));
        Assert.Equal(cut.Split('\n').ToList().FindIndex(l => l.StartsWith("blocks: ", StringComparison.Ordinal)) + 1, error.Line);
        Assert.Contains("119 device block(s) where its header records 120: 1 is missing", error.Reason);
    }

    [Fact]
    public void Removing_the_block_at_every_position_is_reported()
    {
        const int devices = 12;
        string text = Text(devices);
        var (header, blocks) = Split(text);
        for (int at = 0; at < devices; at++)
        {
            string cut = Join(header, blocks.Where((_, i) => i != at));
            var error = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", cut));
            Assert.Contains("1 is missing", error.Reason);
        }
        // The header block itself: without it the file is not a ledger.
        Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", string.Concat(blocks.Select(b => "\n" + b))));
    }

    [Fact]
    public void A_ledger_cut_short_at_every_block_boundary_is_reported()
    {
        const int devices = 12;
        var (header, blocks) = Split(Text(devices));
        for (int keep = 0; keep < devices; keep++)
        {
            string cut = Join(header, blocks.Take(keep));
            var error = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", cut));
            Assert.Contains($"{devices - keep} ", error.Reason);
        }
        // Cut inside the header, at each of its line ends: never read as an empty ledger.
        var lines = header.TrimEnd('\n').Split('\n');
        for (int keep = 3; keep < lines.Length; keep++)
        {
            string cut = string.Join('\n', lines.Take(keep)) + "\n";
            Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", cut));
        }
    }

    [Fact]
    public void A_block_replaced_by_an_older_version_of_itself_is_reported()
    {
        // A restore of one block from version control: the block is intact (its check line matches) but not the one recorded.
        var older = Ledger(5).With(Ledger(5).Entries["DEV-0002"] with
        {
            Pending =
            new PendingRequest("sha256:old", Now.AddDays(-90), Zip)
        });
        var (header, blocks) = Split(Text(5));
        var (_, olderBlocks) = Split(LedgerFormat.Write(older, "x.site.yaml", Now));
        blocks[1] = olderBlocks[1];
        var error = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", Join(header, blocks)));
        Assert.Contains("not the ones its header records", error.Reason);
    }

    private enum BlockEdit { Remove, Duplicate, DuplicateElsewhere }

    /// <summary>1,000 random edits that remove or duplicate whole blocks (one to four at a time): every one is reported with a
    /// line.</summary>
    [Fact]
    public void Random_whole_block_removals_and_duplications_are_always_reported()
    {
        const int devices = 20;
        string text = Text(devices);
        var (header, blocks) = Split(text);
        int lines = text.Split('\n').Length;
        var edit = Gen.Select(Gen.Enum<BlockEdit>(), Gen.Int[0, devices - 1], Gen.Int[0, devices - 1]);
        edit.Array[1, 4].Sample(edits =>
        {
            var list = blocks.ToList();
            foreach (var (kind, which, where) in edits)
            {
                if (list.Count == 0) break;
                int i = which % list.Count, j = where % (list.Count + 1);
                switch (kind)
                {
                    case BlockEdit.Remove: list.RemoveAt(i); break;
                    case BlockEdit.Duplicate: list.Insert(i, list[i]); break;
                    default: list.Insert(j, list[i]); break;
                }
            }
            string edited = Join(header, list);
            if (edited == text) return;
            try
            {
                LedgerFormat.Read("l", edited);
                Assert.Fail($"read as a valid ledger of {list.Count} blocks after {string.Join(", ", edits)}");
            }
            catch (LedgerFormatException ex)
            {
                Assert.InRange(ex.Line, 1, lines + 4 * 20);
            }
        }, iter: 1000);
    }

    [Fact]
    public void Ledgers_written_before_the_blocks_line_still_read_and_the_next_write_adds_it()
    {
        string text = Text(3);
        var headerLines = text.Split('\n').TakeWhile(l => !l.StartsWith("header-check: ", StringComparison.Ordinal)).Where(l =>
            !l.StartsWith('#') && !l.StartsWith("blocks: ", StringComparison.Ordinal)).ToList();
        // As written by the version before: a header-check over the header without a blocks line.
        string check = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", headerLines))))[..16];
        string withoutBlocks = string.Join('\n', text.Split('\n')
            .Where(l => !l.StartsWith("blocks: ", StringComparison.Ordinal))
            .Select(l => l.StartsWith("header-check: ", StringComparison.Ordinal) ? "header-check: " + check : l));
        var read = LedgerFormat.Read("l", withoutBlocks);
        Assert.Equal(Ledger(3).Entries.Keys, read.Entries.Keys);
        Assert.Equal(text, LedgerFormat.Write(read, "x.site.yaml", Now));
        // And before the header check existed.
        string oldest = string.Join('\n', withoutBlocks.Split('\n').Where(l => !l.StartsWith("header-check: ", StringComparison.Ordinal)));
        Assert.Equal(Ledger(3).Entries.Keys, LedgerFormat.Read("l", oldest).Entries.Keys);
    }

    [Fact]
    public void A_byte_order_mark_at_the_start_of_the_ledger_file_is_accepted()
    {
        string folder = Directory.CreateTempSubdirectory("certlsp-bom-").FullName;
        try
        {
            string path = Path.Combine(folder, "x.site.ledger");
            File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Text(2))]);
            Assert.Equal(["DEV-0001", "DEV-0002"], LedgerFile.Load(path).Entries.Keys);
            // As an editor buffer (the character, not the bytes) too.
            Assert.Equal(2, LedgerFormat.Read(path, "\uFEFF" + Text(2)).Entries.Count);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void An_invisible_character_in_a_reported_line_is_shown_visibly()
    {
        var error = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", "ledger: 1\n\u200Bbogus: x\n"));
        Assert.Contains("\\u200B", error.Reason);
    }

    [Fact]
    public void A_binary_ledger_file_is_a_ledger_error_at_line_1_not_a_manifest_error()
    {
        string folder = Directory.CreateTempSubdirectory("certlsp-bin-").FullName;
        try
        {
            string path = Path.Combine(folder, "x.site.ledger");
            File.WriteAllBytes(path, [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0, 0]);
            var error = Assert.Throws<LedgerFormatException>(() => LedgerFile.Load(path));
            Assert.Equal(1, error.Line);
            Assert.Contains("not a text file", error.Reason);
            Assert.Contains("ledger", error.Reason);
            Assert.DoesNotContain("manifest", error.Reason);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
