using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Commands;

/// <summary>
/// The server's workspace/executeCommand commands, each in its own file: the one list that initialize advertises
/// (<c>executeCommandProvider.commands</c>) and that <see cref="Handlers.ExecuteCommandHandler"/> dispatches from.
/// </summary>
public sealed class CommandRegistry
{
    private readonly Dictionary<string, IServerCommand> byName;

    public CommandRegistry(params IServerCommand[] commands)
    {
        Commands = commands;
        byName = commands.ToDictionary(c => c.Name, StringComparer.Ordinal);
        Names = [.. commands.Select(c => c.Name)];
    }

    /// <summary>Every command the server runs, in the order advertised.</summary>
    public static CommandRegistry Default { get; } = new(
        new GenerateCsrsCommand(),
        new ImportCertificatesCommand(),
        new ShowStatusCommand(),
        new DiscoverDevicesCommand(),
        new InstallCertificatesCommand(),
        new ReviewChangesCommand(),
        new VerifySiteCommand());

    public IReadOnlyList<IServerCommand> Commands { get; }

    public string[] Names { get; }

    /// <summary>The command by its name, or an invalid-params error naming the ones there are.</summary>
    public IServerCommand Find(string name) =>
        byName.TryGetValue(name, out var command)
            ? command
            : throw new LocalRpcException($"unknown command “{name}”; this server runs {string.Join(", ", Names)}")
            {
                ErrorCode =
                ErrorCodes.InvalidParams
            };

    /// <summary>
    /// A command's one argument read into its record, strictly (<see cref="CertLspServer.ParamsOptions"/>): a missing, null or
    /// mistyped field is an invalid-params error, so the command never sees a half-filled record.
    /// </summary>
    public static object Arguments(IServerCommand command, JsonElement[]? arguments)
    {
        if (arguments is not [{ ValueKind: JsonValueKind.Object } argument, ..])
        {
            throw new LocalRpcException($"{command.Name} takes one object argument ({command.ArgumentsType.Name})")
            {
                ErrorCode =
                ErrorCodes.InvalidParams
            };
        }
        try
        {
            return argument.Deserialize(CertLspServer.ParamsOptions.GetTypeInfo(command.ArgumentsType))
                ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new LocalRpcException($"invalid arguments for {command.Name}: {ex.Message}") { ErrorCode = ErrorCodes.InvalidParams };
        }
    }
}
