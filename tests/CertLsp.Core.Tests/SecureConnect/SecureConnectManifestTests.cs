using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Editing;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.SecureConnect;

/// <summary>“bacnet.secureConnect”: read into the model with exact spans (CRLF, tabs, non-ASCII), described by the schema (hover,
/// completion), its shape checked by the schema check.</summary>
public sealed class SecureConnectManifestTests
{
    /// <summary>The clean site with a secureConnect section (ending at the “key:” line, which it is put before).</summary>
    public static string Site(string section) => Sites.With(("key:", section + "key:"));

    public const string Section =
        "bacnet:\n" +
        "  secureConnect:\n" +
        "    primaryHub: wss://hub.bms.test.example:4443\n" +
        "    failoverHub: \"wss://hub2.bms.test.example:4443\"\n" +
        "    heartbeatTimeout: 120\n" +
        "    tool:\n" +
        "      name: Outil-Été\n" +
        "      subject: { organizationalUnit: Inbetriebnahme }\n" +
        "      datalink: sc\n";

    private static SecureConnectSettings Bound(string text)
    {
        var manifest = ManifestDocument.Parse(Checks.FilePath, text).Manifest!;
        return Assert.IsType<SecureConnectSettings>(manifest.Bacnet.SecureConnect);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void The_section_is_bound_with_the_exact_span_of_every_value(string newline)
    {
        string text = Site(Section).Replace("\n", newline, StringComparison.Ordinal);
        var sc = Bound(text);
        // Line 13 (zero-based) is the primary hub: "    primaryHub: " is 16 columns.
        Assert.Equal((13, 16, 13, 47), Checks.Range(text, sc.PrimaryHub!.Span));
        Assert.Equal("wss://hub.bms.test.example:4443", sc.PrimaryHub.Value);
        Assert.Equal((14, 17, 14, 51), Checks.Range(text, sc.FailoverHub!.Span));
        Assert.Equal(TimeSpan.FromSeconds(120), sc.Heartbeat);
        Assert.Equal(TimeSpan.FromSeconds(SecureConnectSettings.DefaultConnectWaitSeconds), sc.ConnectWait);
        Assert.Equal(TimeSpan.FromSeconds(10), sc.MinimumReconnect);
        Assert.Equal(TimeSpan.FromSeconds(600), sc.MaximumReconnect);
        var tool = Assert.IsType<ToolSettings>(sc.Tool);
        // "      name: Outil-Été": é is one UTF-16 unit, so the name spans columns 12..21.
        Assert.Equal((17, 12, 17, 21), Checks.Range(text, tool.Name!.Span));
        Assert.Equal("Inbetriebnahme", tool.Subject.Get(SubjectField.OrganizationalUnit)!.Value);
        Assert.True(tool.ReachesDevicesOverSc);
        Assert.Null(tool.IssuersPair);
        // Only the findings this section is made to have: no issuer for the hub (the clean site has no ca.issuers), and the tool's CN
        // with an “É”, which a host name cannot hold.
        Assert.Equal(["CL0206", "CL0607"], Checks.Run(text).Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Code).Order());
    }

    [Fact]
    public void Without_the_section_there_are_no_settings_and_ip_is_the_default_datalink()
    {
        Assert.Null(ManifestDocument.Parse(Checks.FilePath, Sites.Clean).Manifest!.Bacnet.SecureConnect);
        var tool = Bound(Site(Section.Replace("      datalink: sc\n", "", StringComparison.Ordinal))).Tool!;
        Assert.False(tool.ReachesDevicesOverSc);
    }

    [Fact]
    public void A_tab_inside_a_quoted_tool_name_is_one_column()
    {
        string text = Site(Section.Replace("name: Outil-Été", "name: \"Outil\\tÉté\"", StringComparison.Ordinal)
            .Replace("name: Outil-Été", "x", StringComparison.Ordinal));
        var tool = Bound(text).Tool!;
        Assert.Equal("Outil\tÉté", tool.Name!.Value);
        Assert.Equal((17, 12, 17, 24), Checks.Range(text, tool.Name.Span));
    }

    [Fact]
    public void The_tool_names_its_own_issuers()
    {
        string text = Site(Section + "      issuers: [ca/hub-issuer.pem]\n");
        var tool = Bound(text).Tool!;
        Assert.Equal("ca/hub-issuer.pem", Assert.Single(tool.Issuers).Value);
        Assert.NotNull(tool.IssuersPair);
    }

