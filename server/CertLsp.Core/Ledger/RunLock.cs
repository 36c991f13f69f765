namespace CertLsp.Core.Ledger;

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
            return new RunLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => stream.Dispose();
}
