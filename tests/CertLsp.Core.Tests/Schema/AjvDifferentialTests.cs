using System.Globalization;
using System.Text;
using System.Text.Json;
using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Tests.Interop;
using CertLsp.Core.Yaml;

namespace CertLsp.Core.Tests.Schema;

/// <summary>
/// Differential test against validators no one here wrote: generated manifests are turned into JSON by the `yaml`
/// package (YAML 1.2 core schema) and validated by ajv against schemas/site-manifest.schema.json (tests/interop,
/// installed by `npm ci` in ./test.sh); the same texts are checked by the core.
///
/// How the two are compared, and why that is sound:
/// - The schema's structural verdicts are CL0002 (additionalProperties), CL0004 (required) and CL0003 (type, enum,
///   minimum/maximum, minLength/maxLength, pattern, format). For a node marked x-certlsp-checkedBy, the value
///   constraints (not the type) are judged by the named rules instead, so there an error of one of those codes counts.
/// - Every ajv error must be matched by a core error at the same node (the key for additionalProperties, the node
///   for the value keywords; CL0004 must name the missing key): ajv invalid => the core reports it, where it is.
/// - Every core CL0002/CL0003/CL0004 must be matched by an ajv error at the same node: the core invents no structural
///   error the schema does not make. So "ajv valid" <=> "no CL0002/CL0003/CL0004 and no owning-rule error on a node
///   ajv flags". The owning rules may flag more than the schema can say ("XX" is no country; two devices may not share
///   an address), so core-only errors of those codes are expected and not compared.
/// - Not generated, on purpose: integral floats such as 1e3 or 2048.0. YAML tells them from integers and the core
///   rejects them where the schema asks for an integer; JSON (and so ajv) sees the number 1000. That difference is
///   pinned by <see cref="An_integral_float_is_not_an_integer_to_the_core"/>.
/// </summary>
public class AjvDifferentialTests
{
    private const int Documents = 3_000;

    private static readonly IReadOnlyList<SchemaFile.Property> Properties = SchemaFile.Properties();

    private static readonly string[] Values =
    [
        "5", "-1", "0", "1", "8", "9", "30", "3650", "3651", "65535", "65536", "4194302", "4194303", "2048", "3072", "4096", "1024",
        "0x10", "0o17", "+12", "99999999999999999999", "-99999999999999999999", "1.5", ".inf", "-.inf", ".nan", "true", "False", "~",
        "null", "NO", "yes", "US", "us", "GB", "UK", "DE1", "rsa", "ecdsa", "RSA", "P-256", "P-384", "local", "device", "enos",
        "bacnet-sc", "generic", "127.0.0.2", "127.0.0.300", "127.0.0.2:47809", "127.0.0.2:99999", "127.255.255.255", "10.0.0",
        "ops@site.example", "a@b", "a..b@site.example", "\"é@site.example\"", "\"ops @site.example\"", "bms.example.com", "-bad-.example",
        "!!str 5", "!!int 7", "\"\"", "''", "\"   \"", "\"🏢🏢\"", "\"é\"", "\"Kältemaschine\"", "{}", "[]", "{a: 1}", "[1, 2]", "[ca.pem]",
        "{country: US}", "[{name: X}]", "b", "north-wing",
        "\"" + new string('A', 64) + "\"", "\"" + new string('A', 65) + "\"",
        "\"" + string.Concat(Enumerable.Repeat("🏢", 64)) + "\"", "\"" + string.Concat(Enumerable.Repeat("🏢", 65)) + "\"",
        "\"" + new string('a', 52) + "@site.example\"",
    ];

    private static YMap Generate(Random random)
    {
        var document = SchemaAgreementTests.FullDocument();
        var devices = (YList)document["devices"]!;
        for (int extra = random.Next(3); extra > 0; extra--)
        {
            var device = (YMap)devices.Items[0].Copy();
            int n = devices.Items.Count + 1;
            device["name"] = YScalar.Quoted($"D{n}");
            device["commonName"] = YScalar.Quoted($"CN{n}");
            device["instance"] = new YScalar(n.ToString(CultureInfo.InvariantCulture));
            device["address"] = YScalar.Quoted($"127.0.0.{n + 1}");
            devices.Items.Add(device);
        }
        for (int edits = random.Next(5); edits > 0; edits--)
        {
            var property = Properties[random.Next(Properties.Count)];
            var path = property.Path.Select(step => step == "0" ? random.Next(devices.Items.Count).ToString(CultureInfo.InvariantCulture)
                : step).ToList();
            if (Parent(document, path) is not YMap parent) continue; // an edit before replaced an ancestor
            switch (random.Next(6))
            {
                case 0: parent[path[^1]] = null; break;
                case 1: parent[path[^1] + (random.Next(2) == 0 ? "x" : "")] = YScalar.Quoted("v"); break;
                default: parent[path[^1]] = new YScalar(Values[random.Next(Values.Length)]); break;
            }
        }
        return document;
    }

