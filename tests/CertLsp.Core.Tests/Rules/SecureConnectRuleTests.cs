using System.Collections.Immutable;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Ledger;
using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>
/// The rules of “bacnet.secureConnect”: hub URIs (CL0605, CL0606), the issuers the hub is verified with (CL0607), the tool's CN
/// (CL0201, CL0203, CL0102, CL0206) and, from the ledger, the tool's certificate (CL0406-CL0409). Codes and exact ranges, with LF and
/// CRLF, tabs and non-ASCII text.
/// </summary>
internal static class ScSite
{
    /// <summary>The clean site with a secureConnect section before “key:”: the primary hub's value starts at (13, 16); with a failover
    /// hub, its value at (14, 17); the “tool” key follows, then its name (value at column 12).</summary>
    public static string Site(string primary, string? failover = null, string toolName = "certlsp-tool", string toolExtra = "",
        bool caIssuers = true, string newline = "\n")
    {
        string section = "bacnet:\n  secureConnect:\n    primaryHub: " + primary + "\n"
            + (failover is null ? "" : "    failoverHub: " + failover + "\n")
            + "    tool:\n      name: " + toolName + "\n" + toolExtra;
        string text = Sites.With(("key:", section + "key:"));
        if (caIssuers) text = Sites.Change(text, ("  profile: generic\n", "  profile: generic\n  issuers: [ca/issuer.pem]\n"));
        return text.Replace("\n", newline, StringComparison.Ordinal);
    }

    /// <summary>The line of the primary hub: one more when ca.issuers was added.</summary>
    public const int PrimaryLine = 14;

    public const string Hub = "wss://hub.bms.test.example:4443";
}

/// <summary>CL0605, CL0606: the hub URIs.</summary>
public sealed class HubUriRuleTests
{
    private const int PrimaryLine = ScSite.PrimaryLine;

    private const string Hub = ScSite.Hub;

    private static string Site(string primary, string? failover = null, string newline = "\n") =>
        ScSite.Site(primary, failover, newline: newline);

    [Theory]
    [InlineData("ws://hub.bms.test.example:4443", "wss://hub.bms.test.example:4443")]
    [InlineData("https://hub.bms.test.example", "wss://hub.bms.test.example")]
    [InlineData("hub.bms.test.example:4443", "wss://hub.bms.test.example:4443")]
    [InlineData("\"wss://hub.bms.test.example:4443/?token=1\"", "wss://hub.bms.test.example:4443/")]
    [InlineData("\"wss://hub.bms.test.example/#top\"", "wss://hub.bms.test.example/")]
    [InlineData("wss://ops@hub.bms.test.example:4443/", "wss://hub.bms.test.example:4443/")]
    [InlineData("\" wss://hub.bms.test.example\"", "wss://hub.bms.test.example")]
    [InlineData("ftp://hub.bms.test.example", null)]
    [InlineData("\"wss://\"", null)]
    [InlineData("\"wss://hub ex\"", null)]
    public void A_hub_uri_that_is_not_wss_is_an_error_on_the_value_with_a_fix_where_the_intent_is_plain(string yaml, string? fixedUri)
    {
        foreach (string newline in new[] { "\n", "\r\n" })
        {
            string text = Site(yaml, newline: newline);
            var d = Checks.Expect(text, "CL0605", (PrimaryLine, 16, PrimaryLine, 16 + yaml.Length), yaml);
            if (fixedUri is null)
            {
                Assert.Empty(d.Fixes);
                continue;
            }
            string after = Checks.ApplyOnlyFix(text, d);
            Assert.Contains("primaryHub: " + fixedUri, after, StringComparison.Ordinal);
            Checks.None(after, "CL0605");
        }
    }

    [Theory]
    [InlineData("wss://hub.bms.test.example:4443")]
    [InlineData("wss://hub.bms.test.example")]
    [InlineData("wss://hub.bms.test.example:4443/bacnet/hub")]
    [InlineData("wss://127.0.0.2:4443")]
    [InlineData("\"wss://[::1]:4443\"")]
    [InlineData("WSS://Hub.Bms.Test.Example")]
    public void A_wss_uri_with_a_host_passes(string yaml) => Checks.None(Site(yaml), "CL0605");

