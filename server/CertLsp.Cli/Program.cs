using System.CommandLine;
using CertLsp.Cli.Commands;

namespace CertLsp.Cli;

public static class Program
{
    /// <summary>Exit codes: 0 no errors, 1 errors found, 2 could not run.</summary>
    public const int Ok = 0, Findings = 1, CouldNotRun = 2;

    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>
    /// Runs the command line: parses <paramref name="args"/> and awaits the command's action. Ctrl+C (or SIGTERM) cancels the
    /// commands that take a token; what they finished is recorded, as after a full disk.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("CertLsp: X.509 certificates for building-automation devices, as code.");
        root.Subcommands.Add(CheckCommand.Create(stdout, stderr));
        root.Subcommands.Add(CsrCommand.Create(stdout, stderr));
        root.Subcommands.Add(ImportCommand.Create(stdout, stderr));
        root.Subcommands.Add(InstallCommand.Create(stdout, stderr));
        root.Subcommands.Add(StatusCommand.Create(stdout, stderr));
        root.Subcommands.Add(ReviewCommand.Create(stdout, stderr));
        root.Subcommands.Add(DemoCommand.Create(stdout, stderr));
        root.Subcommands.Add(LspCommand.Create(stderr));
        root.Subcommands.Add(DiscoverCommand.Create(stdout, stderr));
        root.Subcommands.Add(VerifyCommand.Create(stdout, stderr));
        root.Subcommands.Add(SimulateCommand.Create(stdout, stderr));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) stderr.WriteLine($"certlsp: {error.Message}");
            stderr.WriteLine("Run 'certlsp --help' for usage.");
            return CouldNotRun;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = stdout, Error = stderr, EnableDefaultExceptionHandler =
                false
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine(
                "certlsp: cancelled; what was finished is recorded and nothing half-written was left. Run it again to complete the job.");
            return CouldNotRun;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full disk, a read-only folder: every write is atomic, so what was finished is recorded and nothing is half-written.
            stderr.WriteLine($"certlsp: {ex.Message}");
            stderr.WriteLine(
                "certlsp: stopped; what was finished is recorded and nothing half-written was left. Run it again once the disk has room " +
                "or the folder is writable.");
            return CouldNotRun;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            stderr.WriteLine($"certlsp: internal error: {ex.GetType().Name}: {ex.Message}");
            return CouldNotRun;
        }
    }
}
