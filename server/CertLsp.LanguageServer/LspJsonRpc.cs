using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace CertLsp.LanguageServer;

/// <summary>JSON-RPC with LSP's error codes: params that do not deserialize are invalid params (-32602), not a server error.</summary>
internal sealed class LspJsonRpc(IJsonRpcMessageHandler handler) : JsonRpc(handler)
{
    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is JsonException or RpcArgumentDeserializationException)
            {
                return new JsonRpcError.ErrorDetail
                {
                    Code = (JsonRpcErrorCode)ErrorCodes.InvalidParams, Message =
                    $"invalid params for {request.Method}: {e.Message}"
                };
            }
        }
        return base.CreateErrorDetails(request, exception);
    }
}
