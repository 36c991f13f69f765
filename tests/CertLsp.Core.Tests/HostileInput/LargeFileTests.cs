using System.Text;
using CertLsp.SiteGen;
using CertLsp.Workflows.Files;

namespace CertLsp.Core.Tests.HostileInput;

[CollectionDefinition(nameof(LargeFileTests), DisableParallelization = true)]
public sealed class LargeFileCollection;

/// <summary>
/// 50 MB files, generated into a temporary folder (never committed): read and checked within a bound of the memory allocated
/// (how long they take is measured by <c>certlsp-bench hostile</c>, bench/results.md). Run alone (not beside other test
/// classes): each holds several copies of 50 MB.
/// </summary>
[Collection(nameof(LargeFileTests))]
public sealed class LargeFileTests : IDisposable
{
    private const int FiftyMegabytes = 50 * 1024 * 1024;
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-large-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void A_50_MB_manifest_is_read_and_checked_in_bounded_memory()
    {
        var path = Path.Combine(folder, "large.site.yaml");
        File.WriteAllText(path, HostileYaml.ValidManifest(FiftyMegabytes, out int devices), new UTF8Encoding(false));
        Assert.True(new FileInfo(path).Length >= FiftyMegabytes);

        var text = ManifestFiles.Read(path);
        var outcome = Bounded.Check(text, maxAllocatedBytes: 8L << 30);
        Assert.DoesNotContain(outcome.Diagnostics, d => d.Code.StartsWith("CL000", StringComparison.Ordinal));
        var plan = outcome.Single("CL0302");
        Assert.StartsWith($"{devices} devices will be requested", plan.Message, StringComparison.Ordinal);
        Assert.True(plan.Message.Length < 200,
            $"the plan of {devices:N0} devices is one readable line, not {plan.Message.Length:N0} characters");
    }

    [Fact]
    public void A_50_MB_single_line_is_one_diagnostic_in_bounded_memory()
    {
        var text = HostileYaml.LongLine(FiftyMegabytes);
        var outcome = Bounded.Check(text, maxAllocatedBytes: 4L << 30);
        var tooLong = outcome.Single("CL0003");
        Assert.Equal(6, tooLong.Span.Start);
        Assert.Equal(FiftyMegabytes, tooLong.Span.Length);
        Assert.True(tooLong.Message.Length < 400, "the message quotes a shortened value");
    }

    [Fact]
    public void A_50_MB_file_of_unclosed_quotes_is_one_syntax_error_in_bounded_memory()
    {
        var outcome = Bounded.Check(HostileYaml.UnclosedQuotes(FiftyMegabytes), maxAllocatedBytes: 4L << 30);
        Assert.Equal("CL0001", Assert.Single(outcome.Diagnostics).Code);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_before_it_is_read()
    {
        var path = Path.Combine(folder, "huge.site.yaml");
        using (var stream = File.Create(path)) stream.SetLength(ManifestFiles.MaxFileBytes + 1); // sparse: costs no disk
        var error = Assert.Throws<ManifestReadException>(() => ManifestFiles.Read(path));
        Assert.Contains("refused above", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
