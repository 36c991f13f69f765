using System.Globalization;
using System.Text;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Ledger;

namespace CertLsp.Core.Review;

/// <summary>
/// The review of a change as text: for a terminal, or as markdown for a pull-request comment, a CI job summary or the editor's
/// review beside the manifest (the CLI and the language server print the same).
/// </summary>
public static class ReviewText
{
    /// <summary>At most this many rows per markdown table; the rest are counted (the json has them all).</summary>
    public const int MarkdownRows = 50;

    public static string Headline(SiteReview review)
    {
        int changed = review.Manifests.Count(m => !m.IsUnchanged);
        int voided = review.Manifests.Sum(m => m.Impacts.Count(i => i.Impact is CertificateImpact.MustRequestAgain
            or CertificateImpact.PendingWillNotMatch));
        int fixedCount = review.Manifests.Sum(m => m.Fixed.Length);
        int introduced = review.Manifests.Sum(m => m.Introduced.Length);
        return $"{Count(changed, "manifest")} changed: {Count(review.NewRequests, "new certificate request")}, "
            + $"{Count(voided, "issued or pending certificate")} voided, {Count(introduced, "finding")} introduced " +
                $"({Count(review.IntroducedErrors, "error")}), {fixedCount} fixed";
    }

    public static string ImpactText(DeviceImpact impact)
    {
        var before = impact.Device.Base;
        return impact.Impact switch
        {
            CertificateImpact.NewDevice => "new device: needs its first CSR",
            CertificateImpact.StillValid =>
                $"its certificate (serial {impact.BaseSerial}) stays valid as issued; the next request carries the new settings",
            CertificateImpact.MustRequestAgain =>
                $"its valid certificate (serial {impact.BaseSerial}, CN {before?.CommonName}) will not match: a new CSR is needed",
            CertificateImpact.PendingWillNotMatch => $"its pending CSR (CN {before?.CommonName}) will no longer match: a new CSR is needed",
            _ when impact.BaseStatus == CertificateStatus.None => "no certificate or CSR yet: a CSR was needed anyway",
            _ => $"its certificate is {impact.BaseStatus.ToString().ToLowerInvariant()}: a CSR was needed anyway",
        };
    }

    /// <summary>
    /// The editor's lens on a renamed device: what the rename does to the certificate the device holds or waits for (milder when
    /// it had none, or only an expired or revoked one).
    /// </summary>
    public static string RenameLens(DeviceImpact impact)
    {
        var (before, after) = (impact.Device.Base!, impact.Device.Head!);
        string what = impact.Impact switch
        {
            CertificateImpact.MustRequestAgain => $"its valid certificate (CN {Cn(before)}) will not match; a new CSR is needed",
            CertificateImpact.PendingWillNotMatch => $"its pending CSR (CN {Cn(before)}) will no longer match; a new CSR is needed",
            CertificateImpact.StillValid => $"its certificate (CN {Cn(before)}) stays valid as issued",
            _ when impact.BaseStatus == CertificateStatus.None => $"nothing issued yet; its first CSR will carry CN {Cn(after)}",
            _ => $"its certificate is {impact.BaseStatus.ToString().ToLowerInvariant()}; a new CSR was needed anyway",
        };
        return $"renamed from {before.Name}: {what}";
    }

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private static string Cn(ReviewDevice? d) => d?.CommonName ?? "(no CN)";

    private static string DeviceLine(ReviewDevice d)
    {
        string instance = d.Instance?.ToString(CultureInfo.InvariantCulture) ?? "-";
        string serial = d.Serial is null ? "" : " serial " + d.Serial;
        string certificate = d.Status is CertificateStatus.None ? "" : $", certificate {d.Status.ToString().ToLowerInvariant()}{serial}";
        return $"{d.Name} (CN {Cn(d)}, instance {instance}, line {d.Line}{certificate})";
    }

    private static string ZipLine(DevicePairing p) =>
        $"{p.Head!.Name}: zip {p.Base!.Zip} → " +
            $"{p.Head.Zip}{(p.Base.Batch != p.Head.Batch ? $" (batch {p.Base.Batch ?? "-"} → {p.Head.Batch ?? "-"})" : "")}";

    private static string FindingLine(ReviewFinding f) =>
        $"{f.Line}:{f.Column} {Severities.Name(f.Diagnostic.Severity)} {f.Diagnostic.Code}: {f.Diagnostic.Message}";

    private static string Change(ManifestReview m) => m.Change switch
    {
        ManifestChange.Renamed => $"renamed from {m.BasePath}",
        ManifestChange.Added => "added",
        ManifestChange.Deleted => "deleted",
        _ => "modified",
    };

