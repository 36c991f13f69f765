using System.Text.Json;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Ledger;
using CertLsp.Core.Review;

namespace CertLsp.Cli.Output;

/// <summary>The review of a change for tools (json; schema in docs/review.md); text and markdown are <see cref="ReviewText"/>'s.</summary>
public static class ReviewReport
{
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
