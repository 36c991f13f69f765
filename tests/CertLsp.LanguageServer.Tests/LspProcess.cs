using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// The real <c>certlsp lsp</c> process, talked to in raw Content-Length frames as an editor no one here wrote would (eglot, Neovim):
/// every frame it writes is kept, in the order it wrote them.
/// </summary>
public sealed class LspProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder stderr = new();
    private readonly List<JsonElement> received = [];
    private int nextId = 1000;

    private LspProcess(Process process) => this.process = process;

    /// <summary>Every frame the server wrote so far, in order.</summary>
    public IReadOnlyList<JsonElement> Received => received;

    /// <summary>
    /// The server these tests start: the CLI built with this test assembly (run with <c>dotnet</c>), or the executable named by
    /// <c>CERTLSP_TEST_SERVER</c>, such as the Native AOT build (<c>scripts/publish-server.sh aot DIR</c>, then
    /// <c>CERTLSP_TEST_SERVER=DIR/certlsp dotnet test tests/CertLsp.LanguageServer.Tests --filter StdioTests</c>).
    /// </summary>
    public static (string File, string[] Arguments) Server =>
        Environment.GetEnvironmentVariable("CERTLSP_TEST_SERVER") is { Length: > 0 } server ? (server, [])
            : ("dotnet", [Repository.CliDll]);

    public static LspProcess Start(IEnumerable<string>? arguments = null, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var (file, prefix) = Server;
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var a in prefix.Concat(["lsp", "--stdio"]).Concat(arguments ?? [])) start.ArgumentList.Add(a);
        start.Environment.Remove("CERTLSP_TRACE");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        var lsp = new LspProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (lsp.stderr) lsp.stderr.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        return lsp;
    }

    /// <summary>What the server wrote to stderr (complete once it has exited).</summary>
    public string Stderr
    {
        get
        {
            lock (stderr) return stderr.ToString();
        }
    }

    public Task Send(string json) => LifecycleTests.WriteFrame(process.StandardInput.BaseStream, json);

    /// <summary>A frame with this method and id (a request) or without an id (a notification); params left out when null.</summary>
    public static string Frame(string method, string? parameters, int? id = null) =>
        $"{{\"jsonrpc\":\"2.0\",{(id is { } n ? $"\"id\":{n}," : "")}" +
            $"\"method\":{JsonSerializer.Serialize(method)}{(parameters is null ? "" : $",\"params\":{parameters}")}}}";

    /// <summary>Sends a request and reads frames until its response.</summary>
    public async Task<JsonElement> Request(string method, string? parameters)
    {
        int id = Interlocked.Increment(ref nextId);
        await Send(Frame(method, parameters, id));
        return await ResponseTo(id);
    }

    public Task Notify(string method, string? parameters) => Send(Frame(method, parameters));

    /// <summary>Reads frames until the response with this id; requests from the server are answered with null.</summary>
    public async Task<JsonElement> ResponseTo(int id)
    {
        while (true)
        {
            var frame = await Next();
            bool hasMethod = frame.TryGetProperty("method", out _);
            if (frame.TryGetProperty("id", out var got) && !hasMethod && got.ValueKind == JsonValueKind.Number
                && got.GetInt32() == id) return frame;
        }
    }

    /// <summary>Reads frames until one satisfies the condition.</summary>
    public async Task<JsonElement> Until(Func<JsonElement, bool> condition)
    {
        while (true)
        {
            var frame = await Next();
            if (condition(frame)) return frame;
        }
    }

    private async Task<JsonElement> Next()
    {
        var frame = await LifecycleTests.ReadFrame(process.StandardOutput.BaseStream);
        received.Add(frame);
        if (frame.TryGetProperty("method", out _) && frame.TryGetProperty("id", out var id))
        {
            await Send($"{{\"jsonrpc\":\"2.0\",\"id\":{id.GetRawText()},\"result\":null}}");
        }
        return frame;
    }

    /// <summary>The exit code, once the process has ended on its own (the test fails after the timeout).</summary>
    public int ExitCode(TimeSpan timeout)
    {
        Assert.True(process.WaitForExit(timeout), $"certlsp lsp did not exit; stderr:\n{Stderr}");
        process.WaitForExit(); // and its stderr is read to the end
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }
}
