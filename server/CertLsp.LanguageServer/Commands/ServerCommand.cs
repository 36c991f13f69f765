using System.Text.Json;

namespace CertLsp.LanguageServer.Commands;

/// <summary>
/// One workspace/executeCommand command: its name (advertised at initialize), the record its one argument is read into at
/// dispatch (a missing or mistyped field is invalid params, so the command sees only a complete record) and its work.
/// </summary>
public interface IServerCommand
{
    string Name { get; }

    Type ArgumentsType { get; }

    Type ResultType { get; }

    Task<object?> ExecuteAsync(ServerContext context, object arguments, JsonElement? workDoneToken, CancellationToken cancellationToken);
}

/// <summary>A command with typed arguments and result; stateless, so one registry serves every connection.</summary>
public abstract class ServerCommand<TArguments, TResult> : IServerCommand
    where TArguments : class
{
    public abstract string Name { get; }

    public Type ArgumentsType => typeof(TArguments);

    public Type ResultType => typeof(TResult);

    public abstract Task<TResult> ExecuteAsync(ServerContext context, TArguments arguments, JsonElement? workDoneToken,
        CancellationToken cancellationToken);

    async Task<object?> IServerCommand.ExecuteAsync(ServerContext context, object arguments, JsonElement? workDoneToken,
        CancellationToken cancellationToken) =>
        await ExecuteAsync(context, (TArguments)arguments, workDoneToken, cancellationToken).ConfigureAwait(false);
}
