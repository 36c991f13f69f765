using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using CertLsp.Core.Certificates;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Reliability.Tests.Support;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Requests;
using Xunit.Abstractions;

namespace CertLsp.Reliability.Tests;

[CollectionDefinition(nameof(HostileBytesTests), DisableParallelization = true)]
public sealed class HostileBytesCollection;

/// <summary>
/// Garbage where certificates, CSRs and zips are expected: random and mutated PEM and DER, zips of 10,000 entries, real compression
/// bombs, and a damaged CSR zip in the folder a csr run reconciles. Only the documented refusals come out, with bounded work.
/// </summary>
/// <remarks>Not run beside other classes: the zip test bounds the allocation of the whole process while it imports.</remarks>
[Collection(nameof(HostileBytesTests))]
public sealed class HostileBytesTests(ITestOutputHelper output)
{
    /// <summary>A real certificate and a real CSR to mutate.</summary>
    private static async Task<(byte[] CertificatePem, byte[] CsrPem)> SamplesAsync(TempSite site)
    {
        var ca = new TestCa();
        File.WriteAllText(site.File_("ca.pem"), ca.Pem);
        await CsrRequester.RunAsync(site.ManifestPath, site.Text, new CsrRequestOptions());
        byte[] csr = TempSite.Entries(site.Zips[0]).First().Value;
        return (Encoding.ASCII.GetBytes(ca.Sign(csr)), csr);
    }

    private static byte[] Der(byte[] pem) => Convert.FromBase64String(
        string.Concat(Encoding.ASCII.GetString(pem).Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));

