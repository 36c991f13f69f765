using System.Text;
using System.Text.Json;
using CertLsp.Core.Configuration;
using CertLsp.Core.Diagnostics;
using CertLsp.Core.Tests.Interop;

namespace CertLsp.Core.Tests.Schema;

/// <summary>
/// schemas/certlsp.schema.json against a validator no one here wrote: ajv (tests/interop/validate-json.mjs) and the core's
/// certlsp.json reader give every file the same verdict (valid, or not valid), so an editor using the schema and CertLsp agree.
/// Only plain JSON is compared: the core also accepts comments and trailing commas, which JSON.parse refuses.
/// </summary>
public sealed class ConfigSchemaAjvTests
{
    private static IEnumerable<string> Files()
    {
        yield return "{}";
        yield return """{ "rules": {} }""";
        yield return """{ "$schema": "https://example.invalid/certlsp.schema.json", "rules": { "CL0302": "off" } }""";
        foreach (var level in CheckSettings.LevelNames.Concat(["Off", "ERROR", "warn", "info", "", "none"]))
        {
            yield return $$"""{ "rules": { "CL0601": "{{level}}" } }""";
        }
        foreach (var definition in DiagnosticCatalog.All) yield return $$"""{ "rules": { "{{definition.Code}}": "warning" } }""";
        yield return """{ "rules": { "CL9999": "off" } }""";
        yield return """{ "rules": { "cl0302": "off" } }""";
        yield return """{ "rules": { "CL0302": 1 } }""";
        yield return """{ "rules": { "CL0302": null } }""";
        yield return """{ "rules": { "CL0302": ["off"] } }""";
        yield return """{ "rules": [] }""";
        yield return """{ "rules": "off" }""";
        yield return """{ "ruels": {} }""";
        yield return """{ "$schema": 3 }""";
        yield return "[]";
        yield return "\"rules\"";
        yield return """{ "rules": { "CL0302": "off", "CL0401": "error", "CL0405": "hint" }, "$schema": "x" }""";
    }

    [NeedsFact(Needs.NpmPeers)]
    public void Ajv_and_the_core_agree_on_every_file()
    {
        NodeTool.RequirePackage("ajv");
        var files = Files().ToList();
        var input = new StringBuilder();
        for (int i = 0; i < files.Count; i++) input.AppendLine(JsonSerializer.Serialize(new { id = i, json = files[i] }));
        var output = NodeTool.Run("validate-json.mjs", [RepoPaths.Combine("schemas", "certlsp.schema.json")], input.ToString(),
            TimeSpan.FromSeconds(60));
        var verdicts = new bool?[files.Count];
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var o = JsonDocument.Parse(line).RootElement;
            Assert.False(o.TryGetProperty("parseError", out var error), $"not JSON: {error}");
            verdicts[o.GetProperty("id").GetInt32()] = o.GetProperty("valid").GetBoolean();
        }
        int valid = 0;
        for (int i = 0; i < files.Count; i++)
        {
            bool core = CheckSettings.Parse("certlsp.json", files[i]).Problems.IsEmpty;
            Assert.True(verdicts[i] == core,
                $"ajv says {(verdicts[i] == true ? "valid" : "not valid")}, the core {(core ? "valid" : "not valid")}: {files[i]}");
            if (core) valid++;
        }
        // Guards the comparison: both verdicts occur.
        Assert.InRange(valid, DiagnosticCatalog.All.Length, files.Count - 10);
    }
}
