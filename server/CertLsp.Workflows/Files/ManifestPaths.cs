namespace CertLsp.Workflows.Files;

/// <summary>
/// Paths written in a manifest (ca.issuers), relative to the manifest's folder. A manifest is often written on Windows and
/// checked elsewhere (CI), so a backslash separates folders on every platform ("certs\issuing-ca.pem"); a Windows absolute path
/// (a drive letter "C:\pki\ca.pem", or a UNC path "\\server\share\ca.pem") is taken as it stands on Windows and, where it cannot
/// exist, is left as written, so that "does not exist" names what the manifest says.
/// </summary>
public static class ManifestPaths
{
    public static string Resolve(string manifestFolder, string value) => Resolve(manifestFolder, value, OperatingSystem.IsWindows());

    /// <summary>The same, for a given platform (the tests check Windows' rules on Linux and the other way round).</summary>
    public static string Resolve(string manifestFolder, string value, bool windows)
    {
        if (windows) return IsWindowsAbsolute(value) ? value : Path.Combine(manifestFolder, value.Replace('/', '\\'));
        if (IsWindowsAbsolute(value)) return value;
        return Path.Combine(manifestFolder, value.Replace('\\', '/'));
    }

    /// <summary>"C:\…", "C:/…" or "\\server\share…": rooted on Windows, never a path relative to the manifest.</summary>
    public static bool IsWindowsAbsolute(string value) =>
        (value.Length >= 3 && char.IsAsciiLetter(value[0]) && value[1] == ':' && value[2] is '\\' or '/')
        || value.StartsWith(@"\\", StringComparison.Ordinal) || value.StartsWith("//", StringComparison.Ordinal);
}
