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
/// <param name="CodeLensRefresh"><c>workspace.codeLens.refreshSupport</c>: the server may ask for the lenses again (when trust is
/// granted).</param>
public sealed record ClientFeatures(bool WorkDoneProgress, bool WatchedFilesRegistration, IReadOnlySet<string> ClientCommands,
    bool CodeLensRefresh = false)
{
    /// <summary>Before initialize: nothing.</summary>
    public static ClientFeatures None { get; } = new(false, false, new HashSet<string>());

    public static ClientFeatures Read(JsonElement? capabilities, InitializationOptions options)
    {
        var commands = new HashSet<string>(options.ClientCommands ?? [], StringComparer.Ordinal);
        if (LspAny.Find(capabilities, "experimental", "clientCommands") is { ValueKind: JsonValueKind.Array } list)
        {
            commands.UnionWith(list.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!));
        }
        return new ClientFeatures(
            LspAny.Find(capabilities, "window", "workDoneProgress") is { ValueKind: JsonValueKind.True },
            LspAny.Find(capabilities, "workspace", "didChangeWatchedFiles", "dynamicRegistration") is { ValueKind: JsonValueKind.True },
            commands,
            LspAny.Find(capabilities, "workspace", "codeLens", "refreshSupport") is { ValueKind: JsonValueKind.True });
    }
}
