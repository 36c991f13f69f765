namespace CertLsp.Workflows.Ledger;

/// <summary>
/// One writer at a time per ledger (csr, import, the language server's commands): an exclusive lock on a hidden file beside the ledger,
/// released by the OS if the process dies.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream stream;

    private RunLock(FileStream stream) => this.stream = stream;

    public static RunLock? TryTake(string ledgerPath)
    {
        string path = Path.Combine(Path.GetDirectoryName(ledgerPath)!, "." + Path.GetFileName(ledgerPath) + ".lock");
        try
        {
            return new RunLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1,
                FileOptions.DeleteOnClose));
        }
        catch (IOException ex) when (HeldByAnother(ex))
        {
            return null;
        }
    }

    /// <summary>
    /// The lock is taken (EWOULDBLOCK on Linux and macOS, a sharing violation on Windows); any other failure, such as a read-only
    /// or full file system, is not "another run" and is thrown to the caller as it is.
    /// </summary>
    private static bool HeldByAnother(IOException ex) => ex.HResult is 11 or 35 or unchecked((int)0x80070020);

    public void Dispose() => stream.Dispose();
}
