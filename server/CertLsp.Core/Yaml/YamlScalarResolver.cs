using System.Globalization;
using System.Text.RegularExpressions;

namespace CertLsp.Core.Yaml;

/// <summary>Resolves plain scalars by the YAML 1.2 core schema (so <c>NO</c> stays the text "NO", as a country code must).</summary>
public static partial class YamlScalarResolver
{
    public static ScalarType Resolve(string value, ScalarStyle style, string? tag)
    {
        switch (tag)
        {
            case "tag:yaml.org,2002:str": return ScalarType.String;
            case "tag:yaml.org,2002:null": return ScalarType.Null;
            case "tag:yaml.org,2002:bool": return ScalarType.Boolean;
            case "tag:yaml.org,2002:int": return ScalarType.Integer;
            case "tag:yaml.org,2002:float": return ScalarType.Float;
        }
        if (style != ScalarStyle.Plain) return ScalarType.String;
        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL": return ScalarType.Null;
            case "true" or "True" or "TRUE" or "false" or "False" or "FALSE": return ScalarType.Boolean;
        }
        if (value.Length == 0) return ScalarType.String;
        char c = value[0];
        if (!(char.IsAsciiDigit(c) || c is '-' or '+' or '.')) return ScalarType.String;
        if (IntegerPattern().IsMatch(value)) return ScalarType.Integer;
        if (FloatPattern().IsMatch(value)) return ScalarType.Float;
        return ScalarType.String;
    }

    public static bool TryParseInteger(string text, out long value)
    {
        if (text.StartsWith("0x", StringComparison.Ordinal))
            return long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        if (text.StartsWith("0o", StringComparison.Ordinal))
        {
            value = 0;
            foreach (char c in text.AsSpan(2))
            {
                if (value > long.MaxValue / 8) return false;
                value = value * 8 + (c - '0');
            }
            return true;
        }
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    [GeneratedRegex("^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
