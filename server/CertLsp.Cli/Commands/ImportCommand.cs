using System.CommandLine;
using CertLsp.Cli.Output;
using CertLsp.Core.Certificates;
using CertLsp.Core.Ledger;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp import &lt;manifest&gt; &lt;zip or folder&gt; [--issuer PEM...] [--crl FILE...] [--out DIR]</c>: verifies what the CA signed and
/// records what passes. Exit 0 when every certificate passed, 1 when some were rejected, 2 when the archive was refused.
/// </summary>
public static class ImportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var manifest = new Argument<string>("manifest") { Description = "The site manifest (*.site.yaml)" };
        var source = new Argument<string>("source") { Description = "The CA's zip of signed certificates, or a folder" };
        var issuers = new Option<string[]>("--issuer") { Description = "Issuer (CA) certificate files, besides the manifest's ca.issuers", AllowMultipleArgumentsPerToken = true };
        var crls = new Option<string[]>("--crl") { Description = "Certificate revocation lists to check against", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "Folder for the bundles (default: certificates/<manifest>/ beside the manifest)" };
        var command = new Command("import", "Verify signed certificates from the CA and record those that pass in the ledger") { manifest, source, issuers, crls, output };
        command.SetAction(r => Run(r.GetValue(manifest)!, r.GetValue(source)!, new ImportOptions
        {
            Issuers = [.. (r.GetValue(issuers) ?? []).Select(Path.GetFullPath)],
            RevocationLists = [.. (r.GetValue(crls) ?? []).Select(Path.GetFullPath)],
            BundleFolder = r.GetValue(output) is { } o ? Path.GetFullPath(o) : null,
            Passphrase = CommandSupport.Passphrase(),
        }, stdout, stderr));
        return command;
    }

    public static int Run(string manifestPath, string source, ImportOptions options, TextWriter stdout, TextWriter stderr)
    {
        if (CommandSupport.ReadManifest(manifestPath, stderr) is not var (path, text)) return Program.CouldNotRun;
        foreach (var file in options.Issuers.Concat(options.RevocationLists))
        {
            if (!File.Exists(file))
            {
                stderr.WriteLine($"certlsp: {file}: no such file");
                return Program.CouldNotRun;
            }
        }
        ImportResult result;
        try
        {
            result = CertificateImporter.Run(path, text, source, options);
        }
        catch (LedgerFormatException ex)
        {
            return CommandSupport.LedgerProblem(ex, stderr);
        }
        foreach (var warning in result.Warnings) stderr.WriteLine($"certlsp: warning: {warning}");
        if (result.State == ImportState.Refused)
        {
            stderr.WriteLine($"certlsp: {result.Refusal}");
            return Program.CouldNotRun;
        }
        foreach (var file in result.Files) stdout.WriteLine($"  {Label(file.Verdict),-16} {file.Name}{(file.Device is null ? "" : $" ({file.Device})")}: {file.Reason}");
        foreach (var device in result.NewlyRevoked) stdout.WriteLine($"  revoked          {device}: its certificate is on the CRL; recorded as revoked");
        stdout.WriteLine($"Summary: {result.Count(FileVerdict.Accepted)} accepted, {result.Count(FileVerdict.AlreadyImported)} already imported, {result.Count(FileVerdict.Rejected)} rejected, {result.Count(FileVerdict.Skipped) + result.Count(FileVerdict.Issuer)} other files.");
        stdout.WriteLine(result.LedgerChanged ? $"Ledger updated: {DisplayPath.For(result.LedgerPath)}." : "Ledger unchanged.");
        return result.Count(FileVerdict.Rejected) > 0 ? Program.Findings : Program.Ok;
    }

    private static string Label(FileVerdict verdict) => verdict switch
    {
        FileVerdict.Accepted => "accepted",
        FileVerdict.AlreadyImported => "already imported",
        FileVerdict.Rejected => "REJECTED",
        FileVerdict.Issuer => "issuer",
        _ => "skipped",
    };
}
