using System.CommandLine;
using CertLsp.Cli.Output;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Requests;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp status &lt;manifest&gt; [--format text|json]</c>: every device's certificate status, most urgent first, then the
/// commissioning tool's (“bacnet.secureConnect.tool”: “tool NAME” in text, <c>"tool": true</c> in json); in text, then the zips that
/// still await the CA's answer, with their devices.
/// </summary>
public static class StatusCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var manifest = new Argument<string>("manifest") { Description = "The site manifest (*.site.yaml)" };
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: text or json", DefaultValueFactory = _ =>
            "text"
        };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("status", "Show each device's certificate status, most urgent first") { manifest, format };
        command.SetAction(r => Run(r.GetValue(manifest)!, r.GetValue(format)!, TimeProvider.System.GetUtcNow(), stdout, stderr));
        return command;
    }

    public static int Run(string manifestPath, string format, DateTimeOffset now, TextWriter stdout, TextWriter stderr)
    {
        if (CommandSupport.ReadManifest(manifestPath, stderr) is not var (path, text)) return Program.CouldNotRun;
        SiteLedger ledger;
        try
        {
            ledger = LedgerFile.Load(LedgerFile.PathFor(path));
        }
        catch (LedgerFormatException ex)
        {
            return CommandSupport.LedgerProblem(ex, stderr);
        }
        if (ManifestDocument.Parse(path, text).Manifest is not { } manifest)
        {
            stderr.WriteLine($"certlsp: {manifestPath}: the manifest cannot be read (run certlsp check)");
            return Program.CouldNotRun;
        }
        // The devices, then the commissioning tool's own certificate when the manifest names one.
        var rows = StatusReport.For(manifest, ledger, now).ToList();
        if (StatusReport.ForTool(manifest, ledger, now) is { } tool) rows.Add(tool);
        if (format == "json")
        {
            WriteJson(rows, ledger, stdout);
        }
        else
        {
            WriteTable(rows, ledger, stdout);
            // The zips still waiting for the CA: runs since the ledger's run-open marker were interrupted.
            string site = manifest.Site?.Value ?? Workflows.Certificates.KeyStore.ManifestStem(path);
            var interrupted = ledger.Entries.Values.Concat(ledger.Tools.Values).Select(e => e.Pending is { } p
                ? CsrZip.TimestampOf(p.Zip, site)
                : null).OfType<string>()
                .Where(t => ledger.RunOpen is { } open && string.CompareOrdinal(t, open) >= 0).ToHashSet(StringComparer.Ordinal);
            CommandSupport.WriteAwaitingZips(CsrZip.Pending(ledger, Path.GetDirectoryName(path)!, new HashSet<string>(), interrupted),
                stdout);
        }
        return Program.Ok;
    }

    private static void WriteTable(IReadOnlyList<DeviceStatus> rows, SiteLedger ledger, TextWriter stdout)
    {
        // The last verification over BACnet/SC (certlsp verify): the column appears once one is recorded.
        bool verified = rows.Any(r => ledger.Find(r.Device)?.Verification is not null);
        // Device-held keys: whether each issued certificate is on its device (the column appears once one is issued).
        bool installs = rows.Any(r => r.Install is not null);
        string[] header = ["DEVICE", "CN", "STATUS", "NOT AFTER", "DAYS LEFT", "PENDING SINCE",
            .. (installs ? ["INSTALL"] : Array.Empty<string>()), .. (verified ? ["BACNET/SC"] : Array.Empty<string>())];
        var cells = rows.Select(r => (string[])
        [
            r.Tool ? $"tool {r.Device}" : r.Device, r.CommonName, r.Status.ToString().ToLowerInvariant()
                + (r.ExpiresSoon ? " (expires soon)" : "")
                + (r.CrlExpired is { } stale ? $" (not proven unrevoked: CRL expired {CommandSupport.Date(stale)})" : ""),
            CommandSupport.Date(r.NotAfter), r.DaysLeft?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                CommandSupport.Date(r.PendingSince),
            .. (installs ? [InstallText(r)] : Array.Empty<string>()),
            .. (verified ? [ledger.Find(r.Device)?.Verification?.Describe() ?? "-"] : Array.Empty<string>()),
        ]).ToList();
        CommandSupport.WriteTable(header, cells, stdout);
    }

    private static string InstallText(DeviceStatus row) => row.Install switch
    {
        null => "-",
        InstallState.Installed => "installed",
        InstallState.Pending => "pending",
        _ => $"FAILED: {row.InstallError}",
    };

    private static void WriteJson(IReadOnlyList<DeviceStatus> rows, SiteLedger ledger, TextWriter stdout)
    {
        IndentedJson.WriteLine(stdout, json =>
        {
            json.WriteStartArray();
            foreach (var r in rows)
            {
                json.WriteStartObject();
                json.WriteString("device", r.Device);
                if (r.Tool) json.WriteBoolean("tool", true);
                json.WriteString("commonName", r.CommonName);
                json.WriteString("status", r.Status.ToString().ToLowerInvariant());
                json.WriteBoolean("expiresSoon", r.ExpiresSoon);
                if (r.NotAfter is { } n) json.WriteString("notAfter", LedgerFormat.Time(n)); else json.WriteNull("notAfter");
                if (r.DaysLeft is { } d) json.WriteNumber("daysLeft", d); else json.WriteNull("daysLeft");
                if (r.PendingSince is { } p) json.WriteString("pendingSince", LedgerFormat.Time(p)); else json.WriteNull("pendingSince");
                if (r.Install is { } install) json.WriteString("install", install.ToString().ToLowerInvariant());
                else json.WriteNull(
                    "install");
                if (r.InstallError is { } error) json.WriteString("installError", error); else json.WriteNull("installError");
                if (r.CrlExpired is { } stale) json.WriteString("crlExpired", LedgerFormat.Time(stale)); else json.WriteNull("crlExpired");
                WriteVerification(json, ledger.Find(r.Device)?.Verification);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }

    /// <summary>"verification": the last verification over BACnet/SC ({result, at, reason}), or null when none was recorded.</summary>
    private static void WriteVerification(System.Text.Json.Utf8JsonWriter json, DeviceVerification? verification)
    {
        if (verification is null) { json.WriteNull("verification"); return; }
        json.WriteStartObject("verification");
        json.WriteString("result", DeviceVerification.Name(verification.Result));
        json.WriteString("at", LedgerFormat.Time(verification.At));
        json.WriteString("reason", verification.Reason);
        json.WriteEndObject();
    }
}
