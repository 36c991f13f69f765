namespace CertLsp.Cli.Output;

/// <summary>Paths as reports show them: relative to the working folder when inside it, with forward slashes.</summary>
public static class DisplayPath
{
    public static string For(string fullPath)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), fullPath);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)) relative = fullPath;
        return relative.Replace('\\', '/');
    }
}
