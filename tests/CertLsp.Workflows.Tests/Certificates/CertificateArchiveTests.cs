using System.IO.Compression;
using System.Text;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Workflows.Tests.Certificates;

/// <summary>Each way a hostile archive is refused, one test each; and what a good one yields.</summary>
public sealed class CertificateArchiveTests
{
    private static readonly byte[] Pem = Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

    private static string Refusal(byte[] zip) =>
        Assert.Throws<ArchiveRejectedException>(() => CertificateArchive.ReadZip(new MemoryStream(zip))).Message;

    [Fact]
    public void A_good_zip_is_read_with_kinds_by_name()
    {
        var files = CertificateArchive.ReadZip(new MemoryStream(TempSite.MakeZip(
            ("cert1/device-1/port-1/opr-a.pem", Pem), ("cert1/issuer/iss-1.pem", Pem), ("cert1/response-notes.txt", "ok"u8.ToArray()),
            ("cert1/device-1/port-1/csr-a.pem", Pem), ("b.pem", Pem))));
        Assert.Equal(
            [ArchiveFileKind.Certificate, ArchiveFileKind.Issuer, ArchiveFileKind.Notes, ArchiveFileKind.Request,
                ArchiveFileKind.Certificate],
            files.Select(f => f.Kind));
        Assert.Equal(Pem, files[0].Data);
    }

    [Fact]
    public void Path_traversal_is_refused() => Assert.Contains("path traversal", Refusal(TempSite.MakeZip(("certs/../../evil.pem", Pem))));

    [Fact]
    public void Absolute_names_are_refused() => Assert.Contains("absolute path", Refusal(TempSite.MakeZip(("/etc/evil.pem", Pem))));

    [Fact]
    public void Drive_letter_names_are_refused() => Assert.Contains("absolute path", Refusal(TempSite.MakeZip(("C:/evil.pem", Pem))));

    /// <summary>A backslash separates folders (zips from PowerShell 5's Compress-Archive): so "..\\" is traversal, "C:\\"
    /// absolute.</summary>
    [Theory]
    [InlineData("..\\evil.pem", "path traversal")]
    [InlineData("certs\\..\\..\\evil.pem", "path traversal")]
    [InlineData("C:\\evil.pem", "absolute path")]
    [InlineData("\\evil.pem", "absolute path")]
    public void Backslash_names_that_leave_the_folder_are_refused(string name, string why) =>
        Assert.Contains(why, Refusal(TempSite.MakeZip((name, Pem))));

    [Fact]
    public void Backslashes_separate_folders_as_in_zips_made_on_windows()
    {
        var files = CertificateArchive.ReadZip(new MemoryStream(
            TempSite.MakeZip(("cert1\\device-1\\port-1\\opr-a.pem", Pem), ("cert1\\issuer\\iss-1.pem", Pem))));
        Assert.Equal(["cert1/device-1/port-1/opr-a.pem", "cert1/issuer/iss-1.pem"], files.Select(f => f.Name));
        Assert.Equal([ArchiveFileKind.Certificate, ArchiveFileKind.Issuer], files.Select(f => f.Kind));
    }

    [Fact]
    public void Control_characters_in_names_are_refused() =>
        Assert.Contains("control characters", Refusal(TempSite.MakeZip(("a\u0007.pem", Pem))));

