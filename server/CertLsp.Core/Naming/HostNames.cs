using System.Globalization;
using System.Text;

namespace CertLsp.Core.Naming;

/// <summary>
/// DNS host names (RFC 1035 / RFC 1123 LDH labels: letters, digits and hyphens, 1-63 characters each, not starting or
/// ending with a hyphen, at most 253 in all). Internationalised names only in their A-label form (“xn--…”, RFC 5890).
/// </summary>
public static class HostNames
{
    public const int MaxLabelLength = 63;

    public const int MaxNameLength = 253;

    /// <summary>
    /// Why the labels of a dotted name are not those of a host name, or null when they are. The caller judges leading and
    /// trailing dots. Without <paramref name="lengths"/> the label and name lengths are not judged (for a CN, whose limit of
    /// 64 is stricter and reported by CL0102/CL0203).
    /// </summary>
    public static string? LabelsProblem(string name, bool lengths = true)
    {
        if (lengths && name.Length > MaxNameLength) return $"it has {name.Length} characters (at most {MaxNameLength})";
        // Label by label without allocating: a site checks thousands of names, nearly all valid.
        for (int start = 0; ;)
        {
            int dot = name.IndexOf('.', start);
            int end = dot < 0 ? name.Length : dot;
            var label = name.AsSpan(start, end - start);
            if (label.IsEmpty) return "it has an empty label (two dots in a row)";
            if (lengths
                && label.Length > MaxLabelLength) return $"the label “{label[..(char.IsHighSurrogate(label[19]) ? 19 : 20)]}…” has " +
                $"{label.Length} characters (at most {MaxLabelLength})";
            if (label[0] == '-' || label[^1] == '-') return $"the label “{label}” starts or ends with a hyphen";
            int bad = label.IndexOfAnyExcept(LdhCharacters);
            if (bad >= 0)
                return $"“{(char.IsHighSurrogate(label[bad]) && bad + 1 < label.Length ? label.Slice(bad, 2) : label.Slice(bad, 1))}”" +
                $" is not allowed (letters, digits and hyphens only; use the punycode form of an international name)";
            if (label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase)
                && !IsALabel(label.ToString())) return $"the label “{label}” is not a valid punycode (xn--) form of an international name";
            if (dot < 0) return null;
            start = dot + 1;
        }
    }

    private static readonly System.Buffers.SearchValues<char> LdhCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    /// <summary>Whether a CN must be a host name (CL0206): when the site's domain is appended, or it has a dot or a “*” of its
    /// own.</summary>
    public static bool MustBeHostName(string devicePart, string? domain) =>
        domain is not null || devicePart.Contains('.', StringComparison.Ordinal) || devicePart.Contains('*', StringComparison.Ordinal);

    /// <summary>Why a device's part of a common name (before the site's domain) is not a host name, or null when it is. Lengths are left to
    /// CL0102/CL0203.</summary>
    public static string? DevicePartProblem(string name)
    {
        if (name.Length == 0) return "it is empty";
        if (name.Contains('*', StringComparison.Ordinal)) return "it contains “*”: a device's certificate is never a wildcard";
        if (name.StartsWith('.')) return "it starts with a dot";
        if (name.EndsWith('.')) return "it ends with a dot";
        return LabelsProblem(name, lengths: false);
    }

    private static bool IsALabel(string label)
    {
        try
        {
            string unicode = new IdnMapping { UseStd3AsciiRules = true }.GetUnicode(label);
            return !string.Equals(unicode, label, StringComparison.OrdinalIgnoreCase);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// A host name made from any text: per dot-separated label, Latin letters without their accents (ä → a, ß → ss),
    /// spaces, slashes, backslashes, colons and underscores made hyphens, every other character not a letter, digit or
    /// hyphen dropped, runs of hyphens made one, hyphens trimmed, at most 63 characters; empty labels left out. Empty when
    /// nothing is left or no letter is (a CN of digits alone is no name for a device).
    /// </summary>
    public static string Sanitize(string name)
    {
        var labels = new List<string>();
        foreach (var part in name.Split('.'))
        {
            var sb = new StringBuilder(part.Length);
            foreach (char c in part)
            {
                string mapped = c switch
                {
                    ' ' or '\t' or '/' or '\\' or ':' or '_' => "-",
                    _ when char.IsAsciiLetterOrDigit(c) || c == '-' => c.ToString(),
                    _ => Fold(c),
                };
                if (mapped.Length == 0 || (mapped == "-" && (sb.Length == 0 || sb[^1] == '-'))) continue;
                sb.Append(mapped);
            }
            string label = sb.ToString().TrimEnd('-');
            if (label.Length > MaxLabelLength) label = label[..MaxLabelLength].TrimEnd('-');
            if (label.Length > 0) labels.Add(label);
        }
        string result = string.Join('.', labels);
        return result.Any(char.IsAsciiLetter) ? result : "";
    }

    // U+00C0..U+017F (Latin-1 Supplement letters, Latin Extended-A) without accents; '*' marks two-letter folds, '.' none.
    // Made with Unicode's decompositions (the server runs in invariant globalization mode, where string.Normalize does not decompose).
    private const string LatinFolds =
        "AAAAAA*CEEEEIIIIDNOOOOO.OUUUUY**aaaaaa*ceeeeiiiidnooooo.ouuuuy*yAaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi**" +
        "JjKkkLlLlLlLlLlNnNnNnnNnOoOoOo**RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

    private static string Fold(char c)
    {
        if (c is < '\u00C0' or > '\u017F') return "";
        char folded = LatinFolds[c - 0xC0];
        return folded switch
        {
            '.' => "",
            '*' => c switch
            {
                'Æ' => "AE",
                'æ' => "ae",
                'ß' => "ss",
                'Þ' => "TH",
                'þ' => "th",
                'Ĳ' => "IJ",
                'ĳ' => "ij",
                'Œ' => "OE",
                _ => "oe",
            },
            _ => folded.ToString(),
        };
    }
}
