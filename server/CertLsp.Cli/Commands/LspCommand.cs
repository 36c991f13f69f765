using System.CommandLine;
using CertLsp.LanguageServer;

namespace CertLsp.Cli.Commands;

/// <summary><c>certlsp lsp</c>: the language server on stdio. Stdout carries the protocol and nothing else.</summary>
public static class LspCommand
{
    public static Command Create(TextWriter stderr)
    {
        var stdio = new Option<bool>("--stdio") { Description = "Talk LSP over stdin/stdout (the default and only transport)" };
        var command = new Command("lsp", "Run the language server on stdin/stdout") { stdio };
        command.TreatUnmatchedTokensAsErrors = false; // clients add their own flags (e.g. --clientProcessId)
        command.SetAction((_, cancellationToken) => RunAsync(stderr, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(TextWriter stderr, CancellationToken cancellationToken)
    {
        // Whatever might still write to Console.Out (a library, a stray debug line) goes to stderr instead.
        var stdout = Console.OpenStandardOutput();
        Console.SetOut(stderr);
        var stdin = new BufferedStream(Console.OpenStandardInput(), 64 * 1024);
        await using var server = new CertLspServer(stdin, stdout, stderr);
        using var registration = cancellationToken.Register(() => server.Context.Exit.TrySetResult(1));
        return await server.Completion.ConfigureAwait(false);
    }
}
