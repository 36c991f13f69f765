using CertLsp.Core.Ledger;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using CertLsp.Workflows.Ledger;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Commands;

/// <summary>What the commands that write the ledger share: running the core's job and answering the failures they have in common.</summary>
internal static class CommandJobs
{
    /// <summary>
    /// Runs a command's job in the core under its progress and answers the failures every command shares: a ledger that cannot be
    /// trusted ends the progress "refused" and fails the request; a full disk or a read-only folder is reported
    /// (<see cref="WriteFailedAsync"/>). What a cancelled job leaves is each command's to say. The job starts on the thread pool:
    /// a workflow does its file and key work before its first wait, which must not hold up the message loop
    /// (<see cref="SerialSynchronizationContext"/>), where document changes and cancellations arrive.
    /// </summary>
    public static async Task<T> RunAsync<T>(ServerContext context, WorkDoneProgress progress, string what, string manifestPath,
        Func<Task<T>> job)
    {
        try
        {
            return await Task.Run(job, CancellationToken.None).ConfigureAwait(false);
        }
        catch (LedgerFormatException ex)
        {
            await progress.EndAsync("refused").ConfigureAwait(false);
            throw new LocalRpcException($"the ledger cannot be trusted: {ex.Message}") { ErrorCode = ErrorCodes.RequestFailed };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw await WriteFailedAsync(context, what, manifestPath, ex, progress).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A full disk or a read-only folder stopped a command: every write is atomic, so what was finished is recorded and nothing
    /// is half-written. The user is told (an error message and the request's error), the ledger is re-read, the server serves on.
    /// </summary>
    private static async Task<LocalRpcException> WriteFailedAsync(ServerContext context, string what, string manifestPath, Exception ex,
        WorkDoneProgress progress)
    {
        await progress.EndAsync("failed").ConfigureAwait(false);
        context.Workspace.LedgerChanged(LedgerFile.PathFor(manifestPath));
        string message =
            $"{what} stopped: {ex.Message}. What was finished is recorded and nothing half-written was left; run it again once the disk " +
            $"has room or the folder is writable.";
        await context.ShowMessageAsync(MessageType.Error, message).ConfigureAwait(false);
        return new LocalRpcException(message) { ErrorCode = ErrorCodes.RequestFailed };
    }
}
