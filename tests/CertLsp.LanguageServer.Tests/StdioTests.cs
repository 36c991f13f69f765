using System.Reflection;
using System.Text;
using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// The real <c>certlsp lsp</c> over stdio in raw frames, as editors no one here wrote drive it: params as each sends them, shutdown
/// and exit, the order of progress reports, and what reaches stderr.
/// </summary>
public sealed class StdioTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("certlsp-stdio-").FullName;

    private enum Takes
    {
        Nothing,
        OptionalObject,
        RequiredObject,
    }

    /// <summary>Every method the server handles, with what LSP 3.17 (or our contract, for ours) says it takes.</summary>
    private static readonly (string Method, bool Request, Takes Params)[] Handled =
    [
        (Methods.Initialize, true, Takes.RequiredObject),
        (Methods.Initialized, false, Takes.OptionalObject), // InitializedParams: an empty object; eglot and others send null
        (Methods.Shutdown, true, Takes.Nothing),
        (Methods.Exit, false, Takes.Nothing),
        (Methods.SetTrace, false, Takes.RequiredObject),
        (Methods.CancelRequest, false, Takes.RequiredObject),
        (Methods.DidOpen, false, Takes.RequiredObject),
        (Methods.DidChange, false, Takes.RequiredObject),
        (Methods.DidClose, false, Takes.RequiredObject),
        (Methods.DidSave, false, Takes.RequiredObject),
        (Methods.DidChangeWatchedFiles, false, Takes.RequiredObject),
        // settings: any; only certlsp.manifests.exclude and workspaceTrusted are read
        (Methods.DidChangeConfiguration, false, Takes.OptionalObject),
        (Methods.CodeAction, true, Takes.RequiredObject),
        (Methods.Completion, true, Takes.RequiredObject),
        (Methods.Hover, true, Takes.RequiredObject),
        (Methods.DocumentSymbol, true, Takes.RequiredObject),
        (Methods.CodeLens, true, Takes.RequiredObject),
        (Methods.Definition, true, Takes.RequiredObject),
        (Methods.FoldingRange, true, Takes.RequiredObject),
        (Methods.SelectionRange, true, Takes.RequiredObject),
        (Methods.ExecuteCommand, true, Takes.RequiredObject),
        (CertLspCommands.SiteStatus, true, Takes.RequiredObject),
        (CertLspCommands.WorkDoneProgressCancel, false, Takes.RequiredObject),
    ];

    /// <summary>Params as clients send them (a missing value: params left out), and whether each is "none".</summary>
    private static readonly (string Name, string? Json, bool None)[] Variants =
    [
        ("null", "null", true),
        ("absent", null, true),
        ("{}", "{}", true),
        ("[]", "[]", true),
        ("an array", """[{"textDocument":{"uri":"file:///other.site.yaml"}}]""", false),
        ("a number", "7", false),
        ("a string", "\"text\"", false),
        ("fields of the wrong type", """
            {"textDocument":7,"position":"here","range":1,"positions":{},"context":3,"command":[],"arguments":5,"uri":5,"value":9,"changes":"y","contentChanges":4,"id":{},"token":[],"processId":"p","rootUri":5,"capabilities":"c"}
            """, false),
    ];

    private const string Probe = "file:///probe.site.yaml";

    [Fact]
    public void The_table_covers_every_method_the_server_handles()
    {
        var handled = typeof(CertLspServer).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetCustomAttributes<JsonRpcMethodAttribute>())
            .Select(a => a.Name!)
            .Append(Methods.CancelRequest) // StreamJsonRpc's own
            .Order(StringComparer.Ordinal);
        Assert.Equal(handled, Handled.Select(h => h.Method).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_method_takes_params_null_absent_or_empty_where_it_can_and_answers_bad_ones_with_invalid_params()
    {
        using var server = LspProcess.Start();
        var rest = Handled.Where(h => h.Method is not (Methods.Initialize or Methods.Exit)).ToList();

        // Before initialize only initialize is served: its bad params first (each answered -32602, none initializes), then {}.
        foreach (var variant in Variants.Where(v => v.Json != "{}"))
        {
            var answer = await server.Request(Methods.Initialize, variant.Json);
            Assert.True(ErrorCode(answer) == ErrorCodes.InvalidParams, $"initialize with params {variant.Name}: {answer}");
        }
        Assert.True((await server.Request(Methods.Initialize, "{}")).TryGetProperty("result", out _));
        await server.Notify(Methods.DidOpen,
            $$$"""{"textDocument":{"uri":"{{{Probe}}}","languageId":"yaml","version":1,"text":"site: Probe\n"}}""");
        await ProbeAsync(server, "after initialize");

        var outcomes = new List<string>();
        foreach (var (method, request, takes) in rest)
        {
            foreach (var variant in Variants)
            {
                // shutdown with none of its params is the last step below: the server serves nothing after it
                if (method == Methods.Shutdown && variant.None) continue;
                string what = $"{method} with params {variant.Name}";
                if (request)
                {
                    var answer = await server.Request(method, variant.Json);
                    bool accepted = (takes == Takes.Nothing && variant.None) || (takes == Takes.OptionalObject && variant.None);
                    if (accepted && !answer.TryGetProperty("result", out _)) outcomes.Add($"{what}: refused {answer}");
                    else if (!accepted && ErrorCode(answer) != ErrorCodes.InvalidParams) outcomes.Add(
                        $"{what}: expected -32602, got {answer}");
                }
                else
                {
                    await server.Notify(method, variant.Json);
                }
                await ProbeAsync(server, what); // and the server keeps serving
            }
        }
        Assert.Empty(outcomes);
        // A notification is never answered, whatever its params.
        Assert.DoesNotContain(server.Received, f => f.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Null);

        var shutdown = await server.Request(Methods.Shutdown, "null");
        Assert.True(shutdown.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Null, shutdown.ToString());
        await server.Notify(Methods.Exit, "null");
        Assert.Equal(0, server.ExitCode(TimeSpan.FromSeconds(20)));
    }

    [Theory]
    [InlineData("null", "null", true, 0)]
    [InlineData(null, null, true, 0)]
    [InlineData("{}", "{}", true, 0)]
    [InlineData("[]", "[]", true, 0)]
    [InlineData(null, "null", false, 1)] // exit without shutdown: 1 (LSP)
    [InlineData(null, "{}", false, 1)]
    public async Task Shutdown_answers_null_and_exit_ends_the_process(string? shutdownParams, string? exitParams, bool shutdown,
        int exitCode)
    {
        using var server = LspProcess.Start();
        Assert.True((await server.Request(Methods.Initialize, """{"processId":null,"rootUri":null,"capabilities":{}}""")).TryGetProperty(
            "result", out _));
        await server.Notify(Methods.Initialized, "null");
        if (shutdown)
        {
            var answer = await server.Request(Methods.Shutdown, shutdownParams);
            Assert.True(answer.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Null, answer.ToString());
        }
        await server.Notify(Methods.Exit, exitParams);
        Assert.Equal(exitCode, server.ExitCode(TimeSpan.FromSeconds(20)));
    }

    /// <summary>A request the server answers when it serves: document symbols of the probe document.</summary>
    private static async Task ProbeAsync(LspProcess server, string after)
    {
        var answer = await server.Request(Methods.DocumentSymbol, $$$"""{"textDocument":{"uri":"{{{Probe}}}"}}""");
        Assert.True(answer.TryGetProperty("result", out var symbols) && symbols.ValueKind == JsonValueKind.Array,
            $"after {after}: {answer}");
    }

    private static int? ErrorCode(JsonElement frame) =>
        frame.TryGetProperty("error", out var error) ? error.GetProperty("code").GetInt32() : null;

    [Fact]
    public async Task Progress_reports_arrive_in_order_with_a_percentage_that_never_goes_down()
    {
        var text = new StringBuilder(
            "site: Order\ndomain: bms.test.example\nsubject: " +
            "{ country: DE, state: S, locality: L, organization: O, organizationalUnit: U }\nkey: " +
            "{ algorithm: ecdsa, curve: P-256, source: local }\ndevices:\n");
        for (int i = 1; i <= 5; i++) text.Append($"  - name: dev-{i:D3}\n    instance: {1000 + i}\n");
        string manifest = Path.Combine(folder, "order.site.yaml");
        File.WriteAllText(manifest, text.ToString());
        string uri = new Uri(manifest).AbsoluteUri;
        using var server = LspProcess.Start();
        await server.Request(Methods.Initialize, """{"capabilities":{}}""");
        await server.Notify(Methods.Initialized, "{}");

        // Five devices finish their keys at nearly the same moment: the case where the last report overtook the first.
        var problems = new List<string>();
        for (int run = 0; run < 12; run++)
        {
            string token = $"run-{run}";
            var answer = await server.Request(Methods.ExecuteCommand,
                $$$"""
                    {"command":"certlsp.generateCsrs","arguments":[{"uri":"{{{uri}}}","scope":"all","pending":"overwrite"}],"workDoneToken":"{{{token}}}"}
                    """);
            Assert.True(answer.TryGetProperty("result", out var result) && result.GetProperty("requested").GetInt32() == 5,
                answer.ToString());
            // The end is sent before the answer; every report of this token is in what was read up to here.
            var values = server.Received
                .Where(f => f.TryGetProperty("method", out var m) && m.GetString() == Methods.Progress
                    && f.GetProperty("params").GetProperty("token").GetString() == token)
                .Select(f => f.GetProperty("params").GetProperty("value"))
                .ToList();
            var kinds = values.Select(v => v.GetProperty("kind").GetString()).ToList();
            if (kinds.Count < 3 || kinds[0] != "begin" || kinds[^1] != "end" || kinds.Skip(1).SkipLast(1).Any(k => k != "report"))
            {
                problems.Add($"{token}: {string.Join(", ", kinds)}");
                continue;
            }
            var percentages = values.Skip(1).SkipLast(1).Select(v => v.GetProperty("percentage").GetInt32()).ToList();
            if (percentages.Zip(percentages.Skip(1)).Any(p => p.Second < p.First) || percentages[^1] != 100)
            {
                problems.Add($"{token}: {string.Join(", ",
                    values.Skip(1).SkipLast(1).Select(v => $"{v.GetProperty("percentage").GetInt32()}% {v.GetProperty("message").GetString()}"))}");
            }
        }
        Assert.Empty(problems);
    }

    [Theory]
    [InlineData(null, null, null, false, false)]
    [InlineData(null, null, "messages", false, true)]
    [InlineData("--verbose", null, null, true, false)]
    [InlineData(null, "1", null, true, false)]
    public async Task Stderr_carries_traces_only_when_asked_for_and_logTrace_when_the_client_asked(string? flag, string? variable,
        string? trace, bool stderrTrace, bool logTrace)
    {
        using var server = LspProcess.Start(
            flag is null ? null : [flag],
            variable is null ? null : new Dictionary<string, string> { ["CERTLSP_TRACE"] = variable });
        await server.Request(Methods.Initialize, trace is null ? """{"capabilities":{}}"""
            : $$$"""{"capabilities":{},"trace":"{{{trace}}}"}""");
        await server.Notify(Methods.Initialized, "{}");
        const string uri = "file:///stderr.site.yaml";
        await server.Notify(Methods.DidOpen,
            $$$"""{"textDocument":{"uri":"{{{uri}}}","languageId":"yaml","version":1,"text":"site: A\nunknown: 1\n"}}""");
        for (int version = 2; version <= 4; version++)
        {
            await server.Notify(Methods.DidChange, $$$"""
                {"textDocument":{"uri":"{{{uri}}}","version":{{{version}}}},"contentChanges":[{"text":"site: A\nunknown: {{{version}}}\n"}]}
                """);
            await server.Until(f => f.TryGetProperty("method", out var m) && m.GetString() == Methods.PublishDiagnostics
                && f.GetProperty("params").TryGetProperty("version", out var v) && v.GetInt32() == version);
        }
        await server.Request(Methods.Shutdown, null);
        await server.Notify(Methods.Exit, null);
        Assert.Equal(0, server.ExitCode(TimeSpan.FromSeconds(20)));
        string stderr = server.Stderr;
        if (stderrTrace) Assert.Contains("diagnostics: 1 open document(s)", stderr);
        else Assert.True(stderr.Length == 0, $"stderr with trace off and no --verbose:\n{stderr}");
        Assert.Equal(logTrace, server.Received.Any(f => f.TryGetProperty("method", out var m) && m.GetString() == Methods.LogTrace));
    }

    public void Dispose()
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