    [Fact]
    public void Symlinks_are_refused()
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry("link.pem");
            entry.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
            using var s = entry.Open();
            s.Write("/etc/passwd"u8);
        }
        Assert.Contains("symbolic link", Refusal(memory.ToArray()));
    }

    [Fact]
    public void Oversized_entries_are_refused()
    {
        var big = new byte[CertificateArchive.MaxEntryBytes + 1];
        new Random(1).NextBytes(big);
        Assert.Contains("refused above", Refusal(TempSite.MakeZip(("big.pem", big))));
    }

    [Fact]
    public void Over_compressed_entries_are_refused() =>
        Assert.Contains("zip bomb", Refusal(TempSite.MakeZip(("zeros.pem", new byte[60_000]))));

    [Fact]
    public void A_single_certificate_file_is_the_answer_but_a_zip_name_must_hold_a_zip()
    {
        string folder = Path.Combine(Path.GetTempPath(), "certlsp-archive-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string pem = Path.Combine(folder, "dev-01.fullchain.pem");
            File.WriteAllBytes(pem, Pem);
            var file = Assert.Single(CertificateArchive.Read(pem));
            Assert.Equal(("dev-01.fullchain.pem", ArchiveFileKind.Certificate), (file.Name, file.Kind));
            Assert.Equal(Pem, file.Data);

            string notZip = Path.Combine(folder, "signed.zip");
            File.WriteAllBytes(notZip, Pem);
            Assert.Contains("not a readable zip", Assert.Throws<ArchiveRejectedException>(() => CertificateArchive.Read(notZip)).Message);

            string big = Path.Combine(folder, "big.p7b");
            File.WriteAllBytes(big, new byte[CertificateArchive.MaxEntryBytes + 1]);
            Assert.Contains("refused above", Assert.Throws<ArchiveRejectedException>(() => CertificateArchive.Read(big)).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void More_than_50_certificates_refuse_the_whole_zip()
    {
        var entries = Enumerable.Range(1, 51).Select(i => ($"c{i}.pem", Pem)).ToArray();
        Assert.Contains("at most 50", Refusal(TempSite.MakeZip(entries)));
        Assert.Equal(50, CertificateArchive.ReadZip(new MemoryStream(TempSite.MakeZip(entries[..50]))).Count);
    }

    [Fact]
    public void An_entry_larger_than_its_header_says_is_refused_while_reading()
    {
        var big = new byte[200_000];
        new Random(2).NextBytes(big);
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var s = zip.CreateEntry("liar.pem", CompressionLevel.NoCompression).Open();
            s.Write(big);
        }
        var bytes = memory.ToArray();
        // Declare 100 bytes uncompressed, in the local header (offset 22) and the central directory entry (offset 24).
        PatchSize(bytes, 0x04034b50, 22);
        PatchSize(bytes, 0x02014b50, 24);
        var error = Refusal(bytes);
        Assert.Contains("liar.pem", error);
    }

    [Fact]
    public void A_damaged_entry_is_refused_while_reading()
    {
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 400).Select(i => $"line {i} of a certificate file\n")));
        var zip = TempSite.MakeZip(("damaged.pem", text));
        int data = 30 + "damaged.pem".Length; // the compressed data follows the local header
        for (int i = data + 5; i < data + 40; i++) zip[i] ^= 0x5A;
        Assert.Contains("damaged.pem", Refusal(zip));
    }

    private static void PatchSize(byte[] zip, uint signature, int offset)
    {
        for (int i = 0; i + 4 <= zip.Length; i++)
        {
            if (BitConverter.ToUInt32(zip, i) != signature) continue;
            BitConverter.GetBytes(100u).CopyTo(zip, i + offset);
            return;
        }
        throw new InvalidOperationException("signature not found");
    }

    [Fact]
    public void Too_many_issuer_files_are_refused()
    {
        var entries = Enumerable.Range(1, CertificateArchive.MaxIssuerFiles + 1).Select(i => ($"issuer/iss-{i}.pem", Pem)).ToArray();
        Assert.Contains("issuer files", Refusal(TempSite.MakeZip(entries)));
    }

    [Fact]
    public void Too_many_other_files_are_refused()
    {
        var entries = Enumerable.Range(1, CertificateArchive.MaxOtherFiles + 1).Select(i => ($"note-{i}.txt", Pem)).ToArray();
        Assert.Contains("neither certificates", Refusal(TempSite.MakeZip(entries)));
    }

    [Fact]
    public void Duplicate_names_are_refused() =>
        Assert.Contains("appears twice", Refusal(TempSite.MakeZip(("a.pem", Pem), ("A.pem", Pem))));

    [Fact]
    public void A_file_that_is_not_a_zip_is_refused() =>
        Assert.Contains("not a readable zip", Refusal("not a zip at all"u8.ToArray()));

    [Fact]
    public void Nothing_is_read_when_a_later_entry_is_hostile()
    {
        // The first entry is fine, the second is not: the refusal comes from the central directory, before any content is read.
        var error = Refusal(TempSite.MakeZip(("good.pem", Pem), ("../bad.pem", Pem)));
        Assert.Contains("bad.pem", error);
    }

    [Fact]
    public void A_symlink_inside_a_folder_is_refused()
    {
        string folder = Path.Combine(Path.GetTempPath(), "certlsp-archive-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "a.pem"), Pem);
            File.CreateSymbolicLink(Path.Combine(folder, "b.pem"), "/etc/passwd");
            Assert.Contains("symbolic link", Assert.Throws<ArchiveRejectedException>(() => CertificateArchive.Read(folder)).Message);
            File.Delete(Path.Combine(folder, "b.pem"));
            Assert.Single(CertificateArchive.Read(folder));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
