using System.Text.Json;

namespace CertLsp.LanguageServer.Protocol;

/// <summary>
/// What the client said at initialize that it can do, read once from its capabilities (LSPAny, so read leniently: a value of the
/// wrong type counts as "no") and initialization options; handlers ask this record, never the raw JSON.
/// </summary>
/// <param name="WorkDoneProgress"><c>window.workDoneProgress</c>: the server may create progress tokens.</param>
/// <param name="WatchedFilesRegistration"><c>workspace.didChangeWatchedFiles.dynamicRegistration</c>: the server may ask for file
/// events.</param>
/// <param name="ClientCommands">
/// Commands the client runs itself (<c>initializationOptions.clientCommands</c> or <c>capabilities.experimental.clientCommands</c>):
/// only these, besides the server's own, may appear in actions and lenses.
/// </param>
public sealed record ClientFeatures(bool WorkDoneProgress, bool WatchedFilesRegistration, IReadOnlySet<string> ClientCommands)
{
    /// <summary>Before initialize: nothing.</summary>
    public static ClientFeatures None { get; } = new(false, false, new HashSet<string>());

    public static ClientFeatures Read(JsonElement? capabilities, JsonElement? initializationOptions)
    {
        var commands = new HashSet<string>(StringComparer.Ordinal);
        foreach (var options in new[] { initializationOptions, Find(capabilities, "experimental") })
        {
            if (Find(options, "clientCommands") is { ValueKind: JsonValueKind.Array } list)
            {
                commands.UnionWith(list.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!));
            }
        }
        return new ClientFeatures(
            Find(capabilities, "window", "workDoneProgress") is { ValueKind: JsonValueKind.True },
            Find(capabilities, "workspace", "didChangeWatchedFiles", "dynamicRegistration") is { ValueKind: JsonValueKind.True },
            commands);
    }

    /// <summary>The value at this path of object properties, or null where one is missing or not an object.</summary>
    private static JsonElement? Find(JsonElement? root, params string[] path)
    {
        var at = root;
        foreach (var name in path)
        {
            if (at is not { ValueKind: JsonValueKind.Object } o || !o.TryGetProperty(name, out var next)) return null;
            at = next;
        }
        return at;
    }
}
