using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamJsonRpc;
using CertLsp.LanguageServer.Protocol;
using StreamJsonRpc.Protocol;

namespace CertLsp.LanguageServer;

/// <summary>
/// LSP framing (Content-Length headers) over a pair of streams, hardened for a client that misbehaves:
/// a frame that is not JSON is answered with a parse error (-32700), a JSON value that is not a JSON-RPC
/// message with an invalid-request error (-32600), and the server goes on reading instead of disconnecting.
/// </summary>
public sealed class LspMessageHandler(Stream input, Stream output, SystemTextJsonFormatter formatter, Action<string> log) : IJsonRpcMessageHandler, IDisposable
{
    /// <summary>Frames above this are drained and refused (a 50 MB manifest still fits).</summary>
    public const int MaxFrameBytes = 256 * 1024 * 1024;

    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly byte[] headerBuffer = new byte[8192];

    public bool CanRead => true;

    public bool CanWrite => true;

    public IJsonRpcMessageFormatter Formatter => formatter;

    public async ValueTask<JsonRpcMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int? length = await ReadHeadersAsync(cancellationToken).ConfigureAwait(false);
            if (length is null) return null; // end of stream
            if (length < 0 || length > MaxFrameBytes)
            {
                await WriteErrorAsync(null, ErrorCodes.InvalidRequest, $"message of {length} bytes refused (at most {MaxFrameBytes})", cancellationToken).ConfigureAwait(false);
                if (length > 0 && !await SkipAsync(length.Value, cancellationToken).ConfigureAwait(false)) return null;
                continue;
            }
            byte[] body = ArrayPool<byte>.Shared.Rent(Math.Max(1, length.Value));
            try
            {
                if (!await ReadExactlyAsync(body.AsMemory(0, length.Value), cancellationToken).ConfigureAwait(false)) return null;
                var message = body.AsMemory(0, length.Value);
                string? problem = Validate(message, out JsonElement? id, out int code, out bool answer, out byte[]? rewritten);
                if (problem is not null)
                {
                    log($"refused a message: {problem}");
                    if (answer) await WriteErrorAsync(id, code, problem, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                try
                {
                    return formatter.Deserialize(new ReadOnlySequence<byte>(rewritten ?? message.ToArray()));
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException or NotSupportedException)
                {
                    log($"refused a message: {ex.Message}");
                    await WriteErrorAsync(id, ErrorCodes.InvalidRequest, "invalid JSON-RPC message: " + ex.Message, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    public async ValueTask WriteAsync(JsonRpcMessage jsonRpcMessage, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        formatter.Serialize(buffer, jsonRpcMessage);
        await WriteFrameAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What each method the server handles takes as params (from its handler's signature): nothing, an optional object or a required
    /// object. Methods not listed get their params as sent (an unknown method is answered -32601).
    /// </summary>
    public IReadOnlyDictionary<string, ParamsShape> Shapes { get; set; } = new Dictionary<string, ParamsShape>();

    /// <summary>
    /// Checks that a frame is a JSON-RPC 2.0 object and that its params fit its method; returns a reason (with the error code, and
    /// whether to answer: never a notification) when it does not. Params that are absent, <c>null</c>, <c>{}</c> or <c>[]</c> are
    /// "none" (JSON-RPC lets a client omit them; LSP clients send <c>null</c> for parameterless methods): a method that takes nothing
    /// gets none, one whose params are optional gets <c>{}</c>. A request with params its method cannot take is answered -32602;
    /// such a notification is dropped (and logged), except that params are ignored where the method takes none (<c>exit</c> always exits).
    /// </summary>
    private string? Validate(ReadOnlyMemory<byte> body, out JsonElement? id, out int code, out bool answer, out byte[]? rewritten)
    {
        id = null;
        code = ErrorCodes.InvalidRequest;
        answer = true;
        rewritten = null;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            code = ErrorCodes.ParseError;
            return "parse error: " + ex.Message;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "a JSON-RPC message is a JSON object";
            bool hasId = root.TryGetProperty("id", out var idElement);
            if (hasId)
            {
                if (idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number) id = idElement.Clone();
                else if (idElement.ValueKind != JsonValueKind.Null) return "the id must be a string or a number";
            }
            if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0") return "\"jsonrpc\": \"2.0\" is missing";
            bool hasMethod = root.TryGetProperty("method", out var method);
            if (hasMethod && method.ValueKind != JsonValueKind.String) return "the method must be a string";
            if (!hasMethod)
            {
                return root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _) ? null : "neither a request, a notification nor a response";
            }
            string name = method.GetString()!;
            bool hasParams = root.TryGetProperty("params", out var parameters);
            bool none = !hasParams || parameters.ValueKind == JsonValueKind.Null
                || (parameters.ValueKind == JsonValueKind.Object && !parameters.EnumerateObject().Any())
                || (parameters.ValueKind == JsonValueKind.Array && parameters.GetArrayLength() == 0);
            string? problem = Shapes.TryGetValue(name, out var shape)
                ? shape switch
                {
                    ParamsShape.None when none || !hasId => Rewrite(root, out rewritten, null),
                    ParamsShape.None => $"invalid params for {name}: it takes none",
                    ParamsShape.Optional when none => Rewrite(root, out rewritten, "{}"),
                    _ when parameters.ValueKind == JsonValueKind.Object => null,
                    _ => $"invalid params for {name}: {(hasParams ? parameters.ValueKind.ToString().ToLowerInvariant() : "none")} given, an object is required",
                }
                : hasParams && parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array) ? Rewrite(root, out rewritten, null) // answered -32601
                : null;
            if (problem is null) return null;
            code = ErrorCodes.InvalidParams;
            answer = hasId;
            return problem;
        }
    }

    /// <summary>The message with its params replaced (by this JSON, or left out when null); always "no problem".</summary>
    private static string? Rewrite(JsonElement root, out byte[] rewritten, string? parameters)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                if (property.NameEquals("params")) continue;
                property.WriteTo(json);
            }
            if (parameters is not null)
            {
                json.WritePropertyName("params");
                json.WriteRawValue(parameters);
            }
            json.WriteEndObject();
        }
        rewritten = buffer.WrittenSpan.ToArray();
        return null;
    }

    private async ValueTask WriteErrorAsync(JsonElement? id, int code, string message, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("jsonrpc", "2.0");
            json.WritePropertyName("id");
            if (id is { } value) value.WriteTo(json); else json.WriteNullValue();
            json.WriteStartObject("error");
            json.WriteNumber("code", code);
            json.WriteString("message", message);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await WriteFrameAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteFrameAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        byte[] header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            await output.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>Reads header lines up to the blank line; returns Content-Length, -1 for a header block without one, null at end of stream.</summary>
    private async ValueTask<int?> ReadHeadersAsync(CancellationToken cancellationToken)
    {
        int length = -1;
        bool any = false;
        while (true)
        {
            string? line = await ReadHeaderLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null) return any ? -1 : null;
            if (line.Length == 0)
            {
                if (!any) continue; // stray blank lines between frames
                return length;
            }
            any = true;
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(line[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            {
                length = value;
            }
        }
    }

    private async ValueTask<string?> ReadHeaderLineAsync(CancellationToken cancellationToken)
    {
        int count = 0;
        var one = new byte[1];
        while (true)
        {
            int read = await input.ReadAsync(one, cancellationToken).ConfigureAwait(false);
            if (read == 0) return null;
            byte b = one[0];
            if (b == '\n')
            {
                if (count > 0 && headerBuffer[count - 1] == '\r') count--;
                return Encoding.ASCII.GetString(headerBuffer, 0, count);
            }
            if (count < headerBuffer.Length) headerBuffer[count++] = b;
        }
    }

    private async ValueTask<bool> ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await input.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    private async ValueTask<bool> SkipAsync(int length, CancellationToken cancellationToken)
    {
        var scratch = new byte[81920];
        while (length > 0)
        {
            int read = await input.ReadAsync(scratch.AsMemory(0, Math.Min(scratch.Length, length)), cancellationToken).ConfigureAwait(false);
            if (read == 0) return false;
            length -= read;
        }
        return true;
    }

    public void Dispose() => writeLock.Dispose();
}

/// <summary>What a method takes as params: nothing (void), an object that may be left out, an object that is required.</summary>
public enum ParamsShape
{
    None,
    Optional,
    Required,
}
