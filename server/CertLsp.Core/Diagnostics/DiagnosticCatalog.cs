using System.Collections.Immutable;
using System.Reflection;

namespace CertLsp.Core.Diagnostics;

/// <summary>
/// Every diagnostic code CertLsp reports. The codes themselves are declared in <see cref="DiagnosticBuilder"/>,
/// each next to the method that makes its message and fixes; this class lists them and builds documentation links.
/// </summary>
public static class DiagnosticCatalog
{
    public const string Source = "certlsp";

    /// <summary>Where docs/diagnostics.md is published; each code has an anchor there (#cl0201).</summary>
    public const string DocumentationBase = "https://github.com/certlsp/certlsp/blob/main/docs/diagnostics.md";

    public static ImmutableArray<DiagnosticDefinition> All { get; } =
    [
        .. typeof(DiagnosticBuilder)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDefinition))
            .Select(f => (DiagnosticDefinition)f.GetValue(null)!)
            .OrderBy(d => d.Code, StringComparer.Ordinal),
    ];

    public static DiagnosticDefinition? Find(string code) => All.FirstOrDefault(d => d.Code == code);

    public static Uri DocumentationUriFor(string code) => new($"{DocumentationBase}#{code.ToLowerInvariant()}");
}
