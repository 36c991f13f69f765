using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using CertLsp.LanguageServer.Commands;
using CertLsp.LanguageServer.Handlers;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;
using StreamJsonRpc;

namespace CertLsp.LanguageServer;

/// <summary>
/// The CertLsp language server over a pair of streams (stdio in production, an in-memory duplex in tests).
/// One handler class per LSP area; every rule, fix and action lives in the core.
/// </summary>
public sealed class CertLspServer : IAsyncDisposable
{
    private readonly JsonRpc rpc;
    private readonly SerialSynchronizationContext dispatch;
    private readonly LspMessageHandler handler;

    /// <param name="verbose">Every log line and trace to stderr as well (otherwise only warnings and errors go there).</param>
    public CertLspServer(Stream input, Stream output, TextWriter log, TimeSpan? debounce = null, bool verbose = false)
    {
        Context = new ServerContext(new ServerWorkspace(), log, verbose);
        var formatter = CreateFormatter(CreateOptions()); // the formatter adds its own converters
        handler = new LspMessageHandler(input, output, formatter, m => Context.Log(m, MessageType.Warning));
        rpc = new LspJsonRpc(handler);
        dispatch = new SerialSynchronizationContext(ex => Context.Log($"handler failed: {ex}", MessageType.Error));
        rpc.SynchronizationContext = dispatch;
        rpc.ExceptionStrategy = ExceptionProcessing.CommonErrorData;
        rpc.CancellationStrategy = handler.Cancellation;
        handler.Cancellation.Notify = rpc.Notify;
        Context.Attach(rpc);
        Context.Publisher = new DiagnosticPublisher(
            p => rpc.Notify(Methods.PublishDiagnostics, p),
            () => Context.Workspace.Snapshot,
            m => Context.Log(m, MessageType.Error),
            debounce ?? TimeSpan.Zero,
            Context.LogTrace);
        Context.Workspace.Changed += _ => Context.Publisher.Schedule();

        var commands = CommandRegistry.Default;
        RpcTarget[] handlers =
        [
            RpcTarget.Of(new LifecycleHandler(Context, () => Capabilities(commands))),
            RpcTarget.Of(new TextDocumentSyncHandler(Context)),
            RpcTarget.Of(new WatchedFilesHandler(Context)),
            RpcTarget.Of(new ConfigurationHandler(Context)),
            RpcTarget.Of(new CodeActionHandler(Context)),
            RpcTarget.Of(new CompletionHandler(Context)),
            RpcTarget.Of(new HoverHandler(Context)),
            RpcTarget.Of(new DocumentSymbolHandler(Context)),
            RpcTarget.Of(new DefinitionHandler(Context)),
            RpcTarget.Of(new FoldingRangeHandler(Context)),
            RpcTarget.Of(new SelectionRangeHandler(Context)),
            RpcTarget.Of(new CodeLensHandler(Context)),
            RpcTarget.Of(new ExecuteCommandHandler(Context, commands)),
            RpcTarget.Of(new SiteStatusHandler(Context)),
        ];
        foreach (var target in handlers)
        {
            rpc.AddLocalRpcTarget(target.Metadata, target.Target, new JsonRpcTargetOptions { NotifyClientOfEvents = false });
        }
        handler.Methods = ParamsOf(handlers.Select(h => h.Metadata));
        rpc.Disconnected += (_, e) =>
        {
            Context.Log($"connection closed: {e.Description}");
            Context.Exit.TrySetResult(Context.IsShutDown ? 0 : 1);
        };
        rpc.StartListening();
    }

    public ServerContext Context { get; }

    /// <summary>
    /// What each handled method takes as params, read from its handler's signature (a CancellationToken aside): no parameter is
    /// <see cref="ParamsShape.None"/>, a nullable one <see cref="ParamsShape.Optional"/>, any other <see cref="ParamsShape.Required"/>.
    /// </summary>
    public static Dictionary<string, MethodParams> ParamsOf(IEnumerable<RpcTargetMetadata> targets)
    {
        var nullability = new System.Reflection.NullabilityInfoContext();
        var shapes = new Dictionary<string, MethodParams>(StringComparer.Ordinal);
        var methods = targets.SelectMany(t => t.Methods.Values.Concat(t.AliasedMethods.Values)).SelectMany(m => m)
            .Select(m => m.MethodInfo).Distinct();
        foreach (var method in methods)
        {
            if (method.GetCustomAttributes(typeof(JsonRpcMethodAttribute),
                false) is not [JsonRpcMethodAttribute { Name: { } name }]) continue;
            var parameters = method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)).ToArray();
            shapes[name] = parameters switch
            {
                [] => new(ParamsShape.None, null),
                [var one] when one.HasDefaultValue || nullability.Create(one).ReadState == System.Reflection.NullabilityState.Nullable =>
                    new(ParamsShape.Optional, one.ParameterType),
                [var one] => new(ParamsShape.Required, one.ParameterType),
                _ => throw new InvalidOperationException($"{name}: a handler takes one params record at most"),
            };
        }
        return shapes;
    }

    /// <summary>The exit code: 0 after shutdown then exit, 1 for exit without shutdown or a vanished client.</summary>
    public Task<int> Completion => Context.Exit.Task;

    /// <summary>What initialize advertises; the commands from the registry that runs them.</summary>
    public static ServerCapabilities Capabilities() => Capabilities(CommandRegistry.Default);

    public static ServerCapabilities Capabilities(CommandRegistry commands) => new(
        new TextDocumentSyncOptions(true, TextDocumentSyncKind.Incremental, new SaveOptions(false)),
        new CompletionOptions([":", " ", "-"], false),
        HoverProvider: true,
        DocumentSymbolProvider: true,
        DefinitionProvider: true,
        FoldingRangeProvider: true,
        SelectionRangeProvider: true,
        new CodeActionOptions([CodeActionKind.QuickFix, CodeActionKind.SourceGenerateCsrs, CodeActionKind.SourceImport], false),
        new CodeLensOptions(false),
        new ExecuteCommandOptions(commands.Names, true));

    private static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>The protocol's JSON options, one shared instance (System.Text.Json caches its metadata per instance).</summary>
    public static JsonSerializerOptions SerializerOptions() => Options;

    public static JsonSerializerOptions CreateOptions() => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Every type the protocol reads or writes from source-generated metadata, none by reflection: no reflection or emitted
        // accessors at start-up, and the same server compiled ahead of time (Native AOT: scripts/publish-server.sh aot), where
        // reflection-based serialization does not exist. LspJsonContextTests hold the context and the handlers together.
        TypeInfoResolver = LspJsonContext.Default,
    };

    /// <summary>
    /// StreamJsonRpc's System.Text.Json formatter over these options. The formatter is marked as needing reflection and dynamic code
    /// because it serializes whatever its options resolve; here they resolve from <see cref="LspJsonContext"/> only, and its
    /// exotic-type converters (progress, streams, marshalable objects) are never met: no handler takes or returns such a type.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "user data resolved by LspJsonContext; see the summary")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "user data resolved by LspJsonContext; see the summary")]
    public static SystemTextJsonFormatter CreateFormatter(JsonSerializerOptions options) => new() { JsonSerializerOptions = options };

    /// <summary>
    /// How params and command arguments are read, once, at dispatch: a record's non-nullable members are required and never null, so
    /// a handler holds exactly what the record's types say (a client that leaves out a required field gets invalid params).
    /// </summary>
    public static JsonSerializerOptions ParamsOptions { get; } = new(Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public async ValueTask DisposeAsync()
    {
        rpc.Dispose();
        dispatch.Complete();
        handler.Dispose();
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
