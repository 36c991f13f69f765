using System.Collections.Immutable;
using System.Text.Json;
using CertLsp.LanguageServer.Workspace;

namespace CertLsp.LanguageServer.Protocol;

/// <summary>
/// initializationOptions as this server reads them: LSPAny, so read once at initialize and leniently (a value of the wrong type is
/// left out and named in <c>ignored</c>, never a failed initialize); handlers ask this record, never the JSON. client/src/protocol.ts
/// declares what the VS Code client sends (ProtocolContractTests hold the two to each other).
/// </summary>
/// <param name="WarningDays">The expiry warning window for manifests without certificates.warningDays (0..3650).</param>
/// <param name="ExtraGlobs">The client's extra manifest globs (its document selector); the server reads the folders by its own
/// scope.</param>
/// <param name="Exclude">certlsp.manifests.exclude: globs the workspace scan leaves out.</param>
/// <param name="Bacnet">The editor's BACnet settings.</param>
/// <param name="ClientCommands">Commands the client runs itself, which the server may put in its actions and lenses.</param>
/// <param name="WorkspaceTrusted">
/// Whether the editor trusts the workspace. Only then does the server run a program (git, for the review command and the rename
/// lenses). Absent means untrusted: a client that says nothing about trust gets no git.
/// </param>
public sealed record InitializationOptions(
    int? WarningDays = null,
    string[]? ExtraGlobs = null,
    ImmutableArray<string>? Exclude = null,
    EditorBacnet? Bacnet = null,
    string[]? ClientCommands = null,
    bool? WorkspaceTrusted = null)
{
    public static InitializationOptions None { get; } = new();

    public static InitializationOptions Read(JsonElement? json, Action<string> ignored)
    {
        if (json is not { ValueKind: JsonValueKind.Object } options) return None;
        int? warningDays = null;
        if (options.TryGetProperty("warningDays", out var days))
        {
            if (days.ValueKind == JsonValueKind.Number && days.TryGetInt32(out int n) && n is >= 0 and <= 3650) warningDays = n;
            else ignored("warningDays is not a whole number from 0 to 3650: ignored");
        }
        var bacnet = EditorBacnet.Read(options, ignored);
        return new InitializationOptions(
            warningDays,
            LspAny.Strings(options, "extraGlobs", ignored),
            options.TryGetProperty("exclude", out var exclude) ? ManifestScope.ReadGlobs(exclude, m => ignored($"exclude: {m}")) : null,
            bacnet == EditorBacnet.None ? null : bacnet,
            LspAny.Strings(options, "clientCommands", ignored),
            LspAny.Bool(options, "workspaceTrusted", ignored));
    }
}

/// <summary>
/// workspace/didChangeConfiguration's <c>settings</c> as this server reads them, once per notification: VS Code's “certlsp” section
/// (certlsp.manifests.exclude), and <c>workspaceTrusted</c> at the top, outside that section, so that a folder's own settings
/// (.vscode/settings.json) can never claim trust; the VS Code client sends it when the folder becomes trusted.
/// </summary>
public sealed record ConfigurationSettings(ImmutableArray<string>? Exclude = null, bool? WorkspaceTrusted = null)
{
    public static ConfigurationSettings Read(JsonElement? parameters, Action<string> ignored)
    {
        if (LspAny.Find(parameters, "settings") is not { ValueKind: JsonValueKind.Object } settings) return new();
        var exclude = LspAny.Find(settings, "certlsp", "manifests", "exclude") is { } globs ? ManifestScope.ReadGlobs(globs, ignored)
            : null;
        return new ConfigurationSettings(exclude, LspAny.Bool(settings, "workspaceTrusted", ignored));
    }
}

/// <summary>Lenient reading of LSPAny values: a missing value is null, a value of the wrong type null and named.</summary>
internal static class LspAny
{
    /// <summary>The value at this path of object properties, or null where one is missing or not an object.</summary>
    public static JsonElement? Find(JsonElement? root, params string[] path)
    {
        var at = root;
        foreach (var name in path)
        {
            if (at is not { ValueKind: JsonValueKind.Object } o || !o.TryGetProperty(name, out var next)) return null;
            at = next;
        }
        return at;
    }

    public static bool? Bool(JsonElement owner, string name, Action<string> ignored)
    {
        if (!owner.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.Null) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        ignored($"{name} is not true or false: ignored");
        return null;
    }

    public static string[]? Strings(JsonElement owner, string name, Action<string> ignored)
    {
        if (!owner.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
        {
            return [.. value.EnumerateArray().Select(v => v.GetString()!)];
        }
        ignored($"{name} is not a list of text: ignored");
        return null;
    }
}
