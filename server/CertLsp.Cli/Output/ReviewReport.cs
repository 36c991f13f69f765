using System.Globalization;
using System.Text;
using System.Text.Json;
using CertLsp.Core.Ledger;
using CertLsp.Core.Review;

namespace CertLsp.Cli.Output;

/// <summary>The review of a change for a terminal (text), a pull-request comment or CI job summary (markdown), or tools (json; schema in
/// docs/review.md).</summary>
public static class ReviewReport
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

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private static string Cn(ReviewDevice? d) => d?.CommonName ?? "(no CN)";

    private static string DeviceLine(ReviewDevice d) =>
        $"{d.Name} (CN {Cn(d)}, instance {d.Instance?.ToString(CultureInfo.InvariantCulture) ?? "-"}, line {d.Line}" +
            $"{(d.Status is CertificateStatus.None ? "" : $", certificate {d.Status.ToString().ToLowerInvariant()}" +
            $"{(d.Serial is null ? "" : " serial " + d.Serial)}")})";

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

    public static void WriteJson(SiteReview review, string? baseName, string headName, TextWriter output)
    {
        IndentedJson.WriteLine(output, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteString("base", baseName);
            json.WriteString("head", headName);
            json.WriteString("now", LedgerFormat.Time(review.Now));
            json.WriteStartObject("summary");
            json.WriteNumber("manifests", review.Manifests.Length);
            json.WriteNumber("newRequests", review.NewRequests);
            json.WriteNumber("introducedErrors", review.IntroducedErrors);
            json.WriteBoolean("certificateImpact", review.HasCertificateImpact);
            json.WriteEndObject();
            json.WriteStartArray("manifests");
            foreach (var m in review.Manifests) WriteManifest(json, m);
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static string Camel(Enum value) => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static void WriteManifest(Utf8JsonWriter json, ManifestReview m)
    {
        json.WriteStartObject();
        json.WriteString("path", m.Path);
        json.WriteString("basePath", m.BasePath);
        json.WriteString("change", Camel(m.Change));
        json.WriteNumber("warningDays", m.WarningDays);
        json.WriteNumber("newRequests", m.NewRequests);
        Strings(json, "notes", m.Notes);
        Devices(json, "added", m.Added.Select(p => p.Head!));
        Devices(json, "removed", m.Removed.Select(p => p.Base!));
        Pairs(json, "renamed", m.Renamed);
        Objects(json, "settings", m.Settings, s =>
        {
            json.WriteString("setting", s.Setting);
            json.WriteString("old", s.Old);
            json.WriteString("new", s.New);
        });
        Objects(json, "impacts", m.Impacts, i =>
        {
            json.WriteString("device", i.Device.Head!.Name);
            json.WriteString("baseDevice", i.Device.Base?.Name);
            json.WriteString("commonName", i.Device.Head.CommonName);
            json.WriteString("baseCommonName", i.Device.Base?.CommonName);
            json.WriteString("impact", Camel(i.Impact));
            json.WriteBoolean("newRequest", i.NewRequest);
            json.WriteString("baseStatus", Camel(i.BaseStatus));
            json.WriteString("baseSerial", i.BaseSerial);
            Strings(json, "reasons", i.Reasons);
        });
        Pairs(json, "zipMoves", m.ZipMoves);
        Objects(json, "oversizedBatches", m.OversizedBatches, b =>
        {
            json.WriteString("batch", b.Batch);
            json.WriteNumber("devices", b.Devices);
            json.WriteBoolean("new", b.New);
        });
        Objects(json, "ledger", m.LedgerEvents, e =>
        {
            json.WriteString("device", e.Device);
            json.WriteString("event", Camel(e.Kind));
            json.WriteString("commonName", e.CommonName);
            json.WriteString("detail", e.Detail);
        });
        Objects(json, "ledgerProblems", m.LedgerProblems, p =>
        {
            json.WriteString("side", p.Side);
            json.WriteString("path", p.Path);
            json.WriteNumber("line", p.Line);
            json.WriteString("reason", p.Reason);
        });
        Findings(json, "introduced", m.Introduced);
        Findings(json, "fixed", m.Fixed);
        Objects(json, "expiring", m.Expiring, e =>
        {
            json.WriteString("device", e.Device);
            json.WriteString("commonName", e.CommonName);
            json.WriteString("notAfter", LedgerFormat.Time(e.NotAfter));
            json.WriteNumber("daysLeft", e.DaysLeft);
        });
        json.WriteEndObject();
    }

    /// <summary>An array of objects, each written by <paramref name="write"/>.</summary>
    private static void Objects<T>(Utf8JsonWriter json, string name, IEnumerable<T> items, Action<T> write)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStartObject();
            write(item);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteStringValue(v);
        json.WriteEndArray();
    }

    private static void Devices(Utf8JsonWriter json, string name, IEnumerable<ReviewDevice> devices) =>
        Objects(json, name, devices, d => DeviceFields(json, d));

    private static void Pairs(Utf8JsonWriter json, string name, IEnumerable<DevicePairing> pairs) => Objects(json, name, pairs, p =>
    {
        Device(json, "base", p.Base!);
        Device(json, "head", p.Head!);
    });

    private static void Device(Utf8JsonWriter json, string property, ReviewDevice d)
    {
        json.WriteStartObject(property);
        DeviceFields(json, d);
        json.WriteEndObject();
    }

    private static void DeviceFields(Utf8JsonWriter json, ReviewDevice d)
    {
        json.WriteString("name", d.Name);
        json.WriteString("commonName", d.CommonName);
        if (d.Instance is { } instance) json.WriteNumber("instance", instance);
        else json.WriteNull("instance");
        json.WriteString("address", d.Address);
        json.WriteString("batch", d.Batch);
        json.WriteNumber("zip", d.Zip);
        json.WriteNumber("line", d.Line);
        json.WriteString("status", Camel(d.Status));
        json.WriteString("serial", d.Serial);
    }

    private static void Findings(Utf8JsonWriter json, string name, IEnumerable<ReviewFinding> findings) =>
        Objects(json, name, findings, f =>
    {
        json.WriteString("code", f.Diagnostic.Code);
        json.WriteString("severity", Severities.Name(f.Diagnostic.Severity));
        json.WriteString("message", f.Diagnostic.Message);
        json.WriteNumber("line", f.Line);
        json.WriteNumber("column", f.Column);
        json.WriteString("device", f.Device);
    });
}
