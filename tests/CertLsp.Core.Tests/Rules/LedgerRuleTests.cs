using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Ledger;

namespace CertLsp.Core.Tests.Rules;

/// <summary>Shared set-up for the ledger rules: a two-device manifest checked against a ledger at a fixed moment.</summary>
internal static class LedgerRuleCheck
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public const string Manifest =
        "site: S\ndomain: bms.example\nsubject: " +
        "{ country: DE, state: B, locality: M, organization: O, organizationalUnit: U }\n{0}devices:\n  - name: AHU-1\n  - name: AHU-2\n";

    public static IssuedCertificate Cert(double daysLeft, DateTimeOffset? revoked = null) =>
        new("0A1B", "CN=Issuing CA", Now.AddDays(-300), Now.AddDays(daysLeft), "sha256:cert", "sha256:key", revoked);

    public static List<Diagnostic> Check(SiteLedger ledger, string code, string extra = "")
    {
        string text = Manifest.Replace("{0}", extra, StringComparison.Ordinal);
        var document = ManifestDocument.Parse("s.site.yaml", text,
            new LedgerInput("s.site.ledger", LedgerFormat.Write(ledger, "s.site.yaml", Now)), Now);
        Assert.Null(document.LedgerError);
        return [.. ManifestChecker.Check([document]).All.Where(d => d.Code == code)];
    }

    public static string At(Diagnostic d) => Manifest.Replace("{0}", "", StringComparison.Ordinal).Substring(d.Span.Start, d.Span.Length);
}

public sealed class CommonNameTakenRuleTests
{
    [Fact]
    public void A_cn_recorded_for_another_devices_certificate_is_an_error_on_the_name()
    {
        var ledger = SiteLedger.Empty.With(new LedgerEntry("Old-AHU", "AHU-2.bms.example", null, LedgerRuleCheck.Cert(100)));
        var d = Assert.Single(LedgerRuleCheck.Check(ledger, "CL0202"));
        Assert.Equal("AHU-2", LedgerRuleCheck.At(d));
        Assert.Empty(LedgerRuleCheck.Check(SiteLedger.Empty.With(
            new LedgerEntry("AHU-2", "AHU-2.bms.example", null, LedgerRuleCheck.Cert(100))), "CL0202"));
    }
}

public sealed class RenewalCommonNameRuleTests
{
    [Fact]
    public void A_changed_cn_warns_and_offers_to_keep_the_previous_one_when_a_common_name_can_say_it()
    {
        var ledger = SiteLedger.Empty.With(new LedgerEntry("AHU-1", "AHU-01.bms.example", null, LedgerRuleCheck.Cert(100)));
        var d = Assert.Single(LedgerRuleCheck.Check(ledger, "CL0205"));
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("AHU-1", LedgerRuleCheck.At(d));
        var fix = Assert.Single(d.Fixes);
        Assert.Contains("commonName: AHU-01.bms.example", Assert.Single(fix.Edits).NewText);
        // With the fix applied the manifest gives the previous CN, and the warning is gone.
        string text = LedgerRuleCheck.Manifest.Replace("{0}", "", StringComparison.Ordinal);
        var edit = fix.Edits[0];
        string fixedText = text[..edit.Span.Start] + edit.NewText + text[edit.Span.End..];
        var document = ManifestDocument.Parse("s.site.yaml", fixedText,
            new LedgerInput("s.site.ledger", LedgerFormat.Write(ledger, "s.site.yaml", LedgerRuleCheck.Now)), LedgerRuleCheck.Now);
        Assert.DoesNotContain(ManifestChecker.Check([document]).All, x => x.Code == "CL0205" || x.Severity == DiagnosticSeverity.Error);

        var otherDomain = SiteLedger.Empty.With(new LedgerEntry("AHU-1", "AHU-1.old.example", null, LedgerRuleCheck.Cert(100)));
        Assert.Empty(Assert.Single(LedgerRuleCheck.Check(otherDomain, "CL0205")).Fixes);
        Assert.Empty(LedgerRuleCheck.Check(SiteLedger.Empty.With(new LedgerEntry("AHU-1", "AHU-1.bms.example", null, null)), "CL0205"));
    }
}

