using System.Collections.Immutable;
using CertLsp.Core.Configuration;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;
using CertLsp.Core.Rules;
using CertLsp.Core.Schema;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Checking;

/// <summary>
/// The text of the ledger beside a manifest (from disk or an open editor buffer) and its path; <see cref="Unreadable"/> when the file
/// is not text at all (binary, not UTF-8), which is then reported as the ledger's error.
/// </summary>
public sealed record LedgerInput(string Path, string Text, LedgerFormatException? Unreadable = null);

/// <summary>
/// One manifest text, read and checked on its own (with its ledger when given): an immutable snapshot. Workspace-wide rules
/// (CN uniqueness across files) are added by <see cref="ManifestChecker"/>.
/// </summary>
public sealed class ManifestDocument
{
    private readonly Lazy<LineIndex> lines;

    private ManifestDocument(string path, string text, YamlReadResult yaml, SiteManifest? manifest, ImmutableArray<Diagnostic> diagnostics,
        CheckSettings settings, SiteLedger? ledger = null, LedgerFormatException? ledgerError = null, LedgerInput? ledgerInput = null)
    {
        Ledger = ledger;
        LedgerError = ledgerError;
        Settings = settings;
        if (ledgerError is not null && ledgerInput is not null)
        {
            var ledgerLines = new LineIndex(ledgerInput.Text);
            LedgerFile = new ReportedFile(ledgerError.Path, ledgerLines);
            LedgerDiagnostic = new DiagnosticBuilder(ledgerError.Path, ledgerInput.Text)
                .LedgerNotTrusted(ledgerLines.GetLineSpan(Math.Max(0, ledgerError.Line - 1), ledgerInput.Text), ledgerError.Reason);
        }
        Path = path;
        Text = text;
        Yaml = yaml;
        Manifest = manifest;
        LocalDiagnostics = diagnostics;
        lines = new Lazy<LineIndex>(() => new LineIndex(text));
    }

    public string Path { get; }

    public string Text { get; }

    public LineIndex Lines => lines.Value;

    public YamlReadResult Yaml { get; }

    /// <summary>The typed manifest, or null when the YAML could not be read.</summary>
    public SiteManifest? Manifest { get; }

    /// <summary>The ledger given with the manifest, or null when none was given or it could not be read.</summary>
    public SiteLedger? Ledger { get; }

    /// <summary>Why the given ledger could not be read (with its line); its checks were skipped.</summary>
    public LedgerFormatException? LedgerError { get; }

    /// <summary>The ledger that could not be read, as a file its diagnostic (<see cref="LedgerDiagnostic"/>) is reported in.</summary>
    public ReportedFile? LedgerFile { get; }

    /// <summary>CL0405 on the ledger, at the line where reading it stopped, when the ledger given could not be trusted.</summary>
    public Diagnostic? LedgerDiagnostic { get; }

    /// <summary>The workspace's certlsp.json as the host read it: levels applied by <see cref="ManifestChecker"/>, its problems.</summary>
    public CheckSettings Settings { get; }

    /// <summary>What this file alone shows: YAML, schema, per-manifest rules and, with a ledger, the ledger rules.</summary>
    public ImmutableArray<Diagnostic> LocalDiagnostics { get; }

    public DiagnosticBuilder Builder => new(Path, Text);

    /// <summary>Reads and checks a manifest; with its ledger's text, also the ledger rules as of <paramref name="now"/> (default: the
    /// current time).</summary>
    /// <param name="previous">An earlier version of the same document, if one was read: the unchanged parts of a large text are not read
    /// again.</param>
    /// <param name="settings">The workspace's certlsp.json (rule levels), applied when the document is checked; none by default.</param>
    /// <param name="readLedger">How the ledger's text is read (default <see cref="LedgerFormat.Read"/>): a review reads a ledger both
    /// of its states share once.</param>
    public static ManifestDocument Parse(string path, string text, LedgerInput? ledger = null, DateTimeOffset? now = null,
        int defaultWarningDays = CertificateSettings.StandardWarningDays,
        ManifestDocument? previous = null, CheckSettings? settings = null, Func<LedgerInput, SiteLedger>? readLedger = null)
    {
        settings ??= CheckSettings.None;
        var builder = new DiagnosticBuilder(path, text);
        var yaml = YamlReader.Read(text, path, previous?.Yaml);
        var diagnostics = new List<Diagnostic>(yaml.Diagnostics);
        if (yaml.IsUnusable) return new ManifestDocument(path, text, yaml, null, [.. diagnostics], settings);

        SchemaValidator.Validate(yaml.Root, ManifestSchema.Root, builder, diagnostics);
        var manifest = ManifestBinder.Bind(yaml.Root);
        if (defaultWarningDays != CertificateSettings.StandardWarningDays)
        {
            manifest = manifest with
            {
                Certificates = manifest.Certificates with
                {
                    DefaultWarningDays =
                Math.Clamp(defaultWarningDays, 0, 3650)
                }
            };
        }
        foreach (var rule in RuleSet.ManifestRules)
        {
            rule.Check(manifest, builder, diagnostics);
        }
        if (ledger is null) return new ManifestDocument(path, text, yaml, manifest, [.. diagnostics], settings);

        if (ledger.Unreadable is { } unreadable) return new ManifestDocument(path, text, yaml, manifest, [.. diagnostics], settings, null,
            unreadable, ledger);
        SiteLedger siteLedger;
        try
        {
            siteLedger = readLedger is null ? LedgerFormat.Read(ledger.Path, ledger.Text) : readLedger(ledger);
        }
        catch (LedgerFormatException ex)
        {
            return new ManifestDocument(path, text, yaml, manifest, [.. diagnostics], settings, null, ex, ledger);
        }
        var context = new LedgerContext(siteLedger, now ?? DateTimeOffset.UtcNow);
        foreach (var rule in RuleSet.LedgerRules)
        {
            rule.Check(manifest, context, builder, diagnostics);
        }
        return new ManifestDocument(path, text, yaml, manifest, [.. diagnostics], settings, siteLedger);
    }
}
