using System.Collections.Immutable;
using CertLsp.Core.Checking;
using CertLsp.Core.Configuration;
using CertLsp.Core.Manifest;
using CertLsp.Core.Text;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;
using LspRange = CertLsp.LanguageServer.Protocol.Range;

namespace CertLsp.LanguageServer.Workspace;

/// <summary>
/// An open document: its text and version as the client has them, with its ledger, parsed once on demand. An earlier parse
/// of the same document (the version it was edited from, or the file on disk it was opened from) is lent to that parse, so
/// the unchanged parts of a large text are not read again.
/// </summary>
public sealed class OpenDocument
{
    private readonly Lazy<ManifestDocument> parsed;
    private ManifestDocument? earlier;

    public OpenDocument(string uri, int version, string text, LedgerInput? ledger, int warningDays, CheckSettings settings,
        OpenDocument? editedFrom = null,
        ManifestDocument? earlier = null)
    {
        Uri = uri;
        Settings = settings;
        Version = version;
        Text = text;
        Ledger = ledger;
        WarningDays = warningDays;
        // Only a parse is worth keeping: versions typed over before a check ran lend what they were lent.
        this.earlier = earlier ?? (editedFrom is null ? null : editedFrom.parsed.IsValueCreated ? editedFrom.Parsed : editedFrom.earlier);
        parsed = new Lazy<ManifestDocument>(() =>
        {
            var document = ManifestDocument.Parse(uri, text, ledger, defaultWarningDays: warningDays, previous: this.earlier,
                settings: settings);
            this.earlier = null; // parsed: the earlier version may go
            return document;
        });
    }

    public int WarningDays { get; }

    public LedgerInput? Ledger { get; }

    /// <summary>The certlsp.json that applies to the document, as read when the document was opened or the file last changed.</summary>
    public CheckSettings Settings { get; }

    public string Uri { get; }

    public int Version { get; }

    public string Text { get; }

    public ManifestDocument Parsed => parsed.Value;
}

/// <summary>An immutable view of every manifest the server knows: open documents over the files on disk.</summary>
public sealed class WorkspaceSnapshot
{
    private readonly Lazy<CheckResult> check;

    public WorkspaceSnapshot(ImmutableDictionary<string, OpenDocument> open, ImmutableDictionary<string, ManifestDocument> disk,
        long generation)
    {
        Open = open;
        Disk = disk;
        Generation = generation;
        check = new Lazy<CheckResult>(() =>
        {
            var openPaths = open.Keys.Select(UriPaths.LocalPath).Where(p => p is not null).ToHashSet(StringComparer.Ordinal);
            var documents = open.Values.Select(d => d.Parsed)
                .Concat(disk.Where(kv => !openPaths.Contains(kv.Key)).Select(kv => kv.Value));
            // A manifest open from an excluded folder is checked, but on its own: it and the workspace do not see each other.
            var scope = Scope;
            return ManifestChecker.Check(documents, d => UriPaths.LocalPath(d.Path) is { } path && scope.Excludes(path));
        });
    }

    /// <summary>The workspace folders and what they leave out, as they were when this snapshot was made.</summary>
    public ManifestScope Scope { get; internal set; } = ManifestScope.Empty;

    public ImmutableDictionary<string, OpenDocument> Open { get; }

    /// <summary>Manifests on disk in the workspace folders, by local path.</summary>
    public ImmutableDictionary<string, ManifestDocument> Disk { get; }

    public long Generation { get; }

    public CheckResult Check => check.Value;

    public OpenDocument? Find(string uri) => Open.GetValueOrDefault(uri);

    /// <summary>Line index of any known document (open or on disk) by the path its diagnostics carry.</summary>
    public LineIndex? Lines(string path) => Check.Lines(path);
}

/// <summary>The server's documents. Changes apply one at a time, each making a new immutable snapshot.</summary>
public sealed class ServerWorkspace
{
    private readonly Lock gate = new();
    private WorkspaceSnapshot snapshot = new(ImmutableDictionary<string, OpenDocument>.Empty, ImmutableDictionary<string,
        ManifestDocument>.Empty, 0);

    public event Action<WorkspaceSnapshot>? Changed;

