using System.Diagnostics.CodeAnalysis;
using StreamJsonRpc;

namespace CertLsp.LanguageServer;

/// <summary>
/// Requests and notifications to the client with one params record. StreamJsonRpc marks its params-object calls as reflecting over
/// the object (to split it into named arguments, which some formatters need); the System.Text.Json formatter the server uses
/// (<see cref="CertLspServer.CreateFormatter"/>) writes the record whole, with the metadata of
/// <see cref="Protocol.LspJsonContext"/>, and reads the result the same way (<see cref="LspMessageHandler"/>).
/// </summary>
public static class JsonRpcExtensions
{
    private const string Whole = "the params record is serialized whole from LspJsonContext; see the class summary";

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Whole)]
    public static Task Notify(this JsonRpc rpc, string method, object? parameters) =>
        rpc.NotifyWithParameterObjectAsync(method, parameters);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = Whole)]
    public static Task<TResult> Request<TResult>(this JsonRpc rpc, string method, object? parameters,
        CancellationToken cancellationToken = default) =>
        rpc.InvokeWithParameterObjectAsync<TResult>(method, parameters, cancellationToken);
}
