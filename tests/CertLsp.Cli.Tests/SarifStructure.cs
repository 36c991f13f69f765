using System.Text.Json;
using Xunit;

namespace CertLsp.Cli.Tests;

/// <summary>The properties SARIF 2.1.0 requires (and the ones code-review annotation needs), checked one by one.</summary>
public static class SarifStructure
{
    public static void AssertValid(JsonElement log)
    {
        Assert.Equal("2.1.0", log.GetProperty("version").GetString());
        Assert.Contains("sarif", log.GetProperty("$schema").GetString(), StringComparison.OrdinalIgnoreCase);
        var runs = log.GetProperty("runs");
        Assert.Equal(JsonValueKind.Array, runs.ValueKind);
        foreach (var run in runs.EnumerateArray())
        {
            var driver = run.GetProperty("tool").GetProperty("driver");
            Assert.Equal("certlsp", driver.GetProperty("name").GetString());
            var rules = driver.GetProperty("rules").EnumerateArray().ToList();
            Assert.NotEmpty(rules);
            Assert.Equal(rules.Count, rules.Select(r => r.GetProperty("id").GetString()).Distinct().Count());
            foreach (var rule in rules)
            {
                Assert.Matches("^CL[0-9]{4}$", rule.GetProperty("id").GetString());
                Assert.False(string.IsNullOrEmpty(rule.GetProperty("shortDescription").GetProperty("text").GetString()));
                Assert.True(Uri.IsWellFormedUriString(rule.GetProperty("helpUri").GetString(), UriKind.Absolute));
            }
            if (run.TryGetProperty("originalUriBaseIds", out var bases))
            {
                foreach (var b in bases.EnumerateObject())
                {
                    var uri = new Uri(b.Value.GetProperty("uri").GetString()!);
                    Assert.True(uri.IsAbsoluteUri && uri.AbsoluteUri.EndsWith('/'), $"{b.Name} must be an absolute URI ending with /");
                }
            }
            foreach (var result in run.GetProperty("results").EnumerateArray())
            {
                Assert.False(string.IsNullOrEmpty(result.GetProperty("message").GetProperty("text").GetString()));
                string ruleId = result.GetProperty("ruleId").GetString()!;
                int ruleIndex = result.GetProperty("ruleIndex").GetInt32();
                Assert.Equal(ruleId, rules[ruleIndex].GetProperty("id").GetString());
                Assert.Contains(result.GetProperty("level").GetString(), new[] { "error", "warning", "note", "none" });
                var locations = result.GetProperty("locations").EnumerateArray().ToList();
                Assert.NotEmpty(locations);
                foreach (var location in locations.Concat(result.TryGetProperty("relatedLocations", out var rel) ? rel.EnumerateArray()
                    : []))
                {
                    var physical = location.GetProperty("physicalLocation");
                    var artifact = physical.GetProperty("artifactLocation");
                    var uri = artifact.GetProperty("uri").GetString()!;
                    if (artifact.TryGetProperty("uriBaseId", out var baseId)) Assert.True(bases.TryGetProperty(baseId.GetString()!, out _));
                    else Assert.True(Uri.TryCreate(uri, UriKind.Absolute, out _), uri);
                    var region = physical.GetProperty("region");
                    Assert.True(region.GetProperty("startLine").GetInt32() >= 1 && region.GetProperty("startColumn").GetInt32() >= 1);
                    Assert.True(region.GetProperty("endLine").GetInt32() >= region.GetProperty("startLine").GetInt32());
                }
            }
        }
    }
}