    public WorkspaceSnapshot Snapshot => Volatile.Read(ref snapshot);

    /// <summary>The workspace folders and what the manifest search leaves out of them (certlsp.manifests.exclude,
    /// .certlspignore).</summary>
    public ManifestScope Scope { get; private set; } = ManifestScope.Empty;

    public ImmutableArray<string> Folders => Scope.Folders;

    public void SetFolders(IEnumerable<string> folders) => Scope = ManifestScope.Create(folders, Scope.Exclude);

    /// <summary>The setting's globs changed: the exclusions are made again (with each folder's .certlspignore as it is now).</summary>
    public void SetExclude(IEnumerable<string> globs) => Scope = ManifestScope.Create(Scope.Folders, globs);

    /// <summary>A .certlspignore changed: the exclusions are read again.</summary>
    public void ReloadExclusions() => Scope = ManifestScope.Create(Scope.Folders, Scope.Exclude);

    /// <summary>Replaces every manifest known from disk (a new scan of the folders).</summary>
    public void ReplaceDisk(IEnumerable<KeyValuePair<string, ManifestDocument>> documents) =>
        Update(s => new WorkspaceSnapshot(s.Open, ImmutableDictionary.CreateRange(documents), s.Generation + 1));

    /// <summary>The expiry warning window for manifests that set none (the editor's setting; 30 days by default).</summary>
    public int DefaultWarningDays { get; set; } = CertificateSettings.StandardWarningDays;

    /// <summary>Reads and checks a manifest with the workspace's settings (and its certlsp.json, read from disk).</summary>
    public ManifestDocument Parse(string uri, string text, LedgerInput? ledger) =>
        ManifestDocument.Parse(uri, text, ledger, defaultWarningDays: DefaultWarningDays, settings: ConfigOf(uri));

    /// <summary>
    /// Whether an edit reads the document's certlsp.json again: true until the client is known to report file changes
    /// (workspace/didChangeWatchedFiles), so that a changed certlsp.json takes effect at the next change at the latest.
    /// </summary>
    public bool RereadConfigOnChange { get; set; } = true;

    public void Open(string uri, int version, string text) =>
        Update(s => new WorkspaceSnapshot(s.Open.SetItem(uri,
            new OpenDocument(uri, version, text, LedgerOf(uri), DefaultWarningDays, ConfigOf(uri),
            earlier: UriPaths.LocalPath(uri) is { } path ? s.Disk.GetValueOrDefault(path) : null)), s.Disk, s.Generation + 1));

    /// <summary>The certlsp.json that applies to a manifest, read from disk (none when no folder above it has one or it is not a
    /// file).</summary>
    public static CheckSettings ConfigOf(string uri) =>
        UriPaths.LocalPath(uri) is { } path && ConfigFiles.Find(path) is { } config ? ConfigFiles.Read(config, config) : CheckSettings.None;

    /// <summary>A certlsp.json changed, appeared or went away: every manifest is checked again with the settings that now apply.</summary>
    public void ConfigChanged()
    {
        Update(s =>
        {
            var open = s.Open;
            foreach (var (uri, doc) in s.Open)
            {
                open = open.SetItem(uri, new OpenDocument(uri, doc.Version, doc.Text, doc.Ledger, doc.WarningDays, ConfigOf(uri),
                    editedFrom: doc));
            }
            var disk = s.Disk;
            foreach (var (path, doc) in s.Disk)
            {
                disk = disk.SetItem(path, Parse(doc.Path, doc.Text, LedgerOf(doc.Path)));
            }
            return new WorkspaceSnapshot(open, disk, s.Generation + 1);
        });
    }

    /// <summary>The ledger beside a manifest, read from disk (null when there is none or the manifest is not a file).</summary>
    public static LedgerInput? LedgerOf(string uri)
    {
        if (UriPaths.LocalPath(uri) is not { } path) return null;
        string ledgerPath = LedgerFile.PathFor(path);
        return LedgerFile.Input(ledgerPath);
    }

