using CertLsp.Core.Checking;
using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0201: common names unique, case-insensitive, with the domain appended, within a file and across files.</summary>
public sealed class DuplicateCommonNameRuleTests
{
    private static readonly string Duplicated = Sites.With(("name: AHU-2", "name: ahu-1"));

    [Fact]
    public void Both_devices_are_reported_on_their_names_each_pointing_at_the_other()
    {
        var found = Checks.OfCode(Duplicated, "CL0201");
        Assert.Equal(2, found.Length);
        Checks.AssertRange(Duplicated, found[0], (15, 10, 15, 15), "AHU-1");
        Checks.AssertRange(Duplicated, found[1], (18, 10, 18, 15), "ahu-1");
        var related0 = Assert.Single(found[0].Related);
        Assert.Equal((18, 10, 18, 15), Checks.Range(Duplicated, related0.Location.Span));
        Assert.Equal(Checks.FilePath, related0.Location.Path);
        var related1 = Assert.Single(found[1].Related);
        Assert.Equal((15, 10, 15, 15), Checks.Range(Duplicated, related1.Location.Span));
    }

    [Fact]
    public void The_first_keeps_its_name_and_the_second_gets_a_commonName_line_at_the_device_s_indentation()
    {
        var found = Checks.OfCode(Duplicated, "CL0201");
        Assert.Empty(found[0].Fixes);
        var fix = Assert.Single(found[1].Fixes);
        Assert.Equal("Set the common name to “ahu-1-2”", fix.Title);
        string fixedText = Checks.ApplyFix(Duplicated, found[1], fix);
        Assert.Contains("  - name: ahu-1\n    commonName: ahu-1-2\n    instance: 1002\n", fixedText, StringComparison.Ordinal);
        Checks.None(fixedText, "CL0201");
    }

    [Fact]
    public void The_inserted_line_keeps_CRLF_line_endings()
    {
        string text = Duplicated.Replace("\n", "\r\n", StringComparison.Ordinal);
        var found = Checks.OfCode(text, "CL0201");
        Checks.AssertRange(text, found[1], (18, 10, 18, 15), "ahu-1");
        string fixedText = Checks.ApplyOnlyFix(text, found[1]);
        Assert.Contains("  - name: ahu-1\r\n    commonName: ahu-1-2\r\n    instance: 1002\r\n", fixedText, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", fixedText.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void In_a_flow_mapping_device_the_commonName_is_added_inside_the_braces()
    {
        string text = Sites.With(("  - name: AHU-2\n    instance: 1002\n    address: 127.0.0.3\n", "  - {name: ahu-1,instance: 1002}\n"));
        var d = Checks.OfCode(text, "CL0201")[1];
        Checks.AssertRange(text, d, (18, 11, 18, 16), "ahu-1");
        string fixedText = Checks.ApplyOnlyFix(text, d);
        Assert.Contains("  - {name: ahu-1,instance: 1002, commonName: ahu-1-2}\n", fixedText, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_commonName_is_changed_in_place_and_the_domain_is_not_appended_twice()
    {
        string text = Sites.With(("  - name: AHU-2\n", "  - name: Boiler\n    commonName: ahu-1.BMS.test.example\n"));
        var d = Checks.OfCode(text, "CL0201")[1];
        Checks.AssertRange(text, d, (19, 16, 19, 38), "ahu-1.BMS.test.example");
        var fix = Assert.Single(d.Fixes);
        Assert.Equal("Change the common name to “ahu-1-2”", fix.Title);
        string fixedText = Checks.ApplyFix(text, d, fix);
        Assert.Contains("    commonName: ahu-1-2\n", fixedText, StringComparison.Ordinal);
    }

    [Fact]
    public void The_proposed_name_skips_names_that_are_taken_or_proposed_to_another_device()
    {
        string text = Sites.WithDevices(4, i => "").Replace("DEV-1\n", "X\n").Replace("DEV-2\n", "x\n").Replace("DEV-3\n", "X-2\n").Replace(
            "DEV-4\n", "X\n");
        var found = Checks.OfCode(text, "CL0201");
        var titles = found.SelectMany(d => d.Fixes).Select(f => f.Title).ToList();
        Assert.Equal(["Set the common name to “x-3”", "Set the common name to “X-4”"], titles);
        string all = Edits.Apply(text, found.SelectMany(d => d.Fixes).SelectMany(f => f.Edits));
        Checks.None(all, "CL0201");
    }

    [Fact]
    public void Names_differing_only_by_the_domain_suffix_or_case_are_duplicates_but_other_domains_are_not()
    {
        Assert.Equal(2, Checks.OfCode(Sites.With(("name: AHU-2", "name: AHU-1.BMS.TEST.EXAMPLE")), "CL0201").Length);
        Checks.None(Sites.With(("name: AHU-2", "name: AHU-1.other.example")), "CL0201");
    }

    [Fact]
    public void Duplicates_across_two_manifests_of_a_folder_point_at_each_other_and_the_later_file_gets_the_fix()
    {
        string north = Sites.Clean;
        string south = Sites.With(("site: Test Site", "site: South"), ("name: AHU-2", "name: ahu-1"), ("name: AHU-1", "name: VAV-1"));
        var result = ManifestChecker.Check([ManifestDocument.Parse("north.site.yaml", north),
            ManifestDocument.Parse("south.site.yaml", south)]);
        var inNorth = Assert.Single(result.ByPath["north.site.yaml"], d => d.Code == "CL0201");
        var inSouth = Assert.Single(result.ByPath["south.site.yaml"], d => d.Code == "CL0201");
        Checks.AssertRange(north, inNorth, (15, 10, 15, 15), "AHU-1");
        Checks.AssertRange(south, inSouth, (18, 10, 18, 15), "ahu-1");
        Assert.Equal("south.site.yaml", Assert.Single(inNorth.Related).Location.Path);
        Assert.Equal((18, 10, 18, 15), Checks.Range(south, inNorth.Related[0].Location.Span));
        Assert.Equal("north.site.yaml", Assert.Single(inSouth.Related).Location.Path);
        Assert.Empty(inNorth.Fixes);
        var fix = Assert.Single(inSouth.Fixes);
        Assert.All(fix.Edits, e => Assert.Equal("south.site.yaml", e.Path));
        string fixedSouth = Edits.Apply(south, fix.Edits);
        var again = ManifestChecker.Check([ManifestDocument.Parse("north.site.yaml", north),
            ManifestDocument.Parse("south.site.yaml", fixedSouth)]);
        Assert.DoesNotContain(again.All, d => d.Code == "CL0201");
        Assert.False(again.HasErrors);
    }

    [Fact]
    public void After_a_block_scalar_name_the_commonName_goes_into_the_same_device_not_the_next()
    {
        string text = Sites.With(("  - name: AHU-2\n    instance: 1002\n    address: 127.0.0.3\n",
            "  - name: |\n      ahu-1\n  - name: AHU-3\n"));
        var d = Checks.OfCode(text, "CL0201")[1];
        Assert.Equal((18, 10, 20, 0), Checks.Range(text, d.Span));
        string fixedText = Checks.ApplyOnlyFix(text, d);
        Assert.EndsWith("  - name: |\n      ahu-1\n    commonName: ahu-1-2\n  - name: AHU-3\n", fixedText, StringComparison.Ordinal);
        Assert.Empty(Checks.Errors(fixedText));
    }
}