    /// <summary>One mutation: random bytes, flipped bytes, truncation, insertion, repeated blocks, broken PEM framing.</summary>
    private static byte[] Mutate(Random random, byte[] pem, byte[] der)
    {
        byte[] source = random.Next(2) == 0 ? pem : der;
        switch (random.Next(7))
        {
            case 0:
                return RandomNumberGenerator.GetBytes(random.Next(0, 2000));
            case 1:
                {
                    var copy = (byte[])source.Clone();
                    for (int k = random.Next(1, 8); k > 0; k--) copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                    return copy;
                }
            case 2:
                return source[..random.Next(source.Length)];
            case 3:
                {
                    int at = random.Next(source.Length);
                    return [.. source[..at], .. RandomNumberGenerator.GetBytes(random.Next(1, 64)), .. source[at..]];
                }
            case 4:
                return [.. pem, .. pem, .. Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\n")];
            case 5:
                return Encoding.ASCII.GetBytes(
                    $"-----BEGIN CERTIFICATE-----\n{new string('A', random.Next(1, 100_000))}\n-----END CERTIFICATE-----\n");
            default:
                {
                    // DER with a length field made huge or indefinite
                    var copy = (byte[])der.Clone();
                    copy[1] = random.Next(2) == 0 ? (byte)0x80 : (byte)0x84;
                    return copy;
                }
        }
    }

    [Fact]
    public async Task Mutated_pem_and_der_give_only_format_errors()
    {
        using var site = new TempSite(TempSite.Manifest(1));
        var (pem, csr) = await SamplesAsync(site);
        byte[] der = Der(pem), csrDer = Der(csr);
        int seed = Soak.Seed(), tries = Soak.Scale(20_000), certificates = 0, requests = 0;
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        for (int n = 0; n < tries; n++)
        {
            byte[] input = n % 2 == 0 ? Mutate(random, pem, der) : Mutate(random, csr, csrDer);
            try
            {
                foreach (var c in CertificateFiles.ReadAll(input)) c.Dispose();
                certificates++;
            }
            catch (FormatException)
            {
                // the one documented refusal
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed}, input {n}: CertificateFiles threw {ex.GetType().Name}: {ex.Message}");
            }
            try
            {
                CsrGenerator.Inspect(input);
                requests++;
            }
            catch (CryptographicException)
            {
                // what the csr run's recovery expects of a damaged CSR
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed}, input {n}: CsrGenerator.Inspect threw {ex.GetType().Name}: {ex.Message}");
            }
        }
        output.WriteLine(
            $"seed {seed}: {tries} mutated PEM/DER inputs in {clock.Elapsed.TotalSeconds:F1} s; {certificates} still read as " +
            $"certificates, {requests} as CSRs, the rest refused");
    }

    [Fact]
    public async Task A_damaged_csr_zip_in_the_folder_does_not_stop_the_next_run()
    {
        using var site = new TempSite(TempSite.Manifest(3));
        var first = await CsrRequester.RunAsync(site.ManifestPath, site.Text, new CsrRequestOptions { Devices = ["dev-01"] });
        Assert.Equal(1, first.Requested);
        string zip = site.Zips[0];
        var entries = TempSite.Entries(zip);
        // A later zip name (as an interrupted run would leave), holding garbage, a multi-valued-name CSR look-alike and a truncated CSR.
        string later = zip.Replace("_1-of-1", "_1-of-1", StringComparison.Ordinal).Replace(Path.GetFileName(zip)[..^4].Split('_')[^2],
            "29991231T235959Z", StringComparison.Ordinal);
        // The P-256 OID (…3.1.7) turned into one no platform knows (…7.1.7): the CSR's key cannot even be loaded.
        byte[] der = Der(entries.First().Value);
        int curve = der.AsSpan().IndexOf((byte[])[0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]);
        Assert.True(curve > 0);
        der[curve + 7] = 0x07;
        string unknownCurve =
            $"-----BEGIN CERTIFICATE REQUEST-----\n{Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks)}\n-----END " +
            $"CERTIFICATE REQUEST-----\n";
        File.WriteAllBytes(later, TempSite.MakeZip(("a.pem", RandomNumberGenerator.GetBytes(500)), ("b.pem", entries.First().Value[..100]),
            ("c.pem", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"u8.ToArray()),
                ("d.pem", Encoding.ASCII.GetBytes(unknownCurve))));
        var second = await CsrRequester.RunAsync(site.ManifestPath, site.Text, new CsrRequestOptions { Pending = PendingPolicy.Keep });
        Assert.Equal(CsrRunState.Done, second.State);
        Assert.Equal(2, second.Requested);
        File.Delete(later);
        SiteConsistency.Assert(site);
    }

    private static byte[] ZipOf(int entries, Func<int, string> name, Func<int, byte[]> data, CompressionLevel level =
        CompressionLevel.Fastest)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (int i = 0; i < entries; i++)
            {
                using var s = zip.CreateEntry(name(i), level).Open();
                s.Write(data(i));
            }
        }
        return memory.ToArray();
    }

    private const long MaxImportAllocation = 64L << 20;

    public static TheoryData<string, string> Zips() => new()
    {
        { "10,000 certificate entries", "at most 50" },
        { "10,000 folders", "folders" },
        { "10,000 notes", "neither certificates" },
        { "a 1 GiB entry of zeros (a real compression bomb)", "bytes" },
        { "a zip inside the zip, itself a bomb", "bytes" },
    };

    [Theory]
    [MemberData(nameof(Zips))]
    public async Task Hostile_zips_are_refused_with_bounded_work_and_nothing_is_recorded(string what, string reason)
    {
        byte[] zip = what switch
        {
            "10,000 certificate entries" => ZipOf(10_000, i => $"c{i}.crt", _ => "x"u8.ToArray()),
            "10,000 folders" => ZipOf(10_000, i => $"d{i}/", _ => []),
            "10,000 notes" => ZipOf(10_000, i => $"n{i}.txt", _ => "x"u8.ToArray()),
            "a 1 GiB entry of zeros (a real compression bomb)" => Bomb(1L << 30),
            _ => ZipOf(1, _ => "inner.crt", _ => Bomb(256L << 20)),
        };
        using var site = new TempSite(TempSite.Manifest(2));
        var ca = new TestCa();
        File.WriteAllText(site.File_("ca.pem"), ca.Pem);
        await CsrRequester.RunAsync(site.ManifestPath, site.Text, new CsrRequestOptions());
        string ledger = File.ReadAllText(site.LedgerPath);
        string path = site.File_("answer.zip");
        File.WriteAllBytes(path, zip);
        var clock = Stopwatch.StartNew();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await CertificateImporter.RunAsync(site.ManifestPath, site.Text, path, new ImportOptions());
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine(
            $"{what} ({zip.Length:N0} bytes): {result.State} in {clock.ElapsedMilliseconds} ms, {allocated:N0} bytes allocated: " +
            $"{result.Refusal ?? string.Join("; ", result.Files.Select(f => f.Reason).Distinct())}");
        // The work is bounded by what is read, not by a clock: a bomb expanded (or 10,000 entries read whole) would allocate
        // hundreds of megabytes; refusing at the headers or at the size limit allocates a few.
        Assert.True(allocated < MaxImportAllocation, $"the import allocated {allocated:N0} bytes (bound {MaxImportAllocation:N0})");
        if (result.State == ImportState.Refused) Assert.Contains(reason, result.Refusal);
        else Assert.All(result.Files, f => Assert.NotEqual(FileVerdict.Accepted, f.Verdict));
        Assert.Equal(ledger, File.ReadAllText(site.LedgerPath));
        Assert.False(Directory.Exists(site.File_("certificates")));
    }

    /// <summary>A zip with one entry of <paramref name="size"/> zero bytes, deflated (about 1,000:1), streamed so the test stays
    /// small.</summary>
    private static byte[] Bomb(long size)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var s = zip.CreateEntry("dev-01.bms.test.example.crt", CompressionLevel.SmallestSize).Open();
            var block = new byte[1 << 20];
            for (long written = 0; written < size; written += block.Length) s.Write(block);
        }
        return memory.ToArray();
    }
}
