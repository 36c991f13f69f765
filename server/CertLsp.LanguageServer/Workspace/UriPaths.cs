namespace CertLsp.LanguageServer.Workspace;

/// <summary>file: URIs and local paths.</summary>
public static class UriPaths
{
    public static string? LocalPath(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile ? Path.GetFullPath(parsed.LocalPath) : null;

    public static string FromPath(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;
}
