using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Text;

namespace CertLsp.Core.Configuration;

/// <summary>A rule's level as certlsp.json sets it: off, or the severity it is reported with.</summary>
public enum RuleLevel
{
    Off,
    Error,
    Warning,
    Information,
    Hint,
}

/// <summary>
/// The workspace's certlsp.json as data (the hosts find and read the file; the core only parses the text and applies it):
/// the level each rule is reported with, or off, and the problems found in the file itself (CL0701, made on the file).
/// </summary>
public sealed class CheckSettings
{
    public const string FileName = "certlsp.json";

    private readonly Lazy<LineIndex> lines;

    private CheckSettings(string? path, string text, ImmutableDictionary<string, RuleLevel> levels, ImmutableArray<Diagnostic> problems)
    {
        Path = path;
        Text = text;
        Levels = levels;
        Problems = problems;
        lines = new Lazy<LineIndex>(() => new LineIndex(text));
    }

    /// <summary>No certlsp.json: every rule at its catalog severity.</summary>
    public static CheckSettings None { get; } = new(null, "", ImmutableDictionary<string, RuleLevel>.Empty, []);

    /// <summary>The file's path as its diagnostics carry it, or null for <see cref="None"/>.</summary>
    public string? Path { get; }

    public string Text { get; }

    public LineIndex Lines => lines.Value;

    /// <summary>The levels the file sets, by code.</summary>
    public ImmutableDictionary<string, RuleLevel> Levels { get; }

    /// <summary>What is wrong with the file (CL0701), each at its place; the levels read before and around a problem still apply.</summary>
    public ImmutableArray<Diagnostic> Problems { get; }

    /// <summary>The level names of certlsp.json, as its schema lists them.</summary>
    public static readonly ImmutableArray<string> LevelNames = ["off", "error", "warning", "information", "hint"];

    /// <summary>The diagnostic at the level this file gives its rule: null when the rule is off.</summary>
    public Diagnostic? Apply(Diagnostic diagnostic) => Levels.TryGetValue(diagnostic.Code, out var level) ? level switch
    {
        RuleLevel.Off => null,
        RuleLevel.Error => diagnostic with { Severity = DiagnosticSeverity.Error },
        RuleLevel.Warning => diagnostic with { Severity = DiagnosticSeverity.Warning },
        RuleLevel.Information => diagnostic with { Severity = DiagnosticSeverity.Information },
        _ => diagnostic with { Severity = DiagnosticSeverity.Hint },
    } : diagnostic;

    /// <summary>A certlsp.json the host could not read as text (<paramref name="reason"/>): no levels, one CL0701 at its start.</summary>
    public static CheckSettings Unreadable(string path, string reason) =>
        new(path, "", ImmutableDictionary<string, RuleLevel>.Empty,
            [new DiagnosticBuilder(path).ConfigurationNotValid(new TextSpan(0, 0), reason)]);

