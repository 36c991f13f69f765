using System.Buffers;
using System.Globalization;

namespace CertLsp.Core.Yaml;

/// <summary>Resolves plain scalars by the YAML 1.2 core schema (so <c>NO</c> stays the text "NO", as a country code must).</summary>
public static class YamlScalarResolver
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
        if (IsInteger(value)) return ScalarType.Integer;
        if (IsFloat(value)) return ScalarType.Float;
        return ScalarType.String;
    }

    // The two matchers below are hand-written forms of the core schema's regular expressions (a scalar's type is
    // resolved for every node, so they avoid the regex engine); tests compare them with the expressions
    //   int:   ^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$
    //   float: ^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$
    // As with .NET's "$", one final line feed is allowed after the match.

    /// <summary>Whether a plain scalar is an integer of the YAML 1.2 core schema (decimal, 0o octal or 0x hex).</summary>
    public static bool IsInteger(string value)
    {
        var s = WithoutFinalLineFeed(value);
        if (s.Length > 2 && s[0] == '0' && s[1] == 'o') return !s[2..].ContainsAnyExceptInRange('0', '7');
        if (s.Length > 2 && s[0] == '0' && s[1] == 'x') return !s[2..].ContainsAnyExcept(HexDigits);
        if (s.Length > 0 && s[0] is '-' or '+') s = s[1..];
        return s.Length > 0 && !s.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>Whether a plain scalar is a float of the YAML 1.2 core schema (including .inf and .nan).</summary>
    public static bool IsFloat(string value)
    {
        var s = WithoutFinalLineFeed(value);
        if (s is ".nan" or ".NaN" or ".NAN") return true;
        if (s.Length > 0 && s[0] is '-' or '+') s = s[1..];
        if (s is ".inf" or ".Inf" or ".INF") return true;
        int digits = CountDigits(s);
        if (digits == 0)
        {
            // ".5": a dot and at least one digit
            if (s.Length < 2 || s[0] != '.') return false;
            int fraction = CountDigits(s[1..]);
            if (fraction == 0) return false;
            s = s[(1 + fraction)..];
        }
        else
        {
            // "5", "5." or "5.25"
            s = s[digits..];
            if (s.Length > 0 && s[0] == '.') s = s[(1 + CountDigits(s[1..]))..];
        }
        if (s.IsEmpty) return true;
        // exponent: [eE][-+]?[0-9]+
        if (s[0] is not ('e' or 'E')) return false;
        s = s[1..];
        if (s.Length > 0 && s[0] is '-' or '+') s = s[1..];
        return s.Length > 0 && !s.ContainsAnyExceptInRange('0', '9');
    }

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    private static ReadOnlySpan<char> WithoutFinalLineFeed(string value) =>
        value.EndsWith('\n') ? value.AsSpan(0, value.Length - 1) : value.AsSpan();

    private static int CountDigits(ReadOnlySpan<char> s)
    {
        int i = s.IndexOfAnyExceptInRange('0', '9');
        return i < 0 ? s.Length : i;
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
}