public sealed class PendingRequestRuleTests
{
    [Fact]
    public void A_pending_csr_warns_with_keep_and_overwrite_fixes_as_commands()
    {
        var ledger = SiteLedger.Empty.With(new LedgerEntry("AHU-1", "AHU-1.bms.example",
            new PendingRequest("sha256:k", LedgerRuleCheck.Now.AddDays(-2), "z.zip"), null));
        var d = Assert.Single(LedgerRuleCheck.Check(ledger, "CL0401"));
        Assert.Equal("AHU-1", LedgerRuleCheck.At(d));
        Assert.Equal(2, d.Fixes.Length);
        Assert.All(d.Fixes, f => Assert.Empty(f.Edits));
        Assert.Equal(new[] { "keep", "overwrite" }, d.Fixes.Select(f => f.Command!.Arguments[1]));
        Assert.All(d.Fixes, f => Assert.Equal(FixCommands.RequestCsrs, f.Command!.Name));
        Assert.All(d.Fixes, f => Assert.Equal(["s.site.yaml", f.Command!.Arguments[1], "AHU-1"], f.Command.Arguments.ToArray()));
        Assert.True(d.Fixes[0].IsPreferred);
    }
}

public sealed class CertificateExpiredRuleTests
{
    [Fact]
    public void An_expired_certificate_is_an_error_and_a_valid_one_is_not()
    {
        var d = Assert.Single(LedgerRuleCheck.Check(SiteLedger.Empty.With(
            new LedgerEntry("AHU-2", "AHU-2.bms.example", null, LedgerRuleCheck.Cert(-1))), "CL0402"));
        Assert.Equal("AHU-2", LedgerRuleCheck.At(d));
        Assert.Empty(LedgerRuleCheck.Check(SiteLedger.Empty.With(
            new LedgerEntry("AHU-2", "AHU-2.bms.example", null, LedgerRuleCheck.Cert(1))), "CL0402"));
    }
}

public sealed class CertificateExpiringRuleTests
{
    private static SiteLedger Expiring(double days) => SiteLedger.Empty.With(
        new LedgerEntry("AHU-1", "AHU-1.bms.example", null, LedgerRuleCheck.Cert(days)));

    [Fact]
    public void The_default_window_is_30_days()
    {
        Assert.Single(LedgerRuleCheck.Check(Expiring(30.5), "CL0403"));
        Assert.Empty(LedgerRuleCheck.Check(Expiring(31.5), "CL0403"));
        Assert.Empty(LedgerRuleCheck.Check(Expiring(-1), "CL0403"));
    }

    [Fact]
    public void The_window_comes_from_certificates_warning_days()
    {
        const string window = "certificates: { warningDays: 60 }\n";
        Assert.Empty(LedgerRuleCheck.Check(Expiring(61.5), "CL0403", window));
    }
}

public sealed class CertificateRevokedRuleTests
{
    [Fact]
    public void A_revoked_certificate_is_an_error_and_not_also_expired_or_expiring()
    {
        var ledger = SiteLedger.Empty.With(new LedgerEntry("AHU-1", "AHU-1.bms.example", null,
            LedgerRuleCheck.Cert(5, LedgerRuleCheck.Now.AddDays(-1))));
        Assert.Empty(LedgerRuleCheck.Check(ledger, "CL0403"));
        Assert.Empty(LedgerRuleCheck.Check(ledger, "CL0402"));
    }

    [Fact]
    public void A_damaged_ledger_skips_the_ledger_rules_and_says_where()
    {
        var document = ManifestDocument.Parse("s.site.yaml", LedgerRuleCheck.Manifest.Replace("{0}", "", StringComparison.Ordinal),
            new LedgerInput("s.site.ledger", "ledger: 1\n\ndevice: AHU-1\n  status: revoked\n"));
        Assert.Equal(4, document.LedgerError!.Line);
        Assert.DoesNotContain(document.LocalDiagnostics, d => d.Code.StartsWith("CL04", StringComparison.Ordinal));
    }
}