    /// <summary>Reads certlsp.json's text (JSON with comments and trailing commas allowed). Never throws: a problem is a CL0701 at its
    /// place.</summary>
    public static CheckSettings Parse(string path, string text)
    {
        var builder = new DiagnosticBuilder(path, text);
        var problems = new List<Diagnostic>();
        var levels = ImmutableDictionary.CreateBuilder<string, RuleLevel>(StringComparer.Ordinal);
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas =
            true
        });
        TextSpan Token(in Utf8JsonReader r)
        {
            int start = Encoding.UTF8.GetCharCount(bytes, 0, (int)r.TokenStartIndex);
            int quotes = r.TokenType is JsonTokenType.String or JsonTokenType.PropertyName ? 2 : 0;
            int length = r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray ? 1 : r.ValueSpan.Length + quotes;
            return new TextSpan(start, Encoding.UTF8.GetCharCount(bytes, (int)r.TokenStartIndex,
                Math.Min(length, bytes.Length - (int)r.TokenStartIndex)));
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            problems.Add(builder.ConfigurationNotValid(new TextSpan(0, 0), "the file is empty; it must hold one JSON object"));
            return new CheckSettings(path, text, levels.ToImmutable(), [.. problems]);
        }
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                problems.Add(builder.ConfigurationNotValid(Token(reader), "the file must hold one JSON object"));
                reader.Skip();
            }
            else
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    string key = reader.GetString()!;
                    var keySpan = Token(reader);
                    reader.Read();
                    if (key == "rules" && reader.TokenType == JsonTokenType.StartObject)
                    {
                        ReadRules(ref reader, builder, problems, levels, Token);
                    }
                    else if (key == "rules")
                    {
                        problems.Add(builder.ConfigurationNotValid(Token(reader), "“rules” must be an object of codes and levels"));
                        reader.Skip();
                    }
                    else if (key == "$schema")
                    {
                        if (reader.TokenType != JsonTokenType.String) problems.Add(
                            builder.ConfigurationNotValid(Token(reader), "“$schema” must be a string, the schema's address"));
                        reader.Skip();
                    }
                    else
                    {
                        problems.Add(builder.ConfigurationNotValid(keySpan, $"unknown key “{key}”; the file has “rules” (and “$schema”)"));
                        reader.Skip();
                    }
                }
            }
            while (reader.Read())
            {
                // Anything after the object is reported by the reader as not valid JSON.
            }
        }
        catch (JsonException ex)
        {
            problems.Add(builder.ConfigurationNotValid(JsonErrorSpan(text, ex), $"not valid JSON: {JsonReason(ex)}"));
        }
        return new CheckSettings(path, text, levels.ToImmutable(), [.. problems]);
    }

    private delegate TextSpan TokenSpan(in Utf8JsonReader reader);

    private static void ReadRules(ref Utf8JsonReader reader, DiagnosticBuilder builder, List<Diagnostic> problems,
        ImmutableDictionary<string, RuleLevel>.Builder levels, TokenSpan token)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string code = reader.GetString()!;
            var codeSpan = token(reader);
            reader.Read();
            if (DiagnosticCatalog.Find(code) is null)
            {
                problems.Add(builder.ConfigurationNotValid(codeSpan,
                    $"“{code}” is not a CertLsp diagnostic code (docs/diagnostics.md lists them)"));
                reader.Skip();
                continue;
            }
            int level = reader.TokenType == JsonTokenType.String ? LevelNames.IndexOf(reader.GetString()!) : -1;
            if (level < 0)
            {
                string found = reader.TokenType == JsonTokenType.String ? $"“{reader.GetString()}”" : "not a string";
                problems.Add(builder.ConfigurationNotValid(token(reader),
                    $"the level of “{code}” is {found}; use {string.Join(", ", LevelNames[..^1])} or {LevelNames[^1]}"));
                reader.Skip();
                continue;
            }
            levels[code] = (RuleLevel)level;
        }
    }

    /// <summary>The reader's reason without its own "LineNumber: … | BytePositionInLine: …" (the diagnostic's range says where).</summary>
    private static string JsonReason(JsonException ex)
    {
        string message = ex.Message;
        int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (at < 0 ? message : message[..at]).TrimEnd('.', ' ');
    }

    /// <summary>Where the reader stopped: its line and byte in that line, as a one-character UTF-16 span (empty at a line's end).</summary>
    private static TextSpan JsonErrorSpan(string text, JsonException ex)
    {
        var lineIndex = new LineIndex(text);
        var line = lineIndex.GetLineSpan((int)Math.Min(ex.LineNumber ?? 0, int.MaxValue), text);
        long bytesLeft = ex.BytePositionInLine ?? 0;
        int offset = line.Start;
        while (offset < line.End && bytesLeft > 0)
        {
            int width = char.IsHighSurrogate(text[offset]) && offset + 1 < line.End ? 2 : 1;
            bytesLeft -= Encoding.UTF8.GetByteCount(text.AsSpan(offset, width));
            offset += width;
        }
        return new TextSpan(offset, offset < line.End ? (char.IsHighSurrogate(text[offset]) && offset + 1 < line.End ? 2 : 1) : 0);
    }
}
