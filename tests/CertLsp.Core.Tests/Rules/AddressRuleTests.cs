using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0603: device addresses are IPv4 with an optional port, the broadcast IPv4; CL0604: unique per address and port.</summary>
public sealed class AddressRuleTests
{
    [Theory]
    [InlineData("127.0.0.300")]
    [InlineData("127.0.0")]
    [InlineData("127.0.0.010")]
    [InlineData("127.0.0.3:99999")]
    [InlineData("127.0.0.3:")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("bms-ahu-1")]
    public void Invalid_addresses_are_reported_on_the_value_with_the_reason(string address)
    {
        string text = Sites.With(("address: 127.0.0.3", $"address: \"{address}\""));
        _ = Checks.Expect(text, "CL0603", (20, 13, 20, 15 + address.Length), $"\"{address}\"");
    }

    [Fact]
    public void The_same_address_and_port_twice_is_reported_with_the_first_as_related_location()
    {
        string text = Sites.With(("address: 127.0.0.3", "address: 127.0.0.2:47808"));
        var d = Checks.Expect(text, "CL0604", (20, 13, 20, 28), "127.0.0.2:47808");
        Checks.None(text, "CL0603");
        var related = Assert.Single(d.Related);
        Assert.Equal((17, 13, 17, 22), Checks.Range(text, related.Location.Span));
    }

    [Fact]
    public void The_same_address_on_another_port_passes() =>
        Checks.None(Sites.With(("address: 127.0.0.3", "address: 127.0.0.2:47809")), "CL0604");

    [Fact]
    public void The_site_port_is_the_default_port_of_every_address()
    {
        string text = Sites.With(("address: 127.0.0.3", "address: 127.0.0.2:47809"), ("key:", "bacnet:\n  port: 47809\nkey:"));
        Checks.Single(text, "CL0604");
    }

    [Fact]
    public void The_limited_broadcast_is_refused_as_bacnet_broadcast()
    {
        string text = Sites.With(("key:", "bacnet:\n  broadcast: 255.255.255.255\nkey:"));
        _ = Checks.Expect(text, "CL0603", (12, 13, 12, 28), "255.255.255.255");
        Checks.None(Sites.With(("key:", "bacnet:\n  broadcast: 127.255.255.255\nkey:")), "CL0603");
    }

    [Fact]
    public void The_one_pass_parse_accepts_only_what_the_explained_parse_accepts_and_reads_the_same_endpoint()
    {
        // Every text over an alphabet that reaches each branch (digits, dots, colons, a letter), up to 9 characters at random,
        // plus the corner cases; both with and without ports allowed. (The all-ones address is refused by both parses through
        // TryParse in Invalid_addresses_are_reported_on_the_value_with_the_reason, above.)
        const string alphabet = "0123456789.:a";
        int seed = int.TryParse(Environment.GetEnvironmentVariable("CERTLSP_SEED"), out int given) ? given : Environment.TickCount;
        var random = new Random(seed);
        var texts = new List<string> { "0.0.0.0", "1.2.3.4:0", "1.2.3.4:65535", "1.2.3.4:65536", "1.2.3.4:00080", "1.2.3.4:000080",
            "01.2.3.4", "1.2.3.256", "127.0.0.2", "1.2.3.4:", ":1", "" };
        for (int n = 0; n < 200_000; n++)
        {
            var chars = new char[random.Next(1, 10)];
            for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
            texts.Add(new string(chars));
        }
        for (int n = 0; n < 50_000; n++) texts.Add(
            $"{random.Next(300)}.{random.Next(300)}.{random.Next(300)}.{random.Next(300)}:{random.Next(70_000)}");
        int accepted = 0;
        foreach (var text in texts)
        {
            foreach (bool allowPort in new[] { true, false })
            {
                if (!Core.Rules.AddressRule.TryParseCommon(text, 47808, allowPort, out var quick)) continue;
                accepted++;
                Assert.True(Core.Rules.AddressRule.TryParseExplained(text, 47808, allowPort, out var full, out var reason),
                    $"“{text}”: {reason} (CERTLSP_SEED={seed} replays it)");
                Assert.True(full == quick, $"“{text}”: {quick} against {full} (CERTLSP_SEED={seed} replays it)");
            }
        }
        Assert.True(accepted > 10_000, $"only {accepted} texts took the one-pass parse");
    }
}
