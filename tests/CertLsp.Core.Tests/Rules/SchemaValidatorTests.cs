using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>The schema-driven structure checks: CL0002 unknown key, CL0003 wrong type or value, CL0004 required key missing.</summary>
public sealed class SchemaValidatorTests
{
    [Fact]
    public void An_unknown_key_is_reported_on_the_key_and_renamed_by_the_fix()
    {
        string text = Sites.With(("address: 127.0.0.3", "adress: 127.0.0.3"));
        var d = Checks.Expect(text, "CL0002", (20, 4, 20, 10), "adress");
        var fix = Assert.Single(d.Fixes);
        Assert.Equal("Rename to “address”", fix.Title);
        Assert.Equal(Sites.Clean, Checks.ApplyFix(text, d, fix));
    }

    [Fact]
    public void An_unknown_key_with_no_close_match_lists_the_allowed_keys_and_has_no_fix()
    {
        string text = Sites.With(("key:", "colour: blue\nkey:"));
        var d = Checks.Expect(text, "CL0002", (11, 0, 11, 6), "colour");
        Assert.Empty(d.Fixes);
    }

    [Fact]
    public void A_key_the_mapping_already_has_is_never_suggested()
    {
        // Renaming "organisation" to "organization" would make a duplicate key.
        string text = Sites.With(("  organizationalUnit: Facilities\n", "  organizationalUnit: Facilities\n  organisation: Test Org\n"));
        var d = Checks.Single(text, "CL0002");
        Assert.Empty(d.Fixes);
        string without = Sites.With(("  organization: Test Org\n", "  organisation: Test Org\n"));
        var renamed = Checks.Single(without, "CL0002");
        Assert.Equal(Sites.Clean, Checks.ApplyOnlyFix(without, renamed));
    }

    [Fact]
    public void A_merge_key_is_explained()
    {
        string text = Sites.With(("    instance: 1002\n", "    <<: { instance: 1002 }\n"));
        _ = Checks.Expect(text, "CL0002", (19, 4, 19, 6), "<<");
    }

    [Fact]
    public void A_number_where_text_belongs_is_quoted_by_the_fix()
    {
        string text = Sites.With(("name: AHU-2", "name: 12345"));
        var d = Checks.Expect(text, "CL0003", (18, 10, 18, 15), "12345");
        Assert.Contains("  - name: \"12345\"\n", Checks.ApplyOnlyFix(text, d), StringComparison.Ordinal);
    }

    [Fact]
    public void Paths_two_levels_below_a_list_item_and_of_an_item_itself_name_the_item()
    {
        // The validator builds a list item's path text only when a finding needs it: these pin what it builds then.
        string nested = Sites.With(("    instance: 1002\n", "    instance: 1002\n    subject: { country: [ US ] }\n"));
        _ = Checks.Expect(nested, "CL0003", (20, 24, 20, 30), "[ US ]");
        string item = Sites.With(("  - name: AHU-2\n    instance: 1002\n    address: 127.0.0.3\n", "  - [ AHU-2, 1002 ]\n"));
        _ = Checks.Expect(item, "CL0003", (18, 4, 18, 19), "[ AHU-2, 1002 ]");
    }

    [Fact]
    public void A_list_where_a_mapping_belongs_covers_the_whole_flow_list_including_its_bracket()
    {
        string text = Sites.With(("    instance: 1002\n", "    instance: 1002\n    subject: [ country, US ]\n"));
        var d = Checks.Expect(text, "CL0003", (20, 13, 20, 28), "[ country, US ]");
        Assert.Empty(d.Fixes);
    }

    [Fact]
    public void A_value_outside_the_enum_is_changed_to_the_closest_allowed_value()
    {
        string text = Sites.With(("profile: generic", "profile: enoss"));
        var d = Checks.Expect(text, "CL0003", (3, 11, 3, 16), "enoss");
        Assert.Contains("  profile: enos\n", Checks.ApplyOnlyFix(text, d), StringComparison.Ordinal);
    }