    /// <summary>Every section of a manifest's review as (title, lines), in the order both text and markdown show them.</summary>
    private static IEnumerable<(string Title, List<string> Lines)> Sections(ManifestReview m)
    {
        yield return ("notes", [.. m.Notes]);
        yield return ("added", [.. m.Added.Select(p => DeviceLine(p.Head!))]);
        yield return ("removed", [.. m.Removed.Select(p => DeviceLine(p.Base!)
            + (p.Base!.Status is CertificateStatus.Valid ? ": consider revoking its certificate" : ""))]);
        yield return ("renamed", [.. m.Renamed.Select(p => $"{p.Base!.Name} → {p.Head!.Name} (CN {Cn(p.Base)} → {Cn(p.Head)})")]);
        yield return ("site settings", [.. m.Settings.Select(s => $"{s.Setting}: {s.Old ?? "(none)"} → {s.New ?? "(none)"}")]);
        yield return ("certificate impact", [.. m.Impacts.Select(i =>
            $"{i.Device.Head!.Name}: {ImpactText(i)} ({string.Join("; ", i.Reasons)})")]);
        yield return ("zip changes", [.. m.ZipMoves.Select(ZipLine)]);
        yield return ("batches over 50", [.. m.OversizedBatches.Select(b => $"{b.Batch}: {b.Devices} devices{(b.New ? " (new)" : "")}")]);
        yield return ("ledger", [.. m.LedgerEvents.Select(e => $"{e.Device}: {Event(e.Kind)}, {e.Detail}")]);
        yield return ("damaged ledger", [.. m.LedgerProblems.Select(p => $"{p.Side}: {p.Path}:{p.Line}: {p.Reason}")]);
        yield return ("introduced findings", [.. m.Introduced.Select(FindingLine)]);
        yield return ("fixed findings", [.. m.Fixed.Select(f => FindingLine(f) + " (base)")]);
        yield return ($"expiring within {m.WarningDays} days",
            [.. m.Expiring.Select(e => $"{e.Device} (CN {e.CommonName}): {LedgerFormat.Time(e.NotAfter)[..10]}, {e.DaysLeft} days left")]);
    }

    private static string Event(LedgerEventKind kind) => kind switch
    {
        LedgerEventKind.RequestMade => "CSR requested",
        LedgerEventKind.CertificateImported => "certificate imported",
        LedgerEventKind.Revoked => "certificate revoked",
        LedgerEventKind.Installed => "installed",
        LedgerEventKind.InstallFailed => "install failed",
        _ => "block removed",
    };

    public static void WriteText(SiteReview review, string range, TextWriter output)
    {
        output.WriteLine($"certlsp review {range}: {Headline(review)}");
        foreach (var m in review.Manifests)
        {
            output.WriteLine();
            output.WriteLine($"{m.Path} ({Change(m)}){(m.IsUnchanged ? ": nothing changed" : "")}");
            foreach (var (title, lines) in Sections(m))
            {
                if (lines.Count == 0) continue;
                output.WriteLine($"  {title}:");
                foreach (var line in lines) output.WriteLine($"    {line}");
            }
        }
    }

    public static void WriteMarkdown(SiteReview review, string range, TextWriter output)
    {
        output.WriteLine($"### CertLsp review {Md(range)}");
        output.WriteLine();
        output.WriteLine($"**{Md(Headline(review))}**");
        output.WriteLine();
        output.WriteLine(
            "| manifest | change | added | removed | renamed | new requests | voided | introduced (errors) | fixed | expiring |");
        output.WriteLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        // Unchanged manifests are left out (a repository may hold many), unless certificates in them expire soon.
        var shown = review.Manifests.Where(m => !m.IsUnchanged || !m.Expiring.IsEmpty).ToList();
        foreach (var m in shown)
        {
            int voided = m.Impacts.Count(i => i.Impact is CertificateImpact.MustRequestAgain or CertificateImpact.PendingWillNotMatch);
            output.WriteLine(
                $"| `{Md(m.Path)}` | {Md(Change(m))} | {m.Added.Length} | {m.Removed.Length} | {m.Renamed.Length} | {m.NewRequests} | " +
                $"{voided} | {m.Introduced.Length} ({m.IntroducedErrors}) | {m.Fixed.Length} | {m.Expiring.Length} |");
        }
        if (review.Manifests.Length > shown.Count)
        {
            output.WriteLine();
            output.WriteLine($"{Count(review.Manifests.Length - shown.Count, "other manifest")} unchanged.");
        }
        foreach (var m in shown)
        {
            output.WriteLine();
            output.WriteLine($"#### `{Md(m.Path)}`");
            output.WriteLine();
            if (m.Impacts.IsEmpty)
            {
                output.WriteLine("No certificate is affected.");
            }
            else
            {
                output.WriteLine("| device | CN before | CN after | certificate |");
                output.WriteLine("|---|---|---|---|");
                foreach (var i in m.Impacts.Take(MarkdownRows))
                {
                    output.WriteLine(
                        $"| {Md(i.Device.Head!.Name)} | {Md(i.Device.Base?.CommonName ?? "-")} | {Md(i.Device.Head.CommonName ?? "-")} | " +
                        $"{Md(ImpactText(i))} |");
                }
                if (m.Impacts.Length > MarkdownRows) output.WriteLine($"| … {m.Impacts.Length - MarkdownRows} more | | | |");
            }
            output.WriteLine();
            output.WriteLine("<details><summary>Details</summary>");
            output.WriteLine();
            foreach (var (title, lines) in Sections(m))
            {
                if (lines.Count == 0) continue;
                output.WriteLine($"**{Md(title)}**");
                output.WriteLine();
                foreach (var line in lines.Take(MarkdownRows)) output.WriteLine($"- {Md(line)}");
                if (lines.Count > MarkdownRows) output.WriteLine($"- … {lines.Count - MarkdownRows} more (see `--format json`)");
                output.WriteLine();
            }
            output.WriteLine("</details>");
        }
    }

    /// <summary>Text safe inside a markdown table cell or list item: no table breaks, no HTML, no emphasis.</summary>
    private static string Md(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case '|' or '\\' or '*' or '_' or '`' or '[' or ']': sb.Append('\\').Append(c); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '\r' or '\n': sb.Append(' '); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
