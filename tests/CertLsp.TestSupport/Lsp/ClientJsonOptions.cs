using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CertLsp.LanguageServer;

namespace CertLsp.TestSupport;

/// <summary>
/// The JSON options of a test's client: the server's (naming, nulls, its source-generated protocol types), and reflection for what
/// only a test sends or reads (anonymous params, records of the tests' own). The server itself resolves from its context alone.
/// </summary>
public static class ClientJsonOptions
{
    public static JsonSerializerOptions Create()
    {
        var options = CertLspServer.CreateOptions();
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine(options.TypeInfoResolver, new DefaultJsonTypeInfoResolver());
        return options;
    }
}
