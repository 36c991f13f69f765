namespace CertLsp.Cli.Output;

/// <summary>Paths as reports show them: relative to the working folder (or another) when inside it, with forward slashes.</summary>
public static class DisplayPath
{
    public static string For(string fullPath) => For(fullPath, null);

    public static string For(string fullPath, string? relativeTo)
    {
        var relative = Path.GetRelativePath(relativeTo ?? Directory.GetCurrentDirectory(), fullPath);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)) relative = fullPath;
        return relative.Replace('\\', '/');
    }
}