    [Fact]
    public void The_failover_hub_is_judged_too_at_its_own_range()
    {
        string text = Site(Hub, "\"ws://hub-2.bms.test.example\"");
        _ = Checks.Expect(text, "CL0605", (PrimaryLine + 1, 17, PrimaryLine + 1, 46), "\"ws://hub-2.bms.test.example\"");
    }

    [Theory]
    [InlineData("wss://HUB.bms.test.example:4443")]
    [InlineData("wss://hub.bms.test.example:4443/")]
    public void A_failover_hub_that_is_the_primary_again_warns_with_the_primary_as_related_location(string failover)
    {
        string text = Site(Hub, failover, newline: "\r\n");
        var d = Checks.Expect(text, "CL0606", (PrimaryLine + 1, 17, PrimaryLine + 1, 17 + failover.Length), failover);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal((PrimaryLine, 16, PrimaryLine, 47), Checks.Range(text, Assert.Single(d.Related).Location.Span));
        Assert.True(Checks.OfCode(Site("wss://hub.bms.test.example", "wss://hub.bms.test.example:443"), "CL0606").Length == 1);
    }

    [Theory]
    [InlineData("wss://hub2.bms.test.example:4443")]
    [InlineData("wss://hub.bms.test.example:4444")]
    [InlineData("wss://hub.bms.test.example:4443/other")]
    public void Another_failover_hub_passes(string failover) => Checks.None(Site(Hub, failover), "CL0606");

}

/// <summary>CL0607: an issuer to verify the hub with.</summary>
public sealed class HubIssuerRuleTests
{
    private const int PrimaryLine = ScSite.PrimaryLine;

    private const string Hub = ScSite.Hub;

    private static string Site(string primary, string toolExtra = "", bool caIssuers = true, string newline = "\n") =>
        ScSite.Site(primary, toolExtra: toolExtra, caIssuers: caIssuers, newline: newline);

    [Fact]
    public void Without_an_issuer_for_the_hub_the_tool_key_or_its_empty_list_is_an_error()
    {
        // No ca.issuers and no tool issuers: on the “tool” key (line 14, the clean site has no issuers line).
        _ = Checks.Expect(Site(Hub, caIssuers: false), "CL0607", (14, 4, 14, 8), "tool");
        // Its own empty list, even with the site's issuers: on the “issuers” key.
        _ = Checks.Expect(Site(Hub, toolExtra: "      issuers: []\n", newline: "\r\n"), "CL0607", (PrimaryLine + 3, 6, PrimaryLine + 3, 13),
            "issuers");
        Checks.None(Site(Hub, caIssuers: false, toolExtra: "      issuers: [ca/hub-issuer.pem]\n"), "CL0607");
        Checks.None(Site(Hub), "CL0607");
    }

}

/// <summary>The tool's CN under the devices' CN rules (CL0201, CL0203, CL0102, CL0206).</summary>
public sealed class ToolCommonNameRuleTests
{
    private const int PrimaryLine = ScSite.PrimaryLine;

    private const string Hub = ScSite.Hub;

    private static string Site(string primary, string toolName = "certlsp-tool") => ScSite.Site(primary, toolName: toolName);

    [Fact]
    public void The_tool_cn_may_not_be_a_device_s()
    {
        // The tool named like a device (case aside): its CN is that device's.
        string text = Site(Hub, toolName: "ahu-1");
        var d = Checks.Expect(text, "CL0201", (PrimaryLine + 2, 12, PrimaryLine + 2, 17), "ahu-1");
        var related = Assert.Single(d.Related);
        Assert.Equal("AHU-1", Checks.At(text, related.Location.Span));
        Checks.None(Site(Hub), "CL0201");
    }

