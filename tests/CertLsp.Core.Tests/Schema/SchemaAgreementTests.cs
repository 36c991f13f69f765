using System.Globalization;
using System.Text.Json;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Schema;

namespace CertLsp.Core.Tests.Schema;

/// <summary>
/// Walks schemas/site-manifest.schema.json and proves, property by property, that the core's structural checks agree
/// with it: unknown keys (CL0002), required keys (CL0004), types, enums, ranges, lengths and patterns (CL0003, or the
/// rule named by x-certlsp-checkedBy), each reported at the node concerned. Every failure is collected and shown at once.
/// </summary>
public class SchemaAgreementTests
{
    private static readonly IReadOnlyList<SchemaFile.Property> Properties = SchemaFile.Properties();

    /// <summary>Values for strings whose validity a rule judges beyond the schema (a real country, a parsable address).</summary>
    private static readonly Dictionary<string, string> ValidStrings = new()
    {
        ["country"] = "US", ["email"] = "ops@site.example", ["address"] = "127.0.0.2", ["broadcast"] = "127.255.255.255",
        ["domain"] = "bms.example.com", ["name"] = "D1", ["commonName"] = "CN1",
    };

    /// <summary>A document with every property of the schema set to a valid value.</summary>
    public static YMap FullDocument() => (YMap)ValidValue("", SchemaFile.Resolve(SchemaFile.Root));

    private static YValue ValidValue(string name, JsonElement schema)
    {
        string type = schema.GetProperty("type").GetString()!;
        if (type == "object")
        {
            var map = new YMap();
            foreach (var p in schema.GetProperty("properties").EnumerateObject()) map[p.Name] =
                ValidValue(p.Name, SchemaFile.Resolve(p.Value));
            return map;
        }
        if (type == "array") return new YList([ValidValue(name, SchemaFile.Resolve(schema.GetProperty("items")))]);
        JsonElement? chosen = schema.TryGetProperty("default", out var d) ? d
            : schema.TryGetProperty("enum", out var e) ? e[0]
            : schema.TryGetProperty("examples", out var x) ? x[0]
            : null;
        if (chosen is { } c) return c.ValueKind == JsonValueKind.String ? YScalar.Quoted(c.GetString()!) : new YScalar(c.GetRawText());
        if (type == "integer") return new YScalar(schema.TryGetProperty("minimum", out var min) ? min.GetRawText() : "1");
        return YScalar.Quoted(ValidStrings.GetValueOrDefault(name, "Text " + name));
    }

    private static YMap With(YMap document, IReadOnlyList<string> path, Func<YValue?, YValue?> change)
    {
        var copy = (YMap)document.Copy();
        YValue parent = copy;
        for (int i = 0; i < path.Count - 1; i++)
        {
            parent = parent is YMap m ? m[path[i]]! : ((YList)parent).Items[int.Parse(path[i], CultureInfo.InvariantCulture)];
        }
        var map = (YMap)parent;
        map[path[^1]] = change(map[path[^1]]);
        return copy;
    }

    private sealed record Checked(string Text, IReadOnlyList<Diagnostic> Diagnostics)
    {
        public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);

