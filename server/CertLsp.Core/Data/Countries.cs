namespace CertLsp.Core.Data;

public static partial class Countries
{
    // Built on first use: field initializers of partial classes in two files run in no defined order.
    private static Dictionary<string, Country> ByAlpha2 => Index.Alpha2;
    private static Dictionary<string, Country> ByAlpha3 => Index.Alpha3;
    private static Dictionary<string, Country> ByName => Index.Name;

    private static class Index
    {
        public static readonly Dictionary<string, Country> Alpha2 = All.ToDictionary(c => c.Alpha2, StringComparer.Ordinal);
        public static readonly Dictionary<string, Country> Alpha3 = All.ToDictionary(c => c.Alpha3, StringComparer.OrdinalIgnoreCase);
        public static readonly Dictionary<string, Country> Name = All.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Codes people write that are not ISO 3166-1 alpha-2, with the code a CA expects.</summary>
    private static readonly Dictionary<string, string> CommonMistakes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UK"] = "GB",
        ["EL"] = "GR",
        ["England"] = "GB",
        ["Scotland"] = "GB",
        ["Wales"] = "GB",
        ["Great Britain"] = "GB",
        ["USA"] = "US",
        ["United States of America"] = "US",
        ["America"] = "US",
        ["Holland"] = "NL",
        ["Deutschland"] = "DE",
        ["UAE"] = "AE",
    };

    public static bool IsAlpha2(string code) => ByAlpha2.ContainsKey(code);

    public static Country? Find(string alpha2) => ByAlpha2.GetValueOrDefault(alpha2);

    /// <summary>The alpha-2 code a user most likely meant by a value that is not one: "us", "UK", "USA", "Germany".</summary>
    public static Country? Suggest(string value)
    {
        var trimmed = value.Trim();
        if (CommonMistakes.TryGetValue(trimmed, out var code)) return ByAlpha2[code];
        if (ByAlpha2.TryGetValue(trimmed.ToUpperInvariant(), out var upper)) return upper;
        if (trimmed.Length == 3 && ByAlpha3.TryGetValue(trimmed, out var a3)) return a3;
        return ByName.GetValueOrDefault(trimmed);
    }
}
