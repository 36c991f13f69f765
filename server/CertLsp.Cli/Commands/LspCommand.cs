using System.CommandLine;
using CertLsp.LanguageServer;

namespace CertLsp.Cli.Commands;

/// <summary><c>certlsp lsp</c>: the language server on stdio. Stdout carries the protocol and nothing else.</summary>
public static class LspCommand
{
    public static Command Create(TextWriter stderr)
    {
        var stdio = new Option<bool>("--stdio") { Description = "Talk LSP over stdin/stdout (the default and only transport)" };
        var verbose = new Option<bool>("--verbose")
        {
            Description =
            $"Write every log line and trace to stderr (also {TraceVariable}=1); otherwise stderr carries only warnings and errors"
        };
        var command = new Command("lsp", "Run the language server on stdin/stdout") { stdio, verbose };
        command.TreatUnmatchedTokensAsErrors = false; // clients add their own flags (e.g. --clientProcessId)
        command.SetAction((result, cancellationToken) => RunAsync(stderr, result.GetValue(verbose) || TraceFromEnvironment(),
            cancellationToken));
        return command;
    }

    /// <summary>The environment variable that makes the server verbose, for editors that cannot add a flag: 1 or true.</summary>
    public const string TraceVariable = "CERTLSP_TRACE";

    private static bool TraceFromEnvironment() => Environment.GetEnvironmentVariable(TraceVariable)?.Trim().ToLowerInvariant() is "1"
        or "true";

    public static async Task<int> RunAsync(TextWriter stderr, bool verbose, CancellationToken cancellationToken)
    {
        // Whatever might still write to Console.Out (a library, a stray debug line) goes to stderr instead.
        var stdout = Console.OpenStandardOutput();
        Console.SetOut(stderr);
        var stdin = new BufferedStream(Console.OpenStandardInput(), 64 * 1024);
        await using var server = new CertLspServer(stdin, stdout, stderr, verbose: verbose);
        using var registration = cancellationToken.Register(() => server.Context.Exit.TrySetResult(1));
        return await server.Completion.ConfigureAwait(false);
    }
}
