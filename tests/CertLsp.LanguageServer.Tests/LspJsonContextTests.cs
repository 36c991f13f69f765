using System.Reflection;
using System.Text.Json;
using CertLsp.LanguageServer.Commands;
using CertLsp.LanguageServer.Handlers;
using CertLsp.LanguageServer.Protocol;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// The server reads and writes JSON from its source-generated <see cref="LspJsonContext"/> alone (no reflection: the Native AOT build
/// has none). A type that a handler, a command or a notification uses and the context lacks would fail only when that message is
/// sent; here it fails at once, by name.
/// </summary>
public sealed class LspJsonContextTests
{
    private static readonly JsonSerializerOptions Options = CertLspServer.SerializerOptions();

    private static bool Resolves(Type type) => Options.TypeInfoResolver!.GetTypeInfo(type, Options) is not null;

    /// <summary>The types on the wire of a handler method: its params record (a CancellationToken aside) and its result, a task's
    /// result unwrapped.</summary>
    private static IEnumerable<Type> WireTypes(MethodInfo method)
    {
        foreach (var p in method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken))) yield return p.ParameterType;
        var result = method.ReturnType;
        if (result.IsGenericType && result.GetGenericTypeDefinition() == typeof(Task<>)) result = result.GetGenericArguments()[0];
        if (result != typeof(void) && result != typeof(Task)) yield return result;
    }

    [Fact]
    public void Every_handler_methods_params_and_result_resolve_from_the_context()
    {
        var handlers = typeof(CertLspServer).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(LifecycleHandler).Namespace && t.Name.EndsWith("Handler", StringComparison.Ordinal));
        var methods = handlers.SelectMany(h => h.GetMethods()).Where(m => m.GetCustomAttribute<JsonRpcMethodAttribute>() is not null)
            .ToArray();
        Assert.True(methods.Length >= 20, $"only {methods.Length} handler methods found");
        var missing = methods.SelectMany(m => WireTypes(m).Where(t => !Resolves(t)).Select(t => $"{m.DeclaringType!.Name}.{m.Name}: {t}"));
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_commands_arguments_and_result_resolve_from_the_context()
    {
        var missing = CommandRegistry.Default.Commands.SelectMany(c => new[] { c.ArgumentsType, c.ResultType }.Where(t => !Resolves(t))
            .Select(t => $"{c.Name}: {t}"));
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_protocol_record_resolves_from_the_context()
    {
        // The notifications and requests the server sends (logMessage, $/progress, publishDiagnostics, registerCapability, …) and
        // command arguments take these records typed as object: only the context can say how to write them. The records read by hand
        // from LSPAny (a static Read: initializationOptions, settings, client capabilities) are never serialized.
        var records = typeof(CertLspServer).Assembly.GetTypes().Where(t => t.Namespace == typeof(Methods).Namespace && t.IsPublic
            && t.GetMethod("<Clone>$") is not null && t.GetMethod("Read", BindingFlags.Public | BindingFlags.Static) is null).ToArray();
        Assert.True(records.Length >= 60, $"only {records.Length} protocol records found");
        Assert.Empty(records.Where(t => !Resolves(t)).Select(t => t.Name));
    }

    [Fact]
    public void A_type_outside_the_context_is_not_resolved_by_reflection()
    {
        // The test above can fail: the server's options have no reflection fallback.
        Assert.False(Resolves(typeof(Version)));
        Assert.Throws<NotSupportedException>(() => JsonSerializer.Serialize(new { id = 1 }, Options));
    }

    [Fact]
    public void The_file_watcher_registration_is_written_as_the_protocol_spells_it()
    {
        Assert.Equal("""{"registrations":[{"id":"certlsp-files","method":"workspace/didChangeWatchedFiles","registerOptions":""" +
            """{"watchers":[{"globPattern":"**/*.site.{yaml,yml,ledger}"},{"globPattern":"**/.certlspignore"},""" +
            """{"globPattern":"**/certlsp.json"}]}}]}""",
            JsonSerializer.Serialize<object>(LifecycleHandler.FileWatchers, Options));
    }

    [Fact]
    public void A_cancel_request_carries_the_id_as_a_number_or_a_string()
    {
        Assert.Equal("""{"id":42}""", JsonSerializer.Serialize<object>(new CancelParams(42L), Options));
        Assert.Equal("""{"id":"a"}""", JsonSerializer.Serialize<object>(new CancelParams("a"), Options));
    }
}
