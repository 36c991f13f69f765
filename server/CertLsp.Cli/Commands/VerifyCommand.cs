using System.CommandLine;
using System.Text.Json;
using CertLsp.Cli.Output;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Devices;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp verify &lt;manifest&gt; [--format text|json] [--timeout SECONDS]</c>: connect to the site's BACnet/SC hub as the
/// commissioning tool and check every device (<see cref="SiteVerificationRun"/>): joined, identity, hub status, certificate against the
/// ledger, and for local keys a handshake with the device's own key. The ledger records the result. Exit 0 only when every device
/// joined with its recorded certificate, 1 otherwise, 2 when it could not run.
/// </summary>
public static class VerifyCommand
{
    /// <param name="connect">How the tool joins the hub (tests); null: as the manifest names it (<see cref="SiteVerificationRun.AsTool"/>).
    /// </param>
    public static Command Create(TextWriter stdout, TextWriter stderr, ToolConnect? connect = null)
    {
        var manifest = new Argument<string>("manifest") { Description = "The site manifest (*.site.yaml)" };
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: text or json", DefaultValueFactory = _ =>
            "text"
        };
        format.AcceptOnlyFromAmong("text", "json");
        var timeout = DeviceConnection.TimeoutOption();
        timeout.Description = $"Seconds to wait for I-Am answers through the hub, and that a device may take to answer each read " +
            $"(retries included); default {DeviceTimeout.DefaultSeconds:0}";
        var command = new Command("verify",
            "Check over BACnet/SC that every device joined the hub with the certificate the ledger recorded")
        {
            manifest, format, timeout,
        };
        command.SetAction((r, ct) => RunAsync(r.GetValue(manifest)!, r.GetValue(format)!, r.GetValue(timeout), connect, stdout, stderr,
            ct));
        return command;
    }

    public static async Task<int> RunAsync(string manifestPath, string format, double timeout, ToolConnect? connect, TextWriter stdout,
        TextWriter stderr, CancellationToken cancellationToken)
    {
        if (DeviceTimeout.Check(timeout) is { } badTimeout) return Fail(stderr, badTimeout);
        if (CommandSupport.ReadManifest(manifestPath, stderr) is not var (path, text)) return Program.CouldNotRun;
        if (ManifestDocument.Parse(path, text).Manifest is not { } manifest)
            return Fail(stderr, $"{manifestPath}: the manifest cannot be read (run certlsp check)");
        SiteVerificationOutcome outcome;
        string? passphrase = KeyStore.PassphraseFromEnvironment();
        try
        {
            outcome = await SiteVerificationRun.RunAsync(path, manifest, timeout, passphrase,
                connect ?? SiteVerificationRun.AsTool(path, manifest, passphrase, timeout), null, cancellationToken).ConfigureAwait(false);
        }
        catch (LedgerFormatException ex)
        {
            return CommandSupport.LedgerProblem(ex, stderr);
        }
        catch (SiteVerificationException ex)
        {
            return Fail(stderr, ex.Message);
        }
        if (format == "json") WriteJson(stdout, path, outcome);
        else WriteText(stdout, outcome);
        if (outcome.LedgerProblem is { } problem) stderr.WriteLine($"certlsp: {problem}");
        return outcome.AllJoined ? Program.Ok : Program.Findings;
    }

    private static string YesNo(bool? value, string yes, string no) => value switch { true => yes, false => no, null => "-" };

    private static void WriteText(TextWriter stdout, SiteVerificationOutcome outcome)
    {
        string[] header = ["DEVICE", "JOINED", "IDENTITY", "HUB STATUS", "CERTIFICATE", "RESULT"];
        var cells = outcome.Reports.Select(r => (string[])
        [
            r.Device, r.Joined ? "yes" : "no", YesNo(r.IdentityMatches, "matches", "differs"), r.HubStatus,
            YesNo(r.CertificateMatches, "matches ledger", "differs from ledger"),
            $"{DeviceVerification.Name(r.Result)}: {r.Reason}" + (r.Handshake is { } h && h != r.Reason ? $" ({h})" : ""),
        ]).ToList();
        CommandSupport.WriteTable(header, cells, stdout);
        int joined = outcome.Reports.Count(r => r.Result == VerificationResult.Joined);
        stdout.WriteLine();
        stdout.WriteLine($"{joined} of {outcome.Reports.Count} device(s) joined the hub with their recorded certificate.");
    }

    private static void WriteJson(TextWriter stdout, string manifestPath, SiteVerificationOutcome outcome)
    {
        IndentedJson.WriteLine(stdout, json =>
        {
            json.WriteStartObject();
            json.WriteString("manifest", manifestPath);
            json.WriteBoolean("allJoined", outcome.AllJoined);
            json.WriteBoolean("ledgerUpdated", outcome.LedgerProblem is null);
            json.WriteStartArray("devices");
            foreach (var r in outcome.Reports)
            {
                json.WriteStartObject();
                json.WriteString("device", r.Device);
                if (r.Instance is { } instance) json.WriteNumber("instance", instance); else json.WriteNull("instance");
                json.WriteBoolean("joined", r.Joined);
                Nullable(json, "identityMatches", r.IdentityMatches);
                json.WriteString("hubStatus", r.HubStatus);
                Nullable(json, "certificateMatches", r.CertificateMatches);
                Nullable(json, "reportedFingerprint", r.ReportedFingerprint);
                Nullable(json, "handshake", r.Handshake);
                json.WriteString("result", DeviceVerification.Name(r.Result));
                json.WriteString("reason", r.Reason);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void Nullable(Utf8JsonWriter json, string name, bool? value)
    {
        if (value is { } v) json.WriteBoolean(name, v); else json.WriteNull(name);
    }

    private static void Nullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name); else json.WriteString(name, value);
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"certlsp: {message}");
        return Program.CouldNotRun;
    }
}
