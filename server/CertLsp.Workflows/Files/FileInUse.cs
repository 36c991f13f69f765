namespace CertLsp.Workflows.Files;

/// <summary>
/// A file another program holds open without sharing it (Windows: Excel on a zip's list, an editor, a virus scanner; elsewhere .NET
/// takes an advisory lock for <see cref="FileShare.None"/>): the error names the file and says what to do, rather than a bare
/// "The process cannot access the file".
/// </summary>
public static class FileInUse
{
    private const int SharingViolation = unchecked((int)0x80070020); // ERROR_SHARING_VIOLATION (32) as an HRESULT
    private const int LockViolation = unchecked((int)0x80070021); // ERROR_LOCK_VIOLATION (33)

    /// <summary>True for Windows' sharing and lock violations, and for .NET's FileShare lock conflicts on Linux (EWOULDBLOCK 11) and macOS
    /// (35).</summary>
    public static bool Is(Exception ex) => ex is IOException io && (io.HResult is SharingViolation or LockViolation
        || (OperatingSystem.IsLinux() && io.HResult == 11) || ((OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
            && io.HResult == 35));

    public const string Reason = "it is open in another program; close it there (or wait for that program to finish) and try again";

    /// <summary>Why <paramref name="ex"/> happened, in words for the user: <see cref="Reason"/> for a file in use, else the exception's own
    /// message.</summary>
    public static string Describe(Exception ex) => Is(ex) ? Reason : ex.Message;
}
