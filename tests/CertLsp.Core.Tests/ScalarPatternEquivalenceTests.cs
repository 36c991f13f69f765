using System.Text;
using System.Text.RegularExpressions;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Tests;

/// <summary>
/// YamlScalarResolver matches integers and floats by hand (it runs for every scalar); these tests hold the YAML 1.2 core
/// schema's regular expressions as the reference and compare every short string over an alphabet that reaches each branch.
/// </summary>
public class ScalarPatternEquivalenceTests
{
    private static readonly Regex Integer = new("^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", RegexOptions.CultureInvariant);

    private static readonly Regex Float = new(
        @"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        RegexOptions.CultureInvariant);

    private const string Alphabet = "0178aFgeEox+-.\n i٣";

    [Fact]
    public void Every_string_of_up_to_four_characters_is_classified_as_the_expressions_do()
    {
        int checkedCount = 0;
        foreach (var text in AllStrings(4))
        {
            Compare(text);
            checkedCount++;
        }
        Assert.True(checkedCount > 100_000);
    }

    [Fact]
    public void Longer_random_strings_and_the_special_values_are_classified_as_the_expressions_do()
    {
        string[] special =
        [
            ".inf", ".Inf", ".INF", "-.inf", "+.INF", ".iNf", ".nan", ".NaN", ".NAN", "-.nan", "+.nan", ".nan\n", ".inf\n\n",
            "0o17", "0o", "0o8", "-0o7", "0x", "0xFF", "0xfg", "+0x1", "12\n", "12\n\n", "\n12", "1.5e+10", "1.e5", ".5e-3",
            "1e", "1e+", "10001", "127.0.0.2", "4194303", "-", "+", ".", "", "٣", "1_000",
        ];
        foreach (var text in special) Compare(text);
        var random = new Random(7);
        for (int n = 0; n < 200_000; n++)
        {
            var sb = new StringBuilder();
            int length = random.Next(5, 12);
            for (int i = 0; i < length; i++) sb.Append(Alphabet[random.Next(Alphabet.Length)]);
            Compare(sb.ToString());
        }
    }

    [Theory]
    [InlineData("10001", ScalarType.Integer)]
    [InlineData("0x1F", ScalarType.Integer)]
    [InlineData("1.5", ScalarType.Float)]
    [InlineData("-.inf", ScalarType.Float)]
    [InlineData("127.0.0.2", ScalarType.String)]
    [InlineData("NO", ScalarType.String)]
    public void Plain_scalars_resolve_by_the_core_schema(string text, ScalarType expected) =>
        Assert.Equal(expected, YamlScalarResolver.Resolve(text, ScalarStyle.Plain, null));

    private static void Compare(string text)
    {
        Assert.True(Integer.IsMatch(text) == YamlScalarResolver.IsInteger(text), $"integer: {Show(text)}");
        Assert.True(Float.IsMatch(text) == YamlScalarResolver.IsFloat(text), $"float: {Show(text)}");
    }

    private static string Show(string text) => "\"" + text.Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    private static IEnumerable<string> AllStrings(int maxLength)
    {
        IEnumerable<string> current = [""];
        yield return "";
        for (int length = 1; length <= maxLength; length++)
        {
            current = current.SelectMany(prefix => Alphabet.Select(c => prefix + c)).ToList();
            foreach (var text in current) yield return text;
        }
    }
}
