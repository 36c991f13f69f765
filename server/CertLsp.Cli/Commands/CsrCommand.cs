using System.CommandLine;
using CertLsp.Cli.Output;
using CertLsp.Core.Checking;
using CertLsp.Core.Ledger;
using CertLsp.Devices;
using CertLsp.Workflows.Certificates;
using CertLsp.Workflows.Requests;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp csr &lt;manifest&gt; [--devices a,b | --device NAME... | --batch NAME] [--renew] [--keep-pending | --overwrite-pending]
/// [--out DIR] [--format flat|cari] [--bind ADDR] [--datalink bip|sc] [--timeout SECONDS]</c>:
/// key pairs and CSR zips for devices with local keys; for device-held keys (key.source: device) each device's CSR read over
/// BACnet/IP from the local address <c>--bind</c> (never defaulted), or over BACnet/SC through the site's hub as the tool
/// (<c>--datalink sc</c> or <c>tool.datalink: sc</c>). Devices with a valid certificate outside its warning window are
/// requested only with <c>--renew</c> or when named. Every run ends with the zips that still await the CA, with their devices. Exit 0 when
/// every device was requested (or kept), 1 when pending CSRs need a
/// choice or devices failed, 2 when nothing could be done.
/// </summary>
public static class CsrCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var manifest = new Argument<string>("manifest") { Description = "The site manifest (*.site.yaml)" };
        var devices = new Option<string?>("--devices")
        {
            Description =
            "Only these devices (comma-separated names); named devices are requested even with a valid certificate"
        };
        var device = new Option<string[]>("--device")
        {
            Description =
            "Only this device (repeatable); requested even with a valid certificate", Arity = ArgumentArity.ZeroOrMore
        };
        var renew = new Option<bool>("--renew")
        {
            Description =
            "Also request devices whose certificate is valid and not yet in its warning window (each request costs money)"
        };
        var batch = new Option<string?>("--batch") { Description = "Only the devices of this named batch" };
        var keep = new Option<bool>("--keep-pending") { Description = "Leave devices with a pending CSR out (no action taken)" };
        var overwrite = new Option<bool>("--overwrite-pending")
        {
            Description =
            "Request anew for devices with a pending CSR; their pending requests become void"
        };
        var output = new Option<string?>("--out") { Description = "Folder for the zips (default: the manifest's folder)" };
        var format = new Option<string>("--format")
        {
            Description =
            "Zip layout: flat (one <CN>.pem per device) or cari (BACnet CA exchange, Annex AA)", DefaultValueFactory = _ => "flat"
        };
        format.AcceptOnlyFromAmong("flat", "cari");
        var bind = DeviceConnection.BindOption();
        var datalink = DeviceConnection.DatalinkOption();
        var timeout = DeviceConnection.TimeoutOption();
        var command = new Command("csr",
            "CSR zips (at most 50 devices each): key pairs made here for local keys, CSRs read from the devices over BACnet for " +
            "key.source: device")
        {
            manifest, devices, device, batch, renew, keep, overwrite, output, format, bind, datalink, timeout,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(keep) && r.GetValue(overwrite)) r.AddError("--keep-pending and --overwrite-pending exclude each other");
        });
        command.SetAction((r, cancellationToken) => RunAsync(r.GetValue(manifest)!, new CsrRequestOptions
        {
            Devices = Named(r.GetValue(devices), r.GetValue(device)),
            Renew = r.GetValue(renew),
            Batch = r.GetValue(batch),
            Pending = r.GetValue(keep) ? PendingPolicy.Keep : r.GetValue(overwrite) ? PendingPolicy.Overwrite : PendingPolicy.Stop,
            OutputFolder = r.GetValue(output),
            Layout = r.GetValue(format) == "cari" ? ZipLayout.Cari : ZipLayout.Flat,
            Passphrase = KeyStore.PassphraseFromEnvironment(),
        }, r.GetValue(bind), stdout, stderr, r.GetValue(timeout), cancellationToken, r.GetValue(datalink)));
        return command;
    }

    /// <summary>The devices named by --devices (comma-separated) and --device (repeatable), or null when none is named.</summary>
    private static string[]? Named(string? list, string[]? single)
    {
        var names = (list?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [])
            .Concat(single?.Select(n => n.Trim()).Where(n => n.Length > 0) ?? []).Distinct(StringComparer.Ordinal).ToArray();
        return names.Length == 0 ? null : names;
    }

    /// <param name="datalink">--datalink: bip, sc, or null for the manifest's choice (<see cref="DeviceConnection.OverSc"/>).</param>
    public static async Task<int> RunAsync(string manifestPath, CsrRequestOptions options, string? bind, TextWriter stdout,
        TextWriter stderr,
        double timeout = DeviceTimeout.DefaultSeconds, CancellationToken cancellationToken = default, string? datalink = null)
    {
        if (CommandSupport.ReadManifest(manifestPath, stderr) is not var (path, text)) return Program.CouldNotRun;
        var manifest = ManifestDocument.Parse(path, text).Manifest;
        var bacnet = manifest is { Key.DeviceHeld: true } ? manifest.Bacnet : null;
        if (bacnet is null) return await RequestAsync(path, text, options, stdout, stderr, cancellationToken).ConfigureAwait(false);
        if (DeviceConnection.OverSc(datalink, manifest!))
        {
            // Over SC the devices' CSRs are read through the hub; a tool that cannot join yet still gets its own CSR made.
            return await DeviceConnection.RunScAsync(path, timeout, manifest!.Devices.Length, stderr,
                (client, directory) => RequestAsync(path, text, options with
                {
                    DeviceSource = new BacnetCsrSource(client, bacnet.PortNumber, (uint)bacnet.GenerateCsrCommandValue, directory),
                }, stdout, stderr, cancellationToken),
                why => RequestAsync(path, text, options with { DeviceSource = new UnreachableCsrSource(why) }, stdout, stderr,
                    cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        if (bind is null)
        {
            stderr.WriteLine(
                "certlsp: the devices hold their keys (key.source: device): name the local address to ask them from with --bind (it is " +
                "never defaulted)");
            return Program.CouldNotRun;
        }
        return await DeviceConnection.RunAsync(bind, timeout, stderr, client =>
            RequestAsync(path, text, options with
            {
                DeviceSource =
                new BacnetCsrSource(client, bacnet.PortNumber, (uint)bacnet.GenerateCsrCommandValue)
            }, stdout, stderr,
                cancellationToken)).ConfigureAwait(false);
    }

    private static async Task<int> RequestAsync(string path, string text, CsrRequestOptions options, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        CsrRunResult result;
        try
        {
            result = await CsrRequester.RunAsync(path, text, options, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (LedgerFormatException ex)
        {
            return CommandSupport.LedgerProblem(ex, stderr);
        }

        var r = result.Recovery;
        if (r.Interrupted) stdout.WriteLine(
            $"Recovered from an interrupted run: {r.AdoptedZips.Length} zip(s) recorded in the ledger, {r.TempFilesRemoved} temporary " +
            $"file(s) removed.");
        if (r.KeysRestored > 0) stdout.WriteLine($"Moved {r.KeysRestored} key(s) the ledger names back from the quarantine folder.");
        if (r.SupersededKeysRemoved > 0) stdout.WriteLine(
            $"Removed {r.SupersededKeysRemoved} key(s) replaced by a renewal (a certificate for the device's newer key is imported).");
        if (!r.Quarantined.IsEmpty)
        {
            stdout.WriteLine(
                $"Quarantined {r.Quarantined.Length} key(s) that no ledger entry names: moved to {DisplayPath.For(r.QuarantineFolder!)}, " +
                $"not deleted (the CA may still sign their CSRs; if the ledger lost a block, restore it from version control and run " +
                $"again: the keys it names come back).");
            foreach (var key in r.Quarantined) stdout.WriteLine($"  {key}");
        }
        switch (result.State)
        {
            case CsrRunState.Refused:
                stderr.WriteLine($"certlsp: no CSRs made: {result.Refusal}");
                return Program.CouldNotRun;
            case CsrRunState.PendingConflict:
                stderr.WriteLine(
                    $"certlsp: {result.Pending.Length} device{(result.Pending.Length == 1 ? " has" : "s have")} a pending CSR; a new " +
                    $"request would void it. Nothing was requested.");
                foreach (var p in result.Pending) stderr.WriteLine($"  {Name(p),-24} {p.Detail}");
                stderr.WriteLine(
                    "Run again with --keep-pending (leave them out: no action taken) or --overwrite-pending (request anew; the pending " +
                    "requests become void).");
                CommandSupport.WriteAwaitingZips(result.AwaitingZips, stdout);
                return Program.Findings;
        }

        foreach (var zip in result.Zips)
        {
            string note = zip.Recovered ? " (recovered)" : zip.Requested == 0 ? " (not written: no device succeeded)" : "";
            stdout.WriteLine($"{DisplayPath.For(zip.Path)}: {zip.Requested} requested, {zip.Failed} failed{note}");
            foreach (var d in result.Devices.Where(d => d.Zip == zip.FileName
                && d.Outcome != DeviceOutcome.NoActionTaken)) stdout.WriteLine(
                $"  {Label(d.Outcome),-10} {Name(d),-24} {d.CommonName}  {d.Detail}");
        }
        var outside = result.Devices.Where(d => d.Outcome is DeviceOutcome.NoActionTaken or DeviceOutcome.NotDue || d.Zip is null).ToList();
        if (outside.Count > 0)
        {
            stdout.WriteLine("Not in a zip:");
            foreach (var d in outside) stdout.WriteLine($"  {Label(d.Outcome),-10} {Name(d),-24} {d.CommonName}  {d.Detail}");
        }
        CommandSupport.WriteAwaitingZips(result.AwaitingZips, stdout);
        string notDue = result.NotDue > 0 ? $", {result.NotDue} not requested (valid certificate; --renew to renew)" : "";
        stdout.WriteLine($"Summary: {result.Requested} requested, {result.NoActionTaken} no action taken, {result.Failed} failed{notDue}.");
        string keyFolder =
            $"{DisplayPath.For(result.KeyFolder)} (owner-only, git-ignored{(options.Passphrase is null ? "" : ", encrypted")})";
        bool toolKeyWritten = result.Devices.Any(d => d.Tool && d.Outcome is DeviceOutcome.Requested or DeviceOutcome.Recovered);
        string keys = options.DeviceSource is null ? keyFolder
            : toolKeyWritten ? $"held by the devices; the tool's own key in {keyFolder}"
            : "held by the devices (none written here)";
        stdout.WriteLine($"Keys: {keys}. Ledger: {DisplayPath.For(result.LedgerPath)}.");
        return result.Failed > 0 ? Program.Findings : Program.Ok;
    }

    /// <summary>A device's name, or “tool NAME” for the commissioning tool's own certificate.</summary>
    private static string Name(DeviceResult result) => result.Tool ? $"tool {result.Device}" : result.Device;

    private static string Label(DeviceOutcome outcome) => outcome switch
    {
        DeviceOutcome.Requested => "requested",
        DeviceOutcome.Recovered => "recovered",
        DeviceOutcome.NoActionTaken => "no action",
        DeviceOutcome.NotDue => "valid",
        _ => "failed",
    };
}