    [Fact]
    public void The_schema_check_reports_unknown_keys_missing_keys_and_values_out_of_range()
    {
        var unknown = Checks.Expect(Site(Section.Replace("heartbeatTimeout", "heartbeatTimout", StringComparison.Ordinal)), "CL0002",
            (15, 4, 15, 19), "heartbeatTimout");
        Assert.Contains("heartbeatTimeout", unknown.Message, StringComparison.Ordinal);
        _ = Checks.Expect(Site(Section.Replace("    primaryHub: wss://hub.bms.test.example:4443\n", "", StringComparison.Ordinal)),
            "CL0004", (12, 2, 12, 15), "secureConnect");
        _ = Checks.Expect(Site(Section.Replace("      name: Outil-Été\n", "", StringComparison.Ordinal)), "CL0004",
            (16, 4, 16, 8), "tool");
        _ = Checks.Expect(Site(Section.Replace("120", "0", StringComparison.Ordinal)), "CL0003", (15, 22, 15, 23), "0");
        _ = Checks.Expect(Site(Section.Replace("datalink: sc", "datalink: mstp", StringComparison.Ordinal)), "CL0003",
            (19, 16, 19, 20), "mstp");
    }

    [Fact]
    public void Hover_and_completion_describe_the_section_from_the_schema()
    {
        string text = Site(Section);
        var document = ManifestDocument.Parse(Checks.FilePath, text);
        var hover = HoverContent.At(document, text.IndexOf("primaryHub", StringComparison.Ordinal) + 2)!;
        Assert.Contains("**Primary hub URI**", hover.Markdown, StringComparison.Ordinal);
        Assert.Contains("wss://", hover.Markdown, StringComparison.Ordinal);
        var datalink = HoverContent.At(document, text.IndexOf("datalink", StringComparison.Ordinal) + 1)!;
        Assert.Contains("Datalink to devices", datalink.Markdown, StringComparison.Ordinal);
        // Anywhere in the tool: its CN and the datalink; with a ledger, its certificate from its own block.
        Assert.Contains("- Common name: `Outil-Été.bms.test.example` (26/64 characters)", datalink.Markdown, StringComparison.Ordinal);
        Assert.Contains("- Reaches devices over: BACnet/SC, through the hub", datalink.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Certificate:", datalink.Markdown, StringComparison.Ordinal);
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var ledger = SiteLedger.Empty.WithTool(new LedgerEntry("Outil-Été", "Outil-Été.bms.test.example", null,
            new IssuedCertificate("7C01", "CN=CA", now.AddDays(-1), now.AddDays(100), "sha256:c", "sha256:k")));
        var withLedger = ManifestDocument.Parse(Checks.FilePath, text,
            new LedgerInput(Checks.LedgerPath, LedgerFormat.Write(ledger, Checks.FilePath, now)), now);
        var name = HoverContent.At(withLedger, text.IndexOf("Outil-Été", StringComparison.Ordinal) + 2, now)!;
        Assert.Contains("- Certificate: valid until 2027-03-03, 100 days left", name.Markdown, StringComparison.Ordinal);
        var none = ManifestDocument.Parse(Checks.FilePath, text,
            new LedgerInput(Checks.LedgerPath, LedgerFormat.Write(SiteLedger.Empty.With(new LedgerEntry("Outil-Été", "x", null,
                null)), Checks.FilePath, now)), now);
        Assert.Contains("- Certificate: none requested yet", HoverContent.At(none, text.IndexOf("Outil-Été", StringComparison.Ordinal),
            now)!.Markdown, StringComparison.Ordinal);

        // A new key under secureConnect: its keys not yet there.
        string partial = text.Replace("    heartbeatTimeout: 120\n", "    \n", StringComparison.Ordinal);
        int at = partial.IndexOf("    \n", StringComparison.Ordinal) + 4;
        var labels = Completions.At(partial, at, document).Select(c => c.Label).ToList();
        Assert.Contains("heartbeatTimeout", labels);
        Assert.Contains("maximumReconnectTime", labels);
        Assert.DoesNotContain("primaryHub", labels);
        // The datalink's values.
        string value = text.Replace("datalink: sc", "datalink: ", StringComparison.Ordinal);
        int valueAt = value.IndexOf("datalink: ", StringComparison.Ordinal) + "datalink: ".Length;
        Assert.Equal(["ip", "sc"], Completions.At(value, valueAt, document).Select(c => c.Label).Order());
    }
}
