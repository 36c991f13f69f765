using System.Diagnostics.CodeAnalysis;
using StreamJsonRpc;

namespace CertLsp.LanguageServer;

/// <summary>
/// A handler and the description of its RPC methods, taken from its static type: the methods are known when the program is
/// compiled, so a trimmed or ahead-of-time compiled server (Native AOT) keeps them and finds them.
/// </summary>
public sealed record RpcTarget(RpcTargetMetadata Metadata, object Target)
{
    /// <remarks>
    /// <see cref="RpcTargetMetadata.FromClass(Type, RpcTargetMetadata.ClassAndInterfaces)"/> is marked as needing dynamic code for one
    /// thing: the delegates it makes for a target's events. Handlers have no events (and the server never notifies the client of
    /// any: <c>NotifyClientOfEvents = false</c>); their methods are read through the public-methods annotation on
    /// <typeparamref name="T"/>.
    /// </remarks>
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "no events on a handler: see the remarks")]
    public static RpcTarget Of<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods |
        DynamicallyAccessedMemberTypes.PublicEvents | DynamicallyAccessedMemberTypes.Interfaces)] T>(T target) where T : class =>
        new(RpcTargetMetadata.FromClass(typeof(T), new RpcTargetMetadata.ClassAndInterfaces(typeof(T))), target);
}