    /// <summary>A ledger changed on disk (a command wrote it, git changed it): re-check the manifests it belongs to.</summary>
    public void LedgerChanged(string ledgerPath)
    {
        Update(s =>
        {
            var open = s.Open;
            foreach (var (uri, doc) in s.Open)
            {
                if (UriPaths.LocalPath(uri) is { } path && LedgerFile.PathFor(path) == ledgerPath)
                {
                    open = open.SetItem(uri, new OpenDocument(uri, doc.Version, doc.Text, LedgerOf(uri), DefaultWarningDays, doc.Settings,
                        editedFrom: doc));
                }
            }
            var disk = s.Disk;
            foreach (var (path, doc) in s.Disk)
            {
                if (LedgerFile.PathFor(path) == ledgerPath) disk = disk.SetItem(path, Parse(doc.Path, doc.Text, LedgerOf(doc.Path)));
            }
            return new WorkspaceSnapshot(open, disk, s.Generation + 1);
        });
    }

    public void Close(string uri) => Update(s => new WorkspaceSnapshot(s.Open.Remove(uri), s.Disk, s.Generation + 1));

    /// <summary>Applies content changes in order; a change against a document the server does not have is refused.</summary>
    public void Change(string uri, int version, IReadOnlyList<Protocol.TextDocumentContentChangeEvent> changes)
    {
        Update(s =>
        {
            var current = s.Find(uri) ?? throw new InvalidOperationException($"{uri} is not open");
            string text = current.Text;
            foreach (var change in changes)
            {
                text = change.Range is null ? change.Text : Apply(text, change.Range, change.Text);
            }
            var settings = RereadConfigOnChange ? ConfigOf(uri) : current.Settings;
            return new WorkspaceSnapshot(s.Open.SetItem(uri, new OpenDocument(uri, version, text, current.Ledger, current.WarningDays,
                settings, editedFrom: current)),
                s.Disk, s.Generation + 1);
        });
    }

    public void SetDisk(string path, ManifestDocument? document) =>
        Update(s => new WorkspaceSnapshot(s.Open, document is null ? s.Disk.Remove(path) : s.Disk.SetItem(path, document), s.Generation
            + 1));

    public void SetDisk(IEnumerable<KeyValuePair<string, ManifestDocument>> documents) =>
        Update(s => new WorkspaceSnapshot(s.Open, s.Disk.SetItems(documents), s.Generation + 1));

    /// <summary>
    /// Reads a manifest from disk into the workspace (or drops it when it is gone, unreadable or excluded). A document just closed
    /// whose text is the file's is not parsed again.
    /// </summary>
    public void Reload(string path, OpenDocument? closed = null)
    {
        ManifestDocument? document = null;
        try
        {
            string uri = UriPaths.FromPath(path);
            if (File.Exists(path) && !Scope.Excludes(path))
            {
                string text = ManifestFiles.Read(path);
                var ledger = LedgerOf(uri);
                var settings = ConfigOf(uri);
                document = closed is not null && closed.Uri == uri && closed.Text == text && closed.Ledger == ledger
                    && closed.WarningDays == DefaultWarningDays
                    && closed.Settings.Path == settings.Path && closed.Settings.Text == settings.Text
                    ? closed.Parsed
                    : ManifestDocument.Parse(uri, text, ledger, defaultWarningDays: DefaultWarningDays, settings: settings);
            }
        }
        catch (ManifestReadException)
        {
            document = null;
        }
        SetDisk(path, document);
    }

    private void Update(Func<WorkspaceSnapshot, WorkspaceSnapshot> change)
    {
        WorkspaceSnapshot next;
        lock (gate)
        {
            next = change(snapshot);
            next.Scope = Scope;
            Volatile.Write(ref snapshot, next);
        }
        Changed?.Invoke(next);
    }

    /// <summary>Replaces a range (LSP positions, clamped to the text) with new text.</summary>
    public static string Apply(string text, LspRange range, string newText)
    {
        var lines = new LineIndex(text);
        int start = lines.GetOffset(new LinePosition(range.Start.Line, range.Start.Character), text);
        int end = lines.GetOffset(new LinePosition(range.End.Line, range.End.Character), text);
        if (end < start) (start, end) = (end, start);
        return string.Concat(text.AsSpan(0, start), newText, text.AsSpan(end));
    }
}
