using CertLsp.LanguageServer.Commands;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Handlers;

/// <summary>
/// workspace/executeCommand: finds the command in the registry (<see cref="CommandRegistry"/>, one file per command), reads its one
/// argument into the command's record and runs it; window/workDoneProgress/cancel cancels a running command's progress.
/// </summary>
public sealed class ExecuteCommandHandler(ServerContext context, CommandRegistry commands)
{
    [JsonRpcMethod(Methods.ExecuteCommand, UseSingleObjectParameterDeserialization = true)]
    public async Task<object?> ExecuteAsync(ExecuteCommandParams parameters, CancellationToken cancellationToken)
    {
        context.EnsureReady();
        cancellationToken.ThrowIfCancellationRequested();
        var command = commands.Find(parameters.Command);
        var arguments = CommandRegistry.Arguments(command, parameters.Arguments);
        return await command.ExecuteAsync(context, arguments, parameters.WorkDoneToken, cancellationToken).ConfigureAwait(false);
    }

    [JsonRpcMethod(CertLspCommands.WorkDoneProgressCancel, UseSingleObjectParameterDeserialization = true)]
    public void CancelProgress(WorkDoneProgressCancelParams parameters) => WorkDoneProgress.CancelFromClient(parameters.Token);
}