    [Fact]
    public void The_tool_cn_follows_the_length_and_host_name_rules_of_the_devices()
    {
        string longName = new('t', 50);
        _ = Checks.Expect(Site(Hub, toolName: longName), "CL0203", (PrimaryLine + 2, 12, PrimaryLine + 2, 62), longName);
        // Without a domain the CN is the name: 65 characters (the 🔧 is one character, two UTF-16 units) is one too many.
        string noDomain = Sites.Change(Site(Hub, toolName: "🔧" + new string('t', 64)), ("domain: bms.test.example\n", ""));
        _ = Checks.Expect(noDomain, "CL0102", (PrimaryLine + 1, 12, PrimaryLine + 1, 78), "🔧" + new string('t', 64));
        // With a domain: a host name. A tab inside the quoted name is one column.
        _ = Checks.Expect(Site(Hub, toolName: "\"Outil\\tÉté\""), "CL0206", (PrimaryLine + 2, 12, PrimaryLine + 2, 24),
            "\"Outil\\tÉté\"");
        Checks.None(Site(Hub), "CL0206");
    }

}

/// <summary>CL0406-CL0409: the tool's certificate in the ledger (ToolCertificateMissingRule, ToolCertificateExpiryRule,
/// ToolClientAuthRule).</summary>
public sealed class ToolCertificateRuleTests
{
    private const int PrimaryLine = ScSite.PrimaryLine;

    private const string Hub = ScSite.Hub;

    private static string Site(string primary, string toolName = "certlsp-tool", string newline = "\n") =>
        ScSite.Site(primary, toolName: toolName, newline: newline);

    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static IssuedCertificate Cert(double daysLeft, ImmutableArray<string>? purposes) =>
        new("7C01", "CN=Issuing CA", Now.AddDays(-300), Now.AddDays(daysLeft), "sha256:cert", "sha256:key")
        {
            ExtendedKeyUsages = purposes,
        };

    private static ImmutableArray<Diagnostic> Run(string text, SiteLedger ledger) =>
        [.. ManifestChecker.Check([ManifestDocument.Parse(Checks.FilePath, text,
            new LedgerInput(Checks.LedgerPath, LedgerFormat.Write(ledger, Checks.FilePath, Now)), Now)]).ByPath[Checks.FilePath]
            .Where(d => d.Code is "CL0406" or "CL0407" or "CL0408"
            or "CL0409")];

    private static SiteLedger Tool(string name, PendingRequest? pending, IssuedCertificate? certificate) =>
        SiteLedger.Empty.WithTool(new LedgerEntry(name, name + ".bms.test.example", pending, certificate));

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void The_tool_s_certificate_is_judged_on_its_name(string newline)
    {
        // A non-ASCII tool name (its CN is also CL0206's; the ledger rules judge its block all the same).
        const string name = "Outil-Été";
        string text = Site(Hub, toolName: name, newline: newline);
        (int, int, int, int) at = (PrimaryLine + 2, 12, PrimaryLine + 2, 21);
        string Code(SiteLedger ledger)
        {
            var d = Assert.Single(Run(text, ledger));
            Checks.AssertRange(text, d, at, name);
            return d.Code;
        }
        Assert.Equal("CL0406", Code(SiteLedger.Empty));
        Assert.Equal("CL0406", Code(Tool(name, new PendingRequest("sha256:key", Now.AddDays(-1), "z.zip"), null)));
        Assert.Equal("CL0407", Code(Tool(name, null, Cert(-1, ["clientAuth"]))));
        Assert.Equal("CL0408", Code(Tool(name, null, Cert(10, ["clientAuth"]))));
        Assert.Equal("CL0409", Code(Tool(name, null, Cert(300, ["serverAuth"]))));
        Assert.Empty(Run(text, Tool(name, null, Cert(300, ["clientAuth", "serverAuth"]))));
        // No extendedKeyUsage: any purpose; purposes not recorded (an older ledger): not judged.
        Assert.Empty(Run(text, Tool(name, null, Cert(300, []))));
        Assert.Empty(Run(text, Tool(name, null, Cert(300, null))));
        Assert.Empty(Run(text, Tool(name, null, Cert(300, ["anyExtendedKeyUsage"]))));
    }

    [Fact]
    public void A_device_block_of_the_tool_s_name_is_not_the_tool_s()
    {
        string text = Site(Hub);
        var ledger = SiteLedger.Empty.With(new LedgerEntry("certlsp-tool", "certlsp-tool.bms.test.example", null,
            Cert(300, ["clientAuth"])));
        Assert.Equal("CL0406", Assert.Single(Run(text, ledger)).Code);
        Assert.Empty(Run(Sites.Clean, SiteLedger.Empty));
    }
}
