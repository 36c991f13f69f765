using CertLsp.Core.Tests.Support;

namespace CertLsp.Core.Tests.Rules;

/// <summary>CL0603: device addresses are IPv4 with an optional port, unique per address and port; the broadcast is IPv4.</summary>
public sealed class AddressRuleTests
{
    [Theory]
    [InlineData("127.0.0.300", "“300” is not a number from 0 to 255")]
    [InlineData("127.0.0", "an IPv4 address has four numbers separated by dots")]
    [InlineData("127.0.0.010", "“010” has a leading zero (some tools read it as octal)")]
    [InlineData("127.0.0.3:99999", "the port “99999” is not 1..65535")]
    [InlineData("127.0.0.3:", "the port “” is not 1..65535")]
    [InlineData("0.0.0.0", "0.0.0.0 names no device")]
    [InlineData("255.255.255.255", "the limited broadcast address (all ones) names no device")]
    [InlineData("bms-ahu-1", "an IPv4 address has four numbers separated by dots")]
    public void Invalid_addresses_are_reported_on_the_value_with_the_reason(string address, string reason)
    {
        string text = Sites.With(("address: 127.0.0.3", $"address: \"{address}\""));
        _ = Checks.Expect(text, "CL0603", (20, 13, 20, 15 + address.Length), $"\"{address}\"",
            $"The address “{address}” is not a valid BACnet/IP address: {reason}. Write an IPv4 address, optionally with :port " +
            $"(127.0.0.2 or 127.0.0.2:47809).");
    }

    [Fact]
    public void The_same_address_and_port_twice_is_reported_with_the_first_as_related_location()
    {
        string text = Sites.With(("address: 127.0.0.3", "address: 127.0.0.2:47808"));
        var d = Checks.Expect(text, "CL0603", (20, 13, 20, 28), "127.0.0.2:47808",
            "The address “127.0.0.2:47808” is already used by another device; each device has its own BACnet/IP address and port.");
        var related = Assert.Single(d.Related);
        Assert.Equal((17, 13, 17, 22), Checks.Range(text, related.Location.Span));
        Assert.Equal("the same address and port (“127.0.0.2”) is first used here", related.Message);
    }

    [Fact]
    public void The_same_address_on_another_port_passes() =>
        Checks.None(Sites.With(("address: 127.0.0.3", "address: 127.0.0.2:47809")), "CL0603");

    [Fact]
    public void The_site_port_is_the_default_port_of_every_address()
    {
        string text = Sites.With(("address: 127.0.0.3", "address: 127.0.0.2:47809"), ("key:", "bacnet:\n  port: 47809\nkey:"));
        Checks.Single(text, "CL0603");
    }

    [Fact]
    public void The_limited_broadcast_is_refused_as_bacnet_broadcast()
    {
        string text = Sites.With(("key:", "bacnet:\n  broadcast: 255.255.255.255\nkey:"));
        var d = Checks.Expect(text, "CL0603", (12, 13, 12, 28), "255.255.255.255");
        Assert.Contains("the limited broadcast address (all ones) is refused; name the network's own broadcast address", d.Message,
            StringComparison.Ordinal);
        Checks.None(Sites.With(("key:", "bacnet:\n  broadcast: 127.255.255.255\nkey:")), "CL0603");
        Assert.Contains("a broadcast address has no port", Checks.Single(
            Sites.With(("key:", "bacnet:\n  broadcast: 127.255.255.255:47808\nkey:")), "CL0603").Message, StringComparison.Ordinal);
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
