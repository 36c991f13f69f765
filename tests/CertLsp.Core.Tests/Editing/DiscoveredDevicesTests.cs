using CertLsp.Core.Checking;
using CertLsp.Core.Editing;
using CertLsp.Core.Tests.Support;
using CsCheck;

namespace CertLsp.Core.Tests.Editing;

/// <summary>
/// Discovered devices as edits of a manifest: the exact text they make in each layout (block with any indentation, flow, flow
/// items in a block list, an empty or missing devices key), CRLF kept, names quoted where YAML needs it, and the result
/// re-checked: the devices read back as discovered and no diagnostic appears that was not there before.
/// </summary>
public class DiscoveredDevicesTests
{
    private const string Head =
        "site: Harbor\nca: { profile: bacnet-sc }\nsubject:\n  country: DE\n  state: Bayern\n  locality: München\n  organization: Hafen " +
            "GmbH\n  organizationalUnit: Technik\n";

    private static readonly FoundDevice[] Two = [new("VAV-7", 7007, "127.0.7.8"), new("AHU-5", 7005, "127.0.7.6:47809")];

    private static (string Text, DiscoveryEdits Result) Apply(string text, IReadOnlyList<FoundDevice> found,
        IReadOnlyList<MovedDevice>? moved = null)
    {
        var result = DiscoveredDevices.Edits(ManifestDocument.Parse(Checks.FilePath, text), found, moved ?? []);
        Assert.Null(result.Refusal);
        Assert.All(result.Edits, e => Assert.Equal(Checks.FilePath, e.Path));
        return (Edits.Apply(text, result.Edits), result);
    }

    /// <summary>The codes found after the edits are those found before: nothing new, nothing the edits should have fixed left
    /// over.</summary>
    private static void ChecksClean(string before, string after, string? fixedCode = null)
    {
        static string[] Codes(string t) => [.. Checks.Run(t).Where(d => d.Code != "CL0302").Select(d => d.Code).Order()];
        Assert.Equal(Codes(before).Where(c => c != fixedCode), Codes(after));
    }

    private static void DevicesRead(string text, params (string Name, long Instance, string? Address)[] expected)
    {
        var manifest = ManifestDocument.Parse(Checks.FilePath, text).Manifest!;
        Assert.Equal(expected, manifest.Devices.Select(d => (d.Name!.Value, long.Parse(d.Instance!.Value), d.Address?.Value)));
    }

    [Fact]
    public void Devices_found_over_BACnet_SC_are_added_without_an_address_in_block_and_flow_lists()
    {
        FoundDevice[] sc = [new("VAV-7", 7007, null), new("AHU-5", 7005, "127.0.7.6")];
        string block = Head + "devices:\n  - name: Boiler-1\n    instance: 7001\n";
        var (after, result) = Apply(block, sc);
        Assert.Equal(block + "  - name: AHU-5\n    instance: 7005\n    address: 127.0.7.6\n  - name: VAV-7\n    instance: 7007\n",
            after);
        Assert.Equal(["AHU-5", "VAV-7"], result.Added.ToArray());
        DevicesRead(after, ("Boiler-1", 7001, null), ("AHU-5", 7005, "127.0.7.6"), ("VAV-7", 7007, null));
        ChecksClean(block, after);

        string flow = Head + "devices: [{ name: Boiler-1, instance: 7001 }]\n";
        (after, _) = Apply(flow, sc);
        Assert.Equal(Head + "devices: [{ name: Boiler-1, instance: 7001 }, { name: AHU-5, instance: 7005, address: 127.0.7.6 }, " +
            "{ name: VAV-7, instance: 7007 }]\n", after);
        ChecksClean(flow, after);
    }

    [Fact]
    public void Block_list_gets_the_new_devices_after_the_last_one_in_instance_order_and_the_moved_address()
    {
        string before = Head
            + "devices:\n  - name: Boiler-1\n    instance: 7001\n    address: 127.0.7.2   # plant room\n  - name: Chiller-2\n    " +
            "instance: 7002\n    address: 127.0.7.3\n\n# end of the site\n";
        var (after, result) = Apply(before, Two, [new MovedDevice(7001, "127.0.7.12", 47808)]);
        Assert.Equal(
            Head + "devices:\n  - name: Boiler-1\n    instance: 7001\n    address: 127.0.7.12   # plant room\n  - name: Chiller-2\n    " +
                "instance: 7002\n    address: 127.0.7.3\n"
            + "  - name: AHU-5\n    instance: 7005\n    address: 127.0.7.6:47809\n  - name: VAV-7\n    instance: 7007\n    address: " +
                "127.0.7.8\n\n# end of the site\n",
            after);
        Assert.Equal(["AHU-5", "VAV-7"], result.Added.ToArray());
        Assert.Equal(["Boiler-1"], result.Updated.ToArray());
        ChecksClean(before, after);
    }