    [Fact]
    public void A_numeric_enum_value_is_put_as_a_number()
    {
        string text = Sites.With(("key:", "bacnet:\n  generateCsrCommand: 7\nkey:"));
        var d = Checks.Expect(text, "CL0003", (12, 22, 12, 23), "7");
        string fixedText = Checks.ApplyOnlyFix(text, d);
        Assert.Contains("  generateCsrCommand: 8\n", fixedText, StringComparison.Ordinal);
        Assert.Empty(Checks.Errors(fixedText));
    }

    [Fact]
    public void A_number_out_of_range_names_the_range()
    {
        string text = Sites.With(("key:", "bacnet:\n  port: 70000\nkey:"));
        _ = Checks.Expect(text, "CL0003", (12, 8, 12, 13), "70000");
    }

    [Fact]
    public void A_device_without_name_gets_one_inserted_at_its_indentation()
    {
        string text = Sites.With(("  - name: AHU-2\n    instance: 1002\n", "  - instance: 1002\n"));
        var d = Checks.Expect(text, "CL0004", (18, 4, 18, 12), "instance");
        var fix = Assert.Single(d.Fixes);
        Assert.Equal("Add “name”", fix.Title);
        string fixedText = Checks.ApplyFix(text, d, fix);
        Assert.EndsWith("  - instance: 1002\n    address: 127.0.0.3\n    name: MAC00108D0B94AE\n", fixedText, StringComparison.Ordinal);
    }

    [Fact]
    public void The_inserted_key_follows_CRLF_and_flow_style()
    {
        string crlf = Sites.With(("  - name: AHU-2\n    instance: 1002\n", "  - instance: 1002\n")).Replace("\n", "\r\n",
            StringComparison.Ordinal);
        string fixedCrlf = Checks.ApplyOnlyFix(crlf, Checks.Single(crlf, "CL0004"));
        Assert.EndsWith("  - instance: 1002\r\n    address: 127.0.0.3\r\n    name: MAC00108D0B94AE\r\n", fixedCrlf,
            StringComparison.Ordinal);

        string flow = Sites.With(("  - name: AHU-2\n    instance: 1002\n    address: 127.0.0.3\n", "  - {instance: 1002}\n"));
        var d = Checks.Expect(flow, "CL0004", (18, 5, 18, 13), "instance");
        Assert.EndsWith("  - {instance: 1002, name: MAC00108D0B94AE}\n", Checks.ApplyOnlyFix(flow, d), StringComparison.Ordinal);

        string empty = Sites.With(("  - name: AHU-2\n    instance: 1002\n    address: 127.0.0.3\n", "  - {}\n"));
        Assert.EndsWith("  - { name: MAC00108D0B94AE }\n", Checks.ApplyOnlyFix(empty, Checks.Single(empty, "CL0004")),
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_top_level_key_is_reported_on_the_first_key_and_added_at_the_end()
    {
        string text = Sites.With(("site: Test Site\n", ""));
        var d = Checks.Expect(text, "CL0004", (0, 0, 0, 6), "domain");
        Assert.EndsWith("    address: 127.0.0.3\nsite: Riverside Campus\n", Checks.ApplyOnlyFix(text, d), StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_lacks_every_required_key_and_the_fixes_together_make_a_manifest()
    {
        var found = Checks.OfCode("", "CL0004");
        // Which keys are missing: the key each fix adds.
        Assert.Equal(["devices", "site", "subject"], found.Select(d =>
            Assert.Single(Assert.Single(d.Fixes).Edits).NewText.Split(':')[0].Trim()).Order().ToArray());
        Assert.All(found, d => Assert.Equal((0, 0, 0, 0), Checks.Range("", d.Span)));
        string all = Edits.Apply(Checks.FilePath, "", new Diagnostics.Fix("all",
            [.. found.SelectMany(d => d.Fixes).SelectMany(f => f.Edits)]));
        Assert.Empty(Checks.OfCode(all, "CL0004"));
        Assert.DoesNotContain(Checks.Run(all), d => d.Code is "CL0001" or "CL0002" or "CL0003");
    }

    [Fact]
    public void An_empty_value_of_the_wrong_type_is_shown_on_its_key()
    {
        string text = Sites.With(("key:\n  algorithm: rsa\n  size: 2048\n", "key:\n"));
        Checks.Expect(text, "CL0003", (11, 0, 11, 3), "key");
    }
}
