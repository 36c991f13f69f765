using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;

namespace CertLsp.Workflows.Files;

/// <summary>
/// What a manifest search below one root folder leaves out: the folders <see cref="DefaultFolders"/> at any depth, the
/// globs of a setting or of --exclude, and the lines of the <see cref="IgnoreFileName"/> file at the root. Globs are
/// gitignore-like, relative to the root, with “/” as the separator: “*” any characters but “/”, “?” one, “[a-z]” a class,
/// “**” any folders; a glob without a “/” (other than a trailing one) matches a file or folder name at any depth, one with
/// a “/” matches from the root; a trailing “/” matches folders only. A folder that matches leaves out all it holds.
/// Lines of the file that are empty or start with “#” are skipped; “!” (re-including) is not supported and reported.
/// </summary>
public sealed class ManifestExclusions
{
    public const string IgnoreFileName = ".certlspignore";

    /// <summary>Folders never searched, at any depth.</summary>
    public static ImmutableArray<string> DefaultFolders { get; } = [".git", "node_modules", "bin", "obj", ".certlsp"];

    private static readonly bool IgnoreCase = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    private readonly ImmutableArray<(Regex Pattern, bool FoldersOnly)> globs;

    private ManifestExclusions(string root, ImmutableArray<(Regex, bool)> globs, ImmutableArray<string> problems)
    {
        Root = root;
        this.globs = globs;
        Problems = problems;
    }

    /// <summary>The root folder (full path, no trailing separator).</summary>
    public string Root { get; }

    /// <summary>Globs that could not be used, each with the reason (“.certlspignore:3: …”, “--exclude “!a”: …”).</summary>
    public ImmutableArray<string> Problems { get; }

    /// <summary>The exclusions below <paramref name="root"/>: <paramref name="globs"/> (a setting, --exclude) and the root's
    /// .certlspignore.</summary>
    public static ManifestExclusions For(string root, IEnumerable<string> globs, string globSource = "exclude")
    {
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var compiled = ImmutableArray.CreateBuilder<(Regex, bool)>();
        var problems = ImmutableArray.CreateBuilder<string>();
        foreach (var glob in globs) Add(glob, $"{globSource} “{glob}”");
        string ignoreFile = Path.Combine(root, IgnoreFileName);
        if (File.Exists(ignoreFile))
        {
            string[] lines;
            try
            {
                lines = ManifestFiles.Read(ignoreFile).Split('\n');
            }
            catch (ManifestReadException ex)
            {
                problems.Add(ex.Message);
                lines = [];
            }
            for (int i = 0; i < lines.Length; i++) Add(lines[i], $"{ignoreFile}:{i + 1}");
        }
        return new ManifestExclusions(root, compiled.ToImmutable(), problems.ToImmutable());

        void Add(string line, string where)
        {
            string glob = line.TrimEnd('\r', ' ', '\t');
            if (glob.Length == 0 || glob.StartsWith('#')) return;
            if (glob.StartsWith('!'))
            {
                problems.Add($"{where}: “!” (re-including) is not supported; the line is ignored");
                return;
            }
            if (Compile(glob) is { } compiledGlob) compiled.Add(compiledGlob);
            else problems.Add($"{where}: not a glob CertLsp can read (an unclosed “[”); the line is ignored");
        }
    }

    /// <summary>Nothing left out but the default folders.</summary>
    public static ManifestExclusions DefaultsOnly(string root) =>
        new(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)), [], []);

    /// <summary>Whether a file or folder at <paramref name="fullPath"/> is left out: it or a folder above it (below the root) matches.
    /// Paths outside the root are not.</summary>
    public bool Excludes(string fullPath, bool isFolder)
    {
        if (Relative(fullPath) is not { Length: > 0 } relative) return false;
        string[] parts = relative.Split('/');
        for (int i = 0; i < parts.Length; i++)
        {
            bool folder = i < parts.Length - 1 || isFolder;
            if (folder && DefaultFolders.Contains(parts[i], IgnoreCase ? StringComparer.OrdinalIgnoreCase
                : StringComparer.Ordinal)) return true;
            if (Matches(string.Join('/', parts, 0, i + 1), folder)) return true;
        }
        return false;
    }

    /// <summary>Whether the entry itself (its folders above already searched) matches: for the walk, which prunes folders.</summary>
    internal bool ExcludesEntry(string fullPath, bool isFolder)
    {
        if (Relative(fullPath) is not { Length: > 0 } relative) return false;
        if (isFolder && DefaultFolders.Contains(Path.GetFileName(fullPath), IgnoreCase ? StringComparer.OrdinalIgnoreCase
            : StringComparer.Ordinal)) return true;
        return Matches(relative, isFolder);
    }

    private bool Matches(string relative, bool isFolder)
    {
        foreach (var (pattern, foldersOnly) in globs)
        {
            if ((!foldersOnly || isFolder) && pattern.IsMatch(relative)) return true;
        }
        return false;
    }

    /// <summary>The path relative to the root with “/” separators, or null when it is not below the root.</summary>
    private string? Relative(string fullPath)
    {
        string relative = Path.GetRelativePath(Root, Path.GetFullPath(fullPath));
        if (relative == ".") return "";
        if (relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || Path.IsPathRooted(relative)) return null;
        return relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>A gitignore-like glob as a regular expression over a root-relative path; null when it cannot be read.</summary>
    internal static (Regex, bool)? Compile(string glob)
    {
        bool foldersOnly = glob.EndsWith('/');
        glob = glob.TrimEnd('/');
        if (glob.Length == 0) return null;
        bool anchored = glob.Contains('/', StringComparison.Ordinal);
        glob = glob.TrimStart('/');
        var sb = new StringBuilder("^");
        if (!anchored) sb.Append("(?:.*/)?");
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                bool slashAfter = i + 2 < glob.Length && glob[i + 2] == '/';
                bool atSegmentStart = i == 0 || glob[i - 1] == '/';
                if (atSegmentStart && slashAfter) { sb.Append("(?:.*/)?"); i += 2; }
                else { sb.Append(".*"); i++; }
            }
            else if (c == '*')
            {
                sb.Append("[^/]*");
            }
            else if (c == '?')
            {
                sb.Append("[^/]");
            }
            else if (c == '[')
            {
                int close = glob.IndexOf(']', i + 2);
                if (close < 0) return null;
                string set = glob[(i + 1)..close];
                sb.Append('[').Append(set.StartsWith('!') ? "^" + Escape(set[1..]) : Escape(set)).Append(']');
                i = close;
            }
            else if (c == '\\' && i + 1 < glob.Length)
            {
                sb.Append(Regex.Escape(glob[++i].ToString()));
            }
            else
            {
                sb.Append(Regex.Escape(c.ToString()));
            }
        }
        sb.Append('$');
        var options = RegexOptions.CultureInvariant | (IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        return (new Regex(sb.ToString(), options, TimeSpan.FromSeconds(1)), foldersOnly);

        // Inside a class only “\”, “]” and “^” mean something to .NET beyond ranges: keep “a-z”, escape those.
        static string Escape(string set) => set.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("^", "\\^",
            StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal);
    }
}
