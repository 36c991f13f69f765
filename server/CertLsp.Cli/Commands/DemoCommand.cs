using System.CommandLine;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp demo</c>: the main job on the bundled example site. Checks every manifest in examples/, then, on a copy of
/// examples/riverside-campus in a temporary folder (nothing lands in the repository): CSRs with local keys, a throwaway demo
/// CA signing them, the import, and the status table. The BACnet steps join as they land.
/// </summary>
public static class DemoCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var folder = new Option<string?>("--examples") { Description = "The examples folder (default: examples/ beside the tool's repository)" };
        var command = new Command("demo", "Run the whole job on the bundled example site") { folder };
        command.SetAction(result => Run(result.GetValue(folder), stdout, stderr));
        return command;
    }

    public static int Run(string? examples, TextWriter stdout, TextWriter stderr)
    {
        examples ??= FindExamples();
        if (examples is null)
        {
            stderr.WriteLine("certlsp: cannot find the examples folder; pass --examples DIR");
            return Program.CouldNotRun;
        }
        foreach (var site in Directory.GetDirectories(examples).Order(StringComparer.Ordinal))
        {
            stdout.WriteLine($"== certlsp check {Output.DisplayPath.For(site)}");
            CheckCommand.Run([site], "text", stdout, stderr);
            stdout.WriteLine();
        }
        stdout.WriteLine("The demo checked every example site. Sites with findings show what CertLsp catches before a CA sees it.");
        stdout.WriteLine();
        return RequestSignImport(Path.Combine(examples, "riverside-campus"), stdout, stderr);
    }

    /// <summary>The CSR, signing, import and status steps on a temporary copy of a clean example site.</summary>
    private static int RequestSignImport(string example, TextWriter stdout, TextWriter stderr)
    {
        var manifests = Directory.Exists(example) ? Directory.GetFiles(example, "*.site.yaml") : [];
        if (manifests.Length != 1)
        {
            stderr.WriteLine($"certlsp: the demo needs one manifest in {example}");
            return Program.CouldNotRun;
        }
        string work = Path.Combine(Path.GetTempPath(), "certlsp-demo-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            CopyFolder(example, work);
            string manifest = Path.Combine(work, Path.GetFileName(manifests[0]));
            stdout.WriteLine($"== a copy of {Path.GetFileName(example)} in {work} (removed at the end)");
            stdout.WriteLine();

            stdout.WriteLine("== certlsp csr (local keys: each device's key pair and CSR made here; keys stay in an owner-only folder)");
            var options = new Core.Requests.CsrRequestOptions { Passphrase = CommandSupport.Passphrase() };
            int csr = CsrCommand.Run(manifest, options, bind: null, stdout, stderr);
            if (csr != Program.Ok) return csr;
            stdout.WriteLine();

            using var ca = new DemoAuthority();
            string issuer = Path.Combine(work, "ca", "site-issuer.pem");
            Directory.CreateDirectory(Path.GetDirectoryName(issuer)!);
            File.WriteAllText(issuer, ca.Pem);
            string answer = Path.Combine(work, "signed-by-demo-ca.zip");
            int signed = ca.SignZips(Directory.GetFiles(work, Core.Requests.CsrZip.Prefix + "*.zip").Order(StringComparer.Ordinal), answer, 20);
            stdout.WriteLine($"== a throwaway demo CA (made in memory) signed {signed} CSRs into {Path.GetFileName(answer)}; its certificate is ca/site-issuer.pem, as the manifest's ca.issuers says");
            stdout.WriteLine();

            stdout.WriteLine($"== certlsp import {Path.GetFileName(manifest)} {Path.GetFileName(answer)}");
            int import = ImportCommand.Run(manifest, answer, new Core.Certificates.ImportOptions { Passphrase = CommandSupport.Passphrase() }, stdout, stderr);
            if (import != Program.Ok) return import;
            stdout.WriteLine();

            stdout.WriteLine($"== certlsp status {Path.GetFileName(manifest)} (the demo CA issued 20-day certificates, inside the 30-day warning window)");
            int status = StatusCommand.Run(manifest, "text", DateTimeOffset.UtcNow, stdout, stderr);
            stdout.WriteLine();
            stdout.WriteLine($"== certlsp check {Path.GetFileName(manifest)} (now with its ledger: the certificates expire within the warning window)");
            CheckCommand.Run([manifest], "text", stdout, stderr);
            stdout.WriteLine();
            stdout.WriteLine("The demo requested, signed and imported a certificate for every device of the clean example site.");
            return status;
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"certlsp: could not remove {work}: {ex.Message}");
            }
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) CopyFolder(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    private static string? FindExamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "CertLsp.sln"))) return candidate;
        }
        var cwd = Path.Combine(Directory.GetCurrentDirectory(), "examples");
        return Directory.Exists(cwd) ? cwd : null;
    }
}
