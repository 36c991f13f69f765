using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace CertLsp.LanguageServer;

/// <summary>
/// LSP framing (Content-Length headers) over a pair of streams, hardened for a client that misbehaves:
/// a frame that is not JSON is answered with a parse error (-32700), a JSON value that is not a JSON-RPC
/// message with an invalid-request error (-32600), and the server goes on reading instead of disconnecting.
/// </summary>
public sealed class LspMessageHandler(Stream input, Stream output, SystemTextJsonFormatter formatter, Action<string> log)
    : IJsonRpcMessageHandler, IDisposable
{
    /// <summary>Frames above this are drained and refused (a 50 MB manifest still fits).</summary>
    public const int MaxFrameBytes = 256 * 1024 * 1024;

    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly byte[] headerBuffer = new byte[8192];

    public bool CanRead => true;

    public bool CanWrite => true;

    public IJsonRpcMessageFormatter Formatter => formatter;

    /// <summary>
    /// What each method the server handles takes as params (from its handler's signature): nothing, an optional record or a required
    /// one, and the record's type. Methods not listed reach StreamJsonRpc without params (an unknown request is answered -32601).
    /// </summary>
    public IReadOnlyDictionary<string, MethodParams> Methods { get; set; } = new Dictionary<string, MethodParams>();

    /// <summary>Running requests by id, cancelled the moment their <c>$/cancelRequest</c> is read (the connection's cancellation
    /// strategy).</summary>
    public LspCancellation Cancellation { get; } = new();

    public async ValueTask<JsonRpcMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int? length = await ReadHeadersAsync(cancellationToken).ConfigureAwait(false);
            if (length is null) return null; // end of stream
            if (length is < 0 or > MaxFrameBytes)
            {
                await WriteErrorAsync(null, ErrorCodes.InvalidRequest, $"message of {length} bytes refused (at most {MaxFrameBytes})",
                    cancellationToken).ConfigureAwait(false);
                if (length > 0 && !await SkipAsync(length.Value, cancellationToken).ConfigureAwait(false)) return null;
                continue;
            }
            byte[] body = ArrayPool<byte>.Shared.Rent(Math.Max(1, length.Value));
            try
            {
                if (!await ReadExactlyAsync(body.AsMemory(0, length.Value), cancellationToken).ConfigureAwait(false)) return null;
                var message = Read(body.AsMemory(0, length.Value), out var refusal);
                if (message is not null) return message;
                if (refusal is { } r)
                {
                    log($"refused a message: {r.Problem}");
                    if (r.Answer) await WriteErrorAsync(r.Id, r.Code, r.Problem, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Why a frame was not passed on: the error code and message, the id to answer, and whether to answer (never a notification's
    /// params).</summary>
    private readonly record struct Refusal(JsonElement? Id, int Code, string Problem, bool Answer = true);

    /// <summary>
    /// The one reading of a frame: parsed once, checked to be a JSON-RPC 2.0 message, and for a method the server handles its params
    /// read into the handler's record, strictly (<see cref="CertLspServer.ParamsOptions"/>: a required field missing or null, or a
    /// field of the wrong type, is invalid params). StreamJsonRpc gets the message with its typed argument and never parses the frame.
    /// Params that are absent, <c>null</c>, <c>{}</c> or <c>[]</c> are "none" (JSON-RPC lets a client omit them; LSP clients send
    /// <c>null</c> for parameterless methods): a method that takes nothing gets none, one whose params are optional gets null. A
    /// request with params its method cannot take is answered -32602; such a notification is dropped with a line in the log, except
    /// that params are ignored where the method takes none (<c>exit</c> always exits). <c>$/cancelRequest</c> is acted on here.
    /// Returns null, with the reason when there is one to log, for a frame not to pass on.
    /// </summary>
    private JsonRpcMessage? Read(ReadOnlyMemory<byte> body, out Refusal? refusal)
    {
        refusal = null;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            refusal = new Refusal(null, ErrorCodes.ParseError, "parse error: " + ex.Message);
            return null;
        }
        using (doc)
        {
            var root = doc.RootElement;
            JsonRpcMessage? Refuse(out Refusal? r, JsonElement? id, int code, string problem, bool answer = true)
            {
                r = new Refusal(id, code, problem, answer);
                return null;
            }
            if (root.ValueKind != JsonValueKind.Object) return Refuse(out refusal, null, ErrorCodes.InvalidRequest,
                "a JSON-RPC message is a JSON object");
            bool hasId = root.TryGetProperty("id", out var idElement);
            JsonElement? answerId = null;
            RequestId id = RequestId.NotSpecified;
            if (hasId)
            {
                switch (idElement.ValueKind)
                {
                    case JsonValueKind.String:
                        answerId = idElement.Clone();
                        id = new RequestId(idElement.GetString());
                        break;
                    case JsonValueKind.Number:
                        answerId = idElement.Clone();
                        if (!idElement.TryGetInt64(out long number)) return Refuse(out refusal, answerId, ErrorCodes.InvalidRequest,
                            "the id must be a string or an integer");
                        id = new RequestId(number);
                        break;
                    case JsonValueKind.Null:
                        id = RequestId.Null;
                        break;
                    default:
                        return Refuse(out refusal, null, ErrorCodes.InvalidRequest, "the id must be a string or a number");
                }
            }
            if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String
                || !version.ValueEquals("2.0"))
            {
                return Refuse(out refusal, answerId, ErrorCodes.InvalidRequest, "\"jsonrpc\": \"2.0\" is missing");
            }
            bool hasMethod = root.TryGetProperty("method", out var method);
            if (hasMethod && method.ValueKind != JsonValueKind.String) return Refuse(out refusal, answerId, ErrorCodes.InvalidRequest,
                "the method must be a string");
            if (!hasMethod)
            {
                if (root.TryGetProperty("result", out var result)) return new LspResult(result.Clone()) { RequestId = id, Version = "2.0" };
                if (!root.TryGetProperty("error", out var error)) return Refuse(out refusal, answerId, ErrorCodes.InvalidRequest,
                    "neither a request, a notification nor a response");
                if (error.ValueKind != JsonValueKind.Object
                    || !error.TryGetProperty("code", out var code) || !code.TryGetInt32(out int errorCode)
                    || !error.TryGetProperty("message", out var text) || text.ValueKind != JsonValueKind.String)
                {
                    return Refuse(out refusal, answerId, ErrorCodes.InvalidRequest, "an error response has a numeric code and a message");
                }
                return new JsonRpcError
                {
                    RequestId = id,
                    Version = "2.0",
                    Error = new JsonRpcError.ErrorDetail
                    {
                        Code = (JsonRpcErrorCode)errorCode,
                        Message = text.GetString(),
                        Data = error.TryGetProperty("data", out var data) ? data.Clone() : null,
                    },
                };
            }
            string name = method.GetString()!;
            bool hasParams = root.TryGetProperty("params", out var parameters);
            bool none = !hasParams || parameters.ValueKind == JsonValueKind.Null
                || (parameters.ValueKind == JsonValueKind.Object && !parameters.EnumerateObject().Any())
                || (parameters.ValueKind == JsonValueKind.Array && parameters.GetArrayLength() == 0);
            if (name == Protocol.Methods.CancelRequest)
            {
                if (hasParams && parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("id", out var cancelled)
                    && (cancelled.ValueKind == JsonValueKind.String || (cancelled.ValueKind == JsonValueKind.Number
                        && cancelled.TryGetInt64(out _))))
                {
                    Cancellation.Cancel(cancelled.ValueKind == JsonValueKind.String ? new RequestId(cancelled.GetString())
                        : new RequestId(cancelled.GetInt64()));
                    return hasId ? Refuse(out refusal, answerId, ErrorCodes.InvalidRequest, "$/cancelRequest is a notification") : null;
                }
                return Refuse(out refusal, answerId, ErrorCodes.InvalidParams, "invalid params for $/cancelRequest: { id } is required",
                    hasId);
            }
            if (!Methods.TryGetValue(name, out var contract))
            {
                // StreamJsonRpc: -32601, or ignored
                return new JsonRpcRequest { RequestId = id, Method = name, ArgumentsList = [], Version = "2.0" };
            }
            object?[] arguments;
            switch (contract.Shape)
            {
                case ParamsShape.None when none || !hasId:
                    arguments = [];
                    break;
                case ParamsShape.None:
                    return Refuse(out refusal, answerId, ErrorCodes.InvalidParams, $"invalid params for {name}: it takes none");
                case ParamsShape.Optional when none:
                    arguments = [null];
                    break;
                case var _ when parameters.ValueKind == JsonValueKind.Object:
                    try
                    {
                        arguments = [parameters.Deserialize(CertLspServer.ParamsOptions.GetTypeInfo(contract.Type!))
                            ?? throw new JsonException("null")];
                    }
                    catch (JsonException ex)
                    {
                        return Refuse(out refusal, answerId, ErrorCodes.InvalidParams, $"invalid params for {name}: {ex.Message}", hasId);
                    }
                    break;
                default:
                    return Refuse(out refusal, answerId, ErrorCodes.InvalidParams,
                        $"invalid params for {name}: {(hasParams ? parameters.ValueKind.ToString().ToLowerInvariant() : "none")} given, " +
                            $"an object is required", hasId);
            }
            return new JsonRpcRequest { RequestId = id, Method = name, ArgumentsList = arguments, Version = "2.0" };
        }
    }

    /// <summary>A client's answer to a server request, its result read into the type the caller asks for when it asks.</summary>
    private sealed class LspResult(JsonElement result) : JsonRpcResult
    {
        public override T GetResult<T>() => (T)result.Deserialize(CertLspServer.SerializerOptions().GetTypeInfo(typeof(T)))!;
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

    /// <summary>Reads header lines up to the blank line; returns Content-Length, -1 for a header block without one, null at end of
    /// stream.</summary>
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
            int read = await input.ReadAsync(scratch.AsMemory(0, Math.Min(scratch.Length, length)), cancellationToken).ConfigureAwait(
                false);
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

/// <summary>What a handled method takes as params, and the record they are read into (null when it takes none).</summary>
public sealed record MethodParams(ParamsShape Shape, Type? Type);
