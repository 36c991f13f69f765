using CertLsp.Core.Checking;
using CertLsp.Core.Configuration;
using CertLsp.Core.Tests.Support;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;

namespace CertLsp.Core.Tests.Baselines;

/// <summary>
/// Each folder under Baselines/ is a case: its *.site.yaml files are checked together as one workspace folder and the
/// findings must equal its expected.diagnostics. CERTLSP_UPDATE_BASELINES=1 rewrites the expectations (review the diff).
/// </summary>
public sealed class BaselineTests
{
    public const string ExpectedFile = "expected.diagnostics";

    private static bool Updating => Environment.GetEnvironmentVariable("CERTLSP_UPDATE_BASELINES") == "1";

    public static IEnumerable<string> CaseNames() =>
        Directory.GetDirectories(RepoPaths.Baselines).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal);

    public static TheoryData<string> Cases() => [.. CaseNames()];

    /// <summary>The findings of a case folder, with file names relative to the folder.</summary>
    public static CheckResult CheckCase(string name)
    {
        string folder = Path.Combine(RepoPaths.Baselines, name);
        var files = Directory.GetFiles(folder).Where(ManifestFiles.IsManifestPath).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 0, $"the baseline case {name} has no *.site.yaml");
        // A case's certlsp.json (rule levels) applies to all its manifests, as the nearest one does in a workspace.
        string config = Path.Combine(folder, CheckSettings.FileName);
        var settings = File.Exists(config) ? CheckSettings.Parse(CheckSettings.FileName, File.ReadAllText(config)) : CheckSettings.None;
        return ManifestChecker.Check(files.Select(f => ManifestDocument.Parse(Path.GetFileName(f), ManifestFiles.Read(f), LedgerOf(f),
            settings: settings)));
    }

    /// <summary>The ledger beside a case's manifest ("&lt;name&gt;.site.ledger"), named relative to the folder, or null.</summary>
    public static LedgerInput? LedgerOf(string manifestPath)
    {
        string ledger = LedgerFile.PathFor(manifestPath);
        return File.Exists(ledger) ? new LedgerInput(Path.GetFileName(ledger), ManifestFiles.Read(ledger)) : null;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_matches_its_expected_diagnostics(string name)
    {
        string actual = BaselineFormat.Write(CheckCase(name));
        string expectedPath = Path.Combine(RepoPaths.Baselines, name, ExpectedFile);
        if (Updating)
        {
            File.WriteAllText(expectedPath, actual);
        }
        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing; run the tests with CERTLSP_UPDATE_BASELINES=1 and review it");
        string expected = File.ReadAllText(expectedPath).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Equal(expected, actual);
    }
}