    [Theory]
    [InlineData(0, 2)] // "- name" at the key's column
    [InlineData(4, 6)]
    [InlineData(2, 6)] // "-   name"
    [InlineData(3, 5)]
    public void The_dash_and_key_columns_of_the_first_device_are_kept(int dash, int keys)
    {
        string d = new(' ', dash), k = new(' ', keys), gap = new(' ', keys - dash - 1);
        string before = Head + $"devices:\n{d}-{gap}name: Boiler-1\n{k}instance: 7001\n{k}address: 127.0.7.2\n";
        var (after, _) = Apply(before, [Two[0]]);
        Assert.Equal(before + $"{d}-{gap}name: VAV-7\n{k}instance: 7007\n{k}address: 127.0.7.8\n", after);
        DevicesRead(after, ("Boiler-1", 7001, "127.0.7.2"), ("VAV-7", 7007, "127.0.7.8"));
        ChecksClean(before, after);
    }

    [Fact]
    public void CRLF_files_get_CRLF_lines_only()
    {
        string before = (Head + "devices:\n  - name: Boiler-1\n    instance: 7001\n\n").ReplaceLineEndings("\r\n");
        var (after, result) = Apply(before, Two, [new MovedDevice(7001, "127.0.7.2", 47808)]);
        Assert.Equal(
            (Head + "devices:\n  - name: Boiler-1\n    instance: 7001\n    address: 127.0.7.2\n  - name: AHU-5\n    instance: 7005\n    " +
                "address: 127.0.7.6:47809\n"
             + "  - name: VAV-7\n    instance: 7007\n    address: 127.0.7.8\n\n").ReplaceLineEndings("\r\n"),
            after);
        Assert.DoesNotMatch(@"(?<!\r)\n", after);
        Assert.Equal(["Boiler-1"], result.Updated.ToArray());
        ChecksClean(before, after);
    }

    [Fact]
    public void Flow_lists_stay_flow_on_one_line_or_one_item_a_line()
    {
        string oneLine = Head + "devices: [{ name: Boiler-1, instance: 7001, address: 127.0.7.2 }]\n";
        var (after, _) = Apply(oneLine, [Two[0]]);
        Assert.Equal(Head
            + "devices: [{ name: Boiler-1, instance: 7001, address: 127.0.7.2 }, { name: VAV-7, instance: 7007, address: 127.0.7.8 }]\n",
            after);
        ChecksClean(oneLine, after);

        string lines = Head + "devices: [\n    { name: Boiler-1, instance: 7001 },\n    { name: Chiller-2, instance: 7002 }\n]\n";
        (after, _) = Apply(lines, Two, [new MovedDevice(7002, "127.0.7.3", 47808)]);
        Assert.Equal(Head
            + "devices: [\n    { name: Boiler-1, instance: 7001 },\n    { name: Chiller-2, instance: 7002, address: 127.0.7.3 },\n"
            + "    { name: AHU-5, instance: 7005, address: 127.0.7.6:47809 },\n    " +
                "{ name: VAV-7, instance: 7007, address: 127.0.7.8 }\n]\n", after);
        ChecksClean(lines, after);

        string empty = Head + "devices: []   # none yet\n";
        (after, _) = Apply(empty, Two);
        Assert.Equal(Head
            + "devices: [{ name: AHU-5, instance: 7005, address: 127.0.7.6:47809 }, { name: VAV-7, instance: 7007, address: 127.0.7.8 }] " +
            "  # none yet\n", after);
        ChecksClean(empty, after);
    }

    [Fact]
    public void Flow_mappings_in_a_block_list_stay_flow_mappings()
    {
        string before = Head + "devices:\n  - { name: Boiler-1, instance: 7001, address: 127.0.7.2 }\n";
        var (after, _) = Apply(before, [Two[0]]);
        Assert.Equal(before + "  - { name: VAV-7, instance: 7007, address: 127.0.7.8 }\n", after);
        ChecksClean(before, after);
    }

