using System.Collections.Immutable;
using CertLsp.Core.Ledger;

namespace CertLsp.Core.Tests.Ledger;

/// <summary>The ledger's blocks of the commissioning tool (“tool: &lt;name&gt;”) and the recorded extendedKeyUsage purposes
/// (“certificate-eku”): written and read back, kept apart from the devices', and ledgers without them still read.</summary>
public sealed class LedgerToolBlockTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static IssuedCertificate Cert(ImmutableArray<string>? purposes) =>
        new("7C01", "CN=Issuing CA", Now.AddDays(-10), Now.AddDays(300), "sha256:cert", "sha256:key") { ExtendedKeyUsages = purposes };

    [Fact]
    public void A_tool_block_and_a_device_block_of_the_same_name_are_written_apart_and_read_back()
    {
        var ledger = SiteLedger.Empty
            .With(new LedgerEntry("certlsp-tool", "certlsp-tool.example", null, Cert(["serverAuth"])))
            .WithTool(new LedgerEntry("certlsp-tool", "certlsp-tool.example", null, Cert(["clientAuth", "1.2.3.4"])));
        string text = LedgerFormat.Write(ledger, "s.site.yaml", Now);
        Assert.Contains("\ndevice: certlsp-tool\n", text, StringComparison.Ordinal);
        Assert.Contains("\ntool: certlsp-tool\n", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("\ndevice: ", StringComparison.Ordinal) < text.IndexOf("\ntool: ", StringComparison.Ordinal));
        Assert.Contains("  certificate-eku: clientAuth,1.2.3.4\n", text, StringComparison.Ordinal);

        var read = LedgerFormat.Read("s.site.ledger", text);
        Assert.Equal(["serverAuth"], read.Find("certlsp-tool")!.Certificate!.ExtendedKeyUsages!.Value.ToArray());
        Assert.Equal(["clientAuth", "1.2.3.4"], read.FindTool("certlsp-tool")!.Certificate!.ExtendedKeyUsages!.Value.ToArray());
        Assert.Equal(text, LedgerFormat.Write(read, "s.site.yaml", Now));
        Assert.Equal("certlsp-tool", read.FindToolByKey("sha256:key")!.Device);
    }

    [Fact]
    public void No_extension_is_none_and_an_older_block_without_the_field_reads_as_not_recorded()
    {
        string none = LedgerFormat.Write(SiteLedger.Empty.With(new LedgerEntry("D", "D", null, Cert([]))), "s.site.yaml", Now);
        Assert.Contains("  certificate-eku: none\n", none, StringComparison.Ordinal);
        var noExtension = LedgerFormat.Read("l", none).Find("D")!.Certificate!;
        Assert.True(noExtension.ExtendedKeyUsages!.Value.IsEmpty);
        Assert.True(noExtension.AllowsClientAuth);

        string older = LedgerFormat.Write(SiteLedger.Empty.With(new LedgerEntry("D", "D", null, Cert(null))), "s.site.yaml", Now);
        Assert.DoesNotContain("certificate-eku", older, StringComparison.Ordinal);
        var unknown = LedgerFormat.Read("l", older).Find("D")!.Certificate!;
        Assert.Null(unknown.ExtendedKeyUsages);
        Assert.Null(unknown.AllowsClientAuth);
        Assert.False(Cert(["serverAuth"]).AllowsClientAuth);
    }

    [Fact]
    public void A_device_block_after_the_tool_blocks_and_a_hand_edit_of_a_tool_block_are_refused()
    {
        var ledger = SiteLedger.Empty.WithTool(new LedgerEntry("T", "T", null, Cert(["clientAuth"])));
        string text = LedgerFormat.Write(ledger, "s.site.yaml", Now);
        var edited = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l",
            text.Replace("clientAuth", "clientAuth,serverAuth", StringComparison.Ordinal)));
        Assert.Contains("does not match its check line", edited.Reason, StringComparison.Ordinal);
        // Without the header's block line (an older writer's layout), the order is still enforced.
        string[] lines = text.Split('\n');
        string blocks = string.Join('\n', lines.SkipWhile(l => !l.StartsWith("tool: ", StringComparison.Ordinal)));
        string deviceBlock = string.Join('\n', LedgerFormat.Write(SiteLedger.Empty.With(new LedgerEntry("D", "D", null, null)), "s", Now)
            .Split('\n').SkipWhile(l => !l.StartsWith("device: ", StringComparison.Ordinal)));
        var late = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l", "ledger: 1\n\n" + blocks + "\n" + deviceBlock));
        Assert.Contains("after the tool blocks", late.Reason, StringComparison.Ordinal);
        Assert.NotNull(LedgerFormat.Read("l", "ledger: 1\n\n" + deviceBlock + "\n" + blocks).FindTool("T"));
        var bad = Assert.Throws<LedgerFormatException>(() => LedgerFormat.Read("l",
            "ledger: 1\n\n" + blocks.Replace("certificate-eku: clientAuth", "certificate-eku: client Auth", StringComparison.Ordinal)));
        Assert.Contains("does not match", bad.Reason, StringComparison.Ordinal);
    }
}