    private static YValue? Parent(YMap document, IReadOnlyList<string> path)
    {
        YValue? node = document;
        foreach (var step in path.Take(path.Count - 1))
        {
            node = node switch
            {
                YMap m => m[step],
                YList l when int.TryParse(step, CultureInfo.InvariantCulture, out int i) && i < l.Items.Count => l.Items[i],
                _ => null,
            };
        }
        return node;
    }

    private sealed record AjvError(string InstancePath, string Keyword, JsonElement Params);

    private sealed record AjvVerdict(bool Valid, string? ParseError, IReadOnlyList<AjvError> Errors);

    private static IReadOnlyList<AjvVerdict> ValidateWithAjv(IReadOnlyList<string> texts)
    {
        NodeTool.RequirePackage("ajv");
        NodeTool.RequirePackage("ajv-formats");
        NodeTool.RequirePackage("yaml");
        var input = new StringBuilder();
        for (int i = 0; i < texts.Count; i++) input.AppendLine(JsonSerializer.Serialize(new { id = i, yaml = texts[i] }));
        var output = NodeTool.Run("validate-manifests.mjs", [RepoPaths.Combine("schemas", "site-manifest.schema.json")], input.ToString(),
            TimeSpan.FromSeconds(120));
        var verdicts = new AjvVerdict[texts.Count];
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var o = JsonDocument.Parse(line).RootElement;
            int id = o.GetProperty("id").GetInt32();
            verdicts[id] = o.TryGetProperty("parseError", out var pe)
                ? new AjvVerdict(false, pe.GetString(), [])
                : new AjvVerdict(o.GetProperty("valid").GetBoolean(), null, [.. o.GetProperty("errors").EnumerateArray().Select(e =>
                    new AjvError(e.GetProperty("instancePath").GetString()!, e.GetProperty("keyword").GetString()!,
                        e.GetProperty("params").Clone()))]);
        }
        Assert.All(verdicts, Assert.NotNull);
        return verdicts;
    }

    /// <summary>Every node of the core's tree by its JSON pointer (the form ajv reports), with its key when it has one.</summary>
    private static Dictionary<string, (YamlKey? Key, YamlNode Node)> NodesByPointer(YamlNode root)
    {
        var result = new Dictionary<string, (YamlKey?, YamlNode)>(StringComparer.Ordinal);
        void Walk(string pointer, YamlKey? key, YamlNode node)
        {
            result[pointer] = (key, node);
            if (node is YamlMapping map) foreach (var p in map.Pairs) Walk(pointer + "/"
                + p.Key.Value.Replace("~", "~0").Replace("/", "~1"), p.Key, p.Value);
            if (node is YamlSequence list) for (int i = 0; i < list.Items.Length; i++) Walk($"{pointer}/{i}", null, list.Items[i]);
        }
        Walk("", null, root);
        return result;
    }

    /// <summary>The codes that may report a value constraint of the node at a pointer: CL0003 and its x-certlsp-checkedBy rules.</summary>
    private static string[] ValueCodes(string pointer)
    {
        var steps = pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s, out _) ? "0" : s).ToList();
        var property = Properties.FirstOrDefault(p => p.Path.SequenceEqual(steps));
        return ["CL0003", .. property?.CheckedBy ?? []];
    }

    private static IEnumerable<string> Disagreements(string text, AjvVerdict ajv, IReadOnlyList<Diagnostic> core)
    {
        if (ajv.ParseError is not null) { yield return $"the yaml package could not read it: {ajv.ParseError}"; yield break; }
        var root = YamlReader.Read(text, "x").Root;
        if (root is null || core.Any(d => d.Code == "CL0001")) { yield return "the core could not read it"; yield break; }
        var nodes = NodesByPointer(root);
        var errors = core.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

        foreach (var e in ajv.Errors.Where(e => e.Keyword != "if")) // "if" only says its "then" failed; that error is listed itself
        {
            var (_, node) = nodes[e.InstancePath];
            bool matched = e.Keyword switch
            {
                "additionalProperties" => errors.Any(d => d.Code == "CL0002"
                    && d.Span == nodes[e.InstancePath + "/" + e.Params.GetProperty("additionalProperty").GetString()].Key!.Value.Span),
                "required" => errors.Any(d => d.Code == "CL0004" && d.Message.Contains(
                    $"no “{e.Params.GetProperty("missingProperty").GetString()}”", StringComparison.Ordinal)),
                "type" => errors.Any(d => d.Code == "CL0003" && d.Span == node.Span),
                _ => errors.Any(d => ValueCodes(e.InstancePath).Contains(d.Code) && d.Span == node.Span),
            };
            if (!matched) yield return $"ajv: {e.InstancePath} {e.Keyword} {e.Params.GetRawText()}, the core: nothing there";
        }

        foreach (var d in errors.Where(d => d.Code is "CL0002" or "CL0003" or "CL0004"))
        {
            bool matched = d.Code switch
            {
                "CL0002" => nodes.Any(n => n.Value.Key?.Span == d.Span && ajv.Errors.Any(e => e.Keyword == "additionalProperties"
                    && n.Key == e.InstancePath + "/" + e.Params.GetProperty("additionalProperty").GetString())),
                "CL0004" => ajv.Errors.Any(e => e.Keyword == "required"
                    && d.Message.Contains($"no “{e.Params.GetProperty("missingProperty").GetString()}”", StringComparison.Ordinal)),
                _ => nodes.Any(n => n.Value.Node.Span == d.Span && ajv.Errors.Any(e => e.InstancePath == n.Key
                    && e.Keyword is not ("required" or "additionalProperties" or "if"))),
            };
            if (!matched) yield return $"the core: {d.Code} {d.Span} {d.Message}, ajv: nothing there";
        }
    }

    [NeedsFact(Needs.NpmPeers)]
    public void Generated_manifests_get_the_same_verdicts_from_ajv_and_the_core()
    {
        var random = new Random(20261123);
        var texts = Enumerable.Range(0, Documents).Select(_ => YamlText.Write(Generate(random))).ToList();
        var verdicts = ValidateWithAjv(texts);
        var failures = new List<string>();
        for (int i = 0; i < texts.Count; i++)
        {
            var core = ManifestChecker.Check("generated.site.yaml", texts[i]).ByPath["generated.site.yaml"];
            var problems = Disagreements(texts[i], verdicts[i], core).ToList();
            if (problems.Count > 0 && failures.Count < 10) failures.Add($"{string.Join("\n", problems)}\n---\n{texts[i]}");
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));

        // The generator must produce both verdicts in quantity, or the comparison proves little.
        int valid = verdicts.Count(v => v.Valid);
        Assert.InRange(valid, Documents / 10, Documents * 9 / 10);
        var keywords = verdicts.SelectMany(v => v.Errors).Select(e => e.Keyword).ToHashSet();
        Assert.Superset(new HashSet<string> { "additionalProperties", "required", "type", "enum", "minimum", "maximum", "minLength",
            "maxLength", "pattern", "format" }, keywords);
    }

    [NeedsFact(Needs.NpmPeers)]
    public void The_full_document_is_valid_for_ajv_too()
    {
        var verdict = Assert.Single(ValidateWithAjv([YamlText.Write(SchemaAgreementTests.FullDocument())]));
        Assert.True(verdict.Valid, string.Join("\n", verdict.Errors.Select(e => $"{e.InstancePath} {e.Keyword}")));
    }

    [NeedsFact(Needs.NpmPeers)]
    public void An_integral_float_is_not_an_integer_to_the_core()
    {
        var text = YamlText.Write(With(SchemaAgreementTests.FullDocument(), new YScalar("1e3")));
        Assert.True(Assert.Single(ValidateWithAjv([text])).Valid); // JSON: the number 1000
        Assert.Contains(ManifestChecker.Check("x.site.yaml", text).All, d => d.Code == "CL0003"
            && d.Message.Contains("“1e3”", StringComparison.Ordinal));

        static YMap With(YMap document, YScalar value)
        {
            ((YMap)document["certificates"]!)["warningDays"] = value;
            return document;
        }
    }
}
