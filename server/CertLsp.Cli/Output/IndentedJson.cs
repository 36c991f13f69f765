using System.Text;
using System.Text.Json;

namespace CertLsp.Cli.Output;

/// <summary>One indented JSON value, as the CLI's JSON, SARIF, code-quality and review outputs print it.</summary>
internal static class IndentedJson
{
    /// <summary>Builds the value with <paramref name="write"/> and prints it to <paramref name="output"/> with a line end.</summary>
    public static void WriteLine(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true })) write(json);
        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