    [Theory]
    [InlineData("devices:\n", "devices:\n")]
    [InlineData("devices: ~  # to be discovered\n", "devices:  # to be discovered\n")]
    [InlineData("devices: null\n", "devices:\n")]
    public void An_empty_devices_key_gets_a_block_list_at_the_files_indentation(string key, string kept)
    {
        string head = Head.Replace("\n  ", "\n    ", StringComparison.Ordinal); // this file indents by 4
        string before = head + key + "bacnet: { port: 47808 }\n";
        var (after, _) = Apply(before, Two);
        Assert.Equal(head + kept.TrimEnd('\n')
            + "\n    - name: AHU-5\n      instance: 7005\n      address: 127.0.7.6:47809\n    - name: VAV-7\n      instance: 7007\n      " +
            "address: 127.0.7.8\n"
            + "bacnet: { port: 47808 }\n", after);
        DevicesRead(after, ("AHU-5", 7005, "127.0.7.6:47809"), ("VAV-7", 7007, "127.0.7.8"));
        Assert.DoesNotContain(Checks.Run(after), d => d.Code is "CL0001" or "CL0003");
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_manifest_without_devices_gets_the_key_at_its_end(string newline)
    {
        string before = Head.ReplaceLineEndings(newline) + "domain: bms.example   # comment";
        var (after, _) = Apply(before, [Two[0]]);
        Assert.Equal(before
            + $"{newline}devices:{newline}  - name: VAV-7{newline}    instance: 7007{newline}    address: 127.0.7.8{newline}", after);
        ChecksClean(before, after, fixedCode: "CL0004"); // "devices" was missing
    }

    [Fact]
    public void Names_are_quoted_only_where_YAML_needs_it_and_read_back_as_given()
    {
        string before = Head + "devices:\n  - name: Boiler-1\n    instance: 7001\n";
        // Each name and how it is written: plain where YAML reads it back as the same text, double-quoted otherwise.
        (string Name, string Written)[] cases =
        [
            ("Lüftung Süd 北", "Lüftung Süd 北"), ("🌡 Fühler", "🌡 Fühler"), ("say \"hi\"", "say \"hi\""), ("AHU: 3", "\"AHU: 3\""),
            ("#5", "\"#5\""), ("true", "\"true\""), ("12", "\"12\""), ("- x", "\"- x\""), ("tab\there", "\"tab\\there\""),
        ];
        FoundDevice[] found = [.. cases.Select((c, i) => new FoundDevice(c.Name, i + 1, $"127.0.8.{i + 2}"))];
        var (after, _) = Apply(before, found);
        Assert.All(cases, c => Assert.Contains($"  - name: {c.Written}\n", after));
        DevicesRead(after, [("Boiler-1", 7001, null), .. found.Select(f => (f.Name!, f.Instance, (string?)f.Address))]);
    }

    [Fact]
    public void A_name_already_taken_or_missing_gets_the_instance()
    {
        string before = Head
            + "devices:\n  - name: Boiler-1\n    instance: 7001\n    address: 127.0.7.2\n  - name: x\n    commonName: chiller\n    " +
            "instance: 7002\n    address: 127.0.7.3\n";
        var (after, result) = Apply(before, [new("boiler-1", 7010, "127.0.7.11"), new("Chiller", 7011, "127.0.7.12"),
            new(null, 7012, "127.0.7.13"), new("  ", 7013, "127.0.7.14"), new("VAV", 7014, "127.0.7.15"), new("VAV", 7015, "127.0.7.16")]);
        Assert.Equal(["boiler-1-7010", "Chiller-7011", "device-7012", "device-7013", "VAV", "VAV-7015"], result.Added.ToArray());
        ChecksClean(before, after);
    }

    [Fact]
    public void Nothing_found_nothing_moved_no_edits()
    {
        string before = Head + "devices:\n  - name: Boiler-1\n    instance: 7001\n    address: 127.0.7.2\n";
        var result = DiscoveredDevices.Edits(ManifestDocument.Parse(Checks.FilePath, before), [],
            [new MovedDevice(7001, "127.0.7.2", 47808), new MovedDevice(9999, "127.0.7.9", 47808)]);
        Assert.True(result.IsEmpty);
        Assert.Empty(result.Updated);
    }

    [Fact]
    public void An_address_written_with_the_port_keeps_it()
    {
        string before = Head
            + "bacnet: { port: 47815 }\ndevices:\n  - name: A\n    instance: 1\n    address: 127.0.7.2:47815\n  - name: B\n    instance: " +
            "2\n    address: 127.0.7.3:47815\n";
        var (after, result) = Apply(before, [], [new MovedDevice(1, "127.0.7.20", 47815), new MovedDevice(2, "127.0.7.3:47816", 47816)]);
        Assert.Contains("address: 127.0.7.20:47815\n", after);
        Assert.Contains("address: 127.0.7.3:47816\n", after);
        Assert.Equal(["A", "B"], result.Updated.ToArray());
        // the same address
        Assert.True(DiscoveredDevices.Edits(ManifestDocument.Parse(Checks.FilePath, before), [],
            [new MovedDevice(1, "127.0.7.2", 47815)]).IsEmpty);
    }

    [Fact]
    public void An_address_written_with_the_port_gets_the_device_s_port_not_the_manifest_default()
    {
        // No bacnet.port in the manifest (the editor's setting says 47809): the device answered on 47809 from a new address.
        string before = Head + "devices:\n  - name: A\n    instance: 1\n    address: 127.0.7.2:47809\n";
        var (after, result) = Apply(before, [], [new MovedDevice(1, "127.0.7.20", 47809)]);
        Assert.Contains("address: 127.0.7.20:47809\n", after);
        Assert.Equal(["A"], result.Updated.ToArray());
    }

    [Fact]
    public void A_quoted_address_keeps_its_quotes()
    {
        string before = Head
            + "devices:\n  - name: A\n    instance: 1\n    address: '127.0.7.2'\n  - name: B\n    instance: 2\n    address: " +
            "\"127.0.7.3\"\n";
        var (after, _) = Apply(before, [], [new MovedDevice(1, "127.0.7.20", 47808), new MovedDevice(2, "127.0.7.30", 47808)]);
        Assert.Contains("address: '127.0.7.20'\n", after);
        Assert.Contains("address: \"127.0.7.30\"\n", after);
    }

    [Theory]
    [InlineData("devices: { a: 1 }\n", "a mapping")]
    [InlineData("devices: five\n", "text")]
    [InlineData("[unclosed\n", "YAML")]
    public void A_manifest_that_cannot_take_devices_is_refused_with_no_edits(string text, string why)
    {
        var result = DiscoveredDevices.Edits(ManifestDocument.Parse(Checks.FilePath, text), Two, []);
        Assert.True(result.IsEmpty);
        Assert.Contains(why, result.Refusal);
    }

    [Fact]
    public void Any_name_reads_back_exactly_in_any_layout()
    {
        var layouts = new[]
        {
            Head + "devices:\n  - name: Boiler-1\n    instance: 7001\n",
            Head + "devices:\n- name: Boiler-1\n  instance: 7001\n",
            (Head + "devices:\n    - name: Boiler-1\n      instance: 7001\n").ReplaceLineEndings("\r\n"),
            Head + "devices: [{ name: Boiler-1, instance: 7001 }]\n",
            Head + "devices:\n",
            Head,
        };
        // BACnet names are any CharacterString: letters of any script, YAML indicators, control characters, emoji.
        var character = Gen.Frequency((8, Gen.Char[' ', '\u2FFF']), (2, Gen.Char["-:#,[]{}'\"&*!|>%@`? "]), (1, Gen.Char['\0', '\u009F']),
            (1, Gen.Char["\uFEFF\u2028\u2029\u00A0"]));
        var text = Gen.Frequency((6, character.Select(c => c.ToString())), (1, Gen.Const("🌡")));
        var name = text.Array[1, 12].Select(string.Concat)
            .Where(s => s.Trim().Length > 0 && !s.Trim().Equals("Boiler-1", StringComparison.OrdinalIgnoreCase));
        Gen.Select(Gen.Int[0, layouts.Length - 1], name).Sample(t =>
        {
            var (layout, n) = t;
            string before = layouts[layout];
            var (after, result) = Apply(before, [new(n, 42, "127.0.9.9")]);
            var device = ManifestDocument.Parse(Checks.FilePath, after).Manifest?.Devices.SingleOrDefault(d => d.Instance?.Value == "42");
            Assert.True(device?.Name is not null,
                $"{string.Join(",", n.Select(c => ((int)c).ToString("X4")))}\n{after}\n{string.Join("\n", Checks.Run(after))}");
            Assert.Equal(n.Trim(), device.Name!.Value);
            Assert.Equal("127.0.9.9", device.Address!.Value);
            Assert.Equal([n.Trim()], result.Added.ToArray());
            Assert.DoesNotContain(Checks.Run(after), d => d.Code is "CL0001" or "CL0002" or "CL0003" or "CL0004");
        }, iter: 2000);
    }
}