        public string Describe() => Text + "\n" + string.Join("\n", Diagnostics.Select(d => $"  {d.Code} {d.Span} {d.Message}"));
    }

    private static Checked Check(YMap document)
    {
        var text = YamlText.Write(document);
        return new Checked(text, ManifestChecker.Check("schema.site.yaml", text).ByPath["schema.site.yaml"]);
    }

    private static string[] CodesFor(SchemaFile.Property p) => ["CL0003", .. p.CheckedBy];

    /// <summary>Runs a check for every property and fails once with every disagreement found.</summary>
    private static void ForEach(IEnumerable<SchemaFile.Property> properties, Func<SchemaFile.Property, IEnumerable<string>> problems)
    {
        var all = properties.SelectMany(p => problems(p).Select(problem => $"{p.Pointer}: {problem}")).ToList();
        Assert.True(all.Count == 0, string.Join("\n\n", all));
    }

    [Fact]
    public void The_walk_reaches_every_property_including_those_behind_refs_and_list_items()
    {
        var pointers = Properties.Select(p => p.Pointer).ToHashSet();
        Assert.Superset(new HashSet<string> { "site", "ca.profile", "ca.issuers", "subject.country", "key.size",
            "bacnet.generateCsrCommand", "devices", "devices[].name", "devices[].subject.email" }, pointers);
        Assert.True(Properties.Count >= 35, $"{Properties.Count} properties");
    }

    [Fact]
    public void The_embedded_schema_is_the_schema_file()
    {
        Assert.Equal(File.ReadAllText(RepoPaths.Combine("schemas", "site-manifest.schema.json")).ReplaceLineEndings(),
            ManifestSchema.Json.ReplaceLineEndings());
    }

    [Fact]
    public void Every_described_node_has_a_title_and_a_description()
    {
        var missing = SchemaFile.DescribedNodes()
            .Where(n => !(n.Schema.TryGetProperty("title", out var t) && t.GetString() is { Length: > 0 }
                && n.Schema.TryGetProperty("description", out var d) && d.GetString() is { Length: > 10 }))
            .Select(n => n.Where).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void A_document_with_every_property_set_validly_has_no_errors()
    {
        var result = Check(FullDocument());
        Assert.True(!result.Errors.Any(), result.Describe());
        foreach (var p in Properties) YamlText.Find(result.Text, p.Path); // every property is in it
    }

    [Fact]
    public void An_unknown_key_next_to_any_property_is_CL0002_at_the_key_with_a_did_you_mean() =>
        ForEach(Properties.Where(p => p.Parent.TryGetProperty("additionalProperties", out var a) && a.ValueKind == JsonValueKind.False),
            p =>
        {
            var typo = p.Name + "x";
            // The misspelt key stands where the real one is missing (a key already present is never suggested).
            var result = Check(With(With(FullDocument(), [.. p.ParentPath, typo], _ => YScalar.Quoted("v")), [.. p.ParentPath, p.Name],
                _ => null));
            var key = YamlText.Find(result.Text, [.. p.ParentPath, typo]).Key!.Value;
            var unknown = result.Diagnostics.Where(d => d.Code == "CL0002").ToList();
            if (unknown.Count != 1 || unknown[0].Span != key.Span) return [$"expected one CL0002 at {key.Span}\n{result.Describe()}"];
            return unknown[0].Message.Contains($"Did you mean “{p.Name}”", StringComparison.Ordinal) ? []
                : [$"no did-you-mean: {unknown[0].Message}"];
        });

    [Fact]
    public void A_missing_required_property_is_CL0004_naming_it() =>
        ForEach(Properties.Where(p => p.Parent.TryGetProperty("required", out var r)
            && r.EnumerateArray().Any(x => x.GetString() == p.Name)), p =>
        {
            var result = Check(With(FullDocument(), p.Path, _ => null));
            var missing = result.Diagnostics.Where(d => d.Code == "CL0004").ToList();
            return missing.Count == 1 && missing[0].Message.Contains($"“{p.Name}”", StringComparison.Ordinal) ? []
                : [$"expected one CL0004\n{result.Describe()}"];
        });

    [Fact]
    public void An_optional_property_may_be_left_out() =>
        ForEach(Properties.Where(p => !(p.Parent.TryGetProperty("required", out var r)
            && r.EnumerateArray().Any(x => x.GetString() == p.Name))), p =>
        {
            var result = Check(With(FullDocument(), p.Path, _ => null));
            var structural = result.Diagnostics.Where(d => d.Code is "CL0002" or "CL0003" or "CL0004").ToList();
            return structural.Count == 0 ? [] : [$"leaving it out gave\n{result.Describe()}"];
        });

    /// <summary>One value of each JSON type, as YAML.</summary>
    private static readonly (string Type, YValue Value)[] ValuesByType =
    [
        ("object", new YMap { ["a"] = new YScalar("1") }),
        ("array", new YList([new YScalar("1")])),
        ("string", YScalar.Quoted("text")),
        ("integer", new YScalar("5")),
        ("number", new YScalar("1.5")),
        ("boolean", new YScalar("true")),
        ("null", new YScalar("~")),
    ];

    [Fact]
    public void A_value_of_the_wrong_type_is_CL0003_at_the_value() =>
        ForEach(Properties, p => ValuesByType.Where(v => !p.Types.Contains(v.Type)
            && !(v.Type == "integer" && p.Types.Contains("number"))).SelectMany(v =>
        {
            var result = Check(With(FullDocument(), p.Path, _ => v.Value));
            var node = YamlText.Find(result.Text, p.Path).Node;
            var wrong = result.Diagnostics.Where(d => d.Code == "CL0003").ToList();
            return wrong.Count == 1 && wrong[0].Span == node.Span ? []
                : new[] { $"{v.Type}: expected one CL0003 at {node.Span}\n{result.Describe()}" };
        }));

    private static IEnumerable<string> ErrorAtNode(SchemaFile.Property p, YMap document, string what)
    {
        var result = Check(document);
        var node = YamlText.Find(result.Text, p.Path).Node;
        var codes = CodesFor(p);
        return result.Errors.Any(d => codes.Contains(d.Code) && d.Span == node.Span)
            ? []
            : [$"{what}: expected {string.Join(" or ", codes)} at {node.Span}\n{result.Describe()}"];
    }

    private static IEnumerable<string> NoErrorAtNode(SchemaFile.Property p, YMap document, string what)
    {
        var result = Check(document);
        var node = YamlText.Find(result.Text, p.Path).Node;
        var codes = CodesFor(p);
        var wrong = result.Errors.Where(d => (codes.Contains(d.Code) && d.Span.IntersectsOrTouches(node.Span) && d.Span.Length > 0)
            || d.Code is "CL0002" or "CL0003" or "CL0004").ToList();
        return wrong.Count == 0 ? [] : [$"{what}: accepted by the schema, but\n{result.Describe()}"];
    }

    [Fact]
    public void Every_enum_member_is_accepted_and_a_non_member_is_rejected_at_the_value() =>
        ForEach(Properties.Where(p => p.Schema.TryGetProperty("enum", out _)), p =>
        {
            var members = p.Schema.GetProperty("enum").EnumerateArray().ToList();
            var problems = new List<string>();
            foreach (var member in members)
            {
                YValue value = member.ValueKind == JsonValueKind.String ? YScalar.Quoted(member.GetString()!)
                    : new YScalar(member.GetRawText());
                problems.AddRange(NoErrorAtNode(p, With(FullDocument(), p.Path, _ => value), $"member {member.GetRawText()}"));
            }
            YValue outsider = members[0].ValueKind == JsonValueKind.String
                ? YScalar.Quoted(members[0].GetString() + "-x")
                : new YScalar((members.Max(m => m.GetInt64()) + 1).ToString(CultureInfo.InvariantCulture));
            problems.AddRange(ErrorAtNode(p, With(FullDocument(), p.Path, _ => outsider), "a non-member"));
            return problems;
        });

    [Fact]
    public void Minimum_and_maximum_are_inclusive_and_one_beyond_is_an_error_at_the_value() =>
        ForEach(Properties.Where(p => p.Schema.TryGetProperty("minimum", out _) || p.Schema.TryGetProperty("maximum", out _)), p =>
        {
            var problems = new List<string>();
            foreach (var (bound, step) in new[] { ("minimum", -1L), ("maximum", 1L) })
            {
                if (!p.Schema.TryGetProperty(bound, out var limit)) continue;
                long at = limit.GetInt64();
                problems.AddRange(NoErrorAtNode(p, With(FullDocument(), p.Path, _ =>
                    new YScalar(at.ToString(CultureInfo.InvariantCulture))), $"{bound} {at}"));
                problems.AddRange(ErrorAtNode(p, With(FullDocument(), p.Path, _ =>
                    new YScalar((at + step).ToString(CultureInfo.InvariantCulture))), $"{at + step}"));
            }
            problems.AddRange(ErrorAtNode(p, With(FullDocument(), p.Path, _ => new YScalar("99999999999999999999")),
                "a number beyond 64 bits"));
            return problems;
        });

    /// <summary>A string of the length that is otherwise valid for the property (an email stays an email, a country letters).</summary>
    private static string OfLength(SchemaFile.Property p, int length) => p.Name switch
    {
        "email" => new string('a', Math.Max(0, length - "@site.example".Length)) + "@site.example",
        "country" => new string('U', length),
        _ => new string('A', length),
    };

    [Fact]
    public void MinLength_and_maxLength_are_inclusive_and_one_beyond_is_an_error_at_the_value() =>
        ForEach(Properties.Where(p => p.Schema.TryGetProperty("minLength", out _) || p.Schema.TryGetProperty("maxLength", out _)), p =>
        {
            var problems = new List<string>();
            // Without a domain, so that the CN limit (CL0203, name plus domain) does not mask the name's own limit.
            var document = With(FullDocument(), ["domain"], _ => null);
            foreach (var (bound, step) in new[] { ("minLength", -1), ("maxLength", 1) })
            {
                if (!p.Schema.TryGetProperty(bound, out var limit)) continue;
                int at = limit.GetInt32();
                var accepted = p.Name == "country" ? "US" : OfLength(p, at);
                problems.AddRange(NoErrorAtNode(p, With(document, p.Path, _ => YScalar.Quoted(accepted)), $"{bound} {at}"));
                if (at + step < 0) continue;
                problems.AddRange(ErrorAtNode(p, With(document, p.Path, _ => YScalar.Quoted(OfLength(p, at + step))),
                    $"length {at + step}"));
            }
            return problems;
        });

    [Fact]
    public void Lengths_count_characters_not_UTF16_units()
    {
        // 64 emoji are 64 characters (JSON Schema counts code points) but 128 UTF-16 units: the site name is accepted.
        var document = With(FullDocument(), ["site"], _ => YScalar.Quoted(string.Concat(Enumerable.Repeat("🏢", 64))));
        Assert.DoesNotContain(Check(document).Diagnostics, d => d.Code == "CL0003");
        var tooLong = With(FullDocument(), ["site"], _ => YScalar.Quoted(string.Concat(Enumerable.Repeat("🏢", 65))));
        Assert.Contains(Check(tooLong).Diagnostics, d => d.Code == "CL0003" && d.Message.Contains("(it has 65)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pattern_mismatch_is_an_error_at_the_value_and_a_match_is_accepted() =>
        ForEach(Properties.Where(p => p.Schema.TryGetProperty("pattern", out _)), p =>
        {
            var pattern = new System.Text.RegularExpressions.Regex(p.Schema.GetProperty("pattern").GetString()!);
            string[] candidates = p.Name == "country" ? ["us", "U1", "ÜS"]
                : ["127.0.0", "127.0.0.1:", "a.b.c.d", "127.0.0.1:123456", " 127.0.0.1"];
            var problems = new List<string>();
            foreach (var bad in candidates)
            {
                problems.AddRange(ErrorAtNode(p, With(FullDocument(), p.Path, _ => YScalar.Quoted(bad)), $"“{bad}”"));
            }
            var good = ValidStrings[p.Name];
            Assert.Matches(pattern, good);
            problems.AddRange(NoErrorAtNode(p, With(FullDocument(), p.Path, _ => YScalar.Quoted(good)), $"“{good}”"));
            return problems;
        });

    [Fact]
    public void An_email_format_violation_is_an_error_at_the_value() =>
        ForEach(Properties.Where(p => p.Schema.TryGetProperty("format", out var f) && f.GetString() == "email"), p =>
            new[] { "no-at-sign", "two@@site.example", "@site.example", "ops@", "ops@nodot" }
                .SelectMany(bad => ErrorAtNode(p, With(FullDocument(), p.Path, _ => YScalar.Quoted(bad)), $"“{bad}”")));

    [Fact]
    public void The_x_certlsp_checkedBy_codes_are_catalog_codes()
    {
        var codes = Properties.SelectMany(p => p.CheckedBy).ToList();
        Assert.NotEmpty(codes);
        Assert.All(codes, code => Assert.NotNull(DiagnosticCatalog.Find(code)));
    }

    [Fact]
    public void The_core_reads_x_certlsp_checkedBy_as_the_schema_file_says()
    {
        var country = ManifestSchema.Root.Property("subject")!.Property("country")!;
        Assert.Equal(["CL0101", "CL0102", "CL0103", "CL0105"], country.CheckedBy.ToArray());
        Assert.Equal(["CL0204"], ManifestSchema.Root.Property("domain")!.CheckedBy.ToArray());
        Assert.Empty(ManifestSchema.Root.Property("site")!.CheckedBy);
    }

    [Fact]
    public void A_device_name_is_limited_to_64_characters_only_when_it_is_the_common_name()
    {
        // The schema says so with if/then (no commonName => name maxLength 64); the core by CL0102 (or CL0203 with a domain).
        var device = SchemaFile.Resolve(SchemaFile.Root.GetProperty("definitions").GetProperty("device"));
        Assert.Equal(64, device.GetProperty("then").GetProperty("properties").GetProperty("name").GetProperty("maxLength").GetInt32());
        var withoutDomain = With(FullDocument(), ["domain"], _ => null);
        var longName = YScalar.Quoted(new string('A', 65));
        var asCn = Check(With(With(withoutDomain, ["devices", "0", "commonName"], _ => null), ["devices", "0", "name"], _ => longName));
        var nameSpan = YamlText.Find(asCn.Text, ["devices", "0", "name"]).Node.Span;
        Assert.Contains(asCn.Errors, d => d.Code == "CL0102" && d.Span == nameSpan);
        var withCn = Check(With(withoutDomain, ["devices", "0", "name"], _ => longName));
        Assert.True(!withCn.Errors.Any(), withCn.Describe());
        var at64 = Check(With(With(withoutDomain, ["devices", "0", "commonName"], _ => null), ["devices", "0", "name"], _ =>
            YScalar.Quoted(new string('A', 64))));
        Assert.True(!at64.Errors.Any(), at64.Describe());
    }
}
