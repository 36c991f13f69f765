using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace CertLsp.SiteGen;

/// <summary>What a generated site looks like: its size, how many mistakes to plant, and the seed that makes it repeatable.</summary>
/// <param name="Devices">Number of devices (at least 1).</param>
/// <param name="Mistakes">Mistakes planted in devices, spread evenly; at most a third of the devices.</param>
/// <param name="Seed">Same seed, same text.</param>
/// <param name="Domain">Whether the site sets a domain (appended to every CN).</param>
public sealed record SiteOptions(int Devices, int Mistakes = 0, int Seed = 1, bool Domain = true);

/// <summary>The kinds of mistakes a generator can plant, each with the diagnostics it must cause.</summary>
public enum MistakeKind
{
    /// <summary>The device repeats the previous device's name in lower case: CL0201 on both.</summary>
    DuplicateName,

    /// <summary>The device repeats the previous device's instance: CL0601.</summary>
    DuplicateInstance,

    /// <summary>An instance of 4194303 (the wildcard) or more: CL0602.</summary>
    InstanceOutOfRange,

    /// <summary>An address with an octet over 255: CL0603.</summary>
    InvalidAddress,

    /// <summary>The device repeats the previous device's address: CL0604.</summary>
    DuplicateAddress,

    /// <summary>A lower-case country override: CL0103.</summary>
    LowerCaseCountry,

    /// <summary>An email override whose domain has no dot: CL0104.</summary>
    InvalidEmail,

    /// <summary>"adress" instead of "address": CL0002.</summary>
    MisspelledKey,

    /// <summary>An instance that is text: CL0003.</summary>
    TextInstance,

    /// <summary>A name so long that with the domain the CN exceeds 64 characters: CL0203 (CL0102 without a domain).</summary>
    LongName,

    /// <summary>A device without a name: CL0004.</summary>
    MissingName,
}

/// <summary>One planted mistake: which device (0-based) and the codes it causes, one entry per diagnostic.</summary>
public sealed record PlantedMistake(int Device, MistakeKind Kind, ImmutableArray<string> Codes);

/// <summary>A generated manifest and what was planted in it.</summary>
public sealed record GeneratedSite(string Text, int Devices, ImmutableArray<PlantedMistake> Mistakes)
{
    /// <summary>Codes every check of this site must report, with how often, leaving out the CL0302 request-plan note.</summary>
    public ImmutableSortedDictionary<string, int> ExpectedCodes =>
        Mistakes.SelectMany(m => m.Codes).GroupBy(c => c).ToImmutableSortedDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}

/// <summary>
/// Writes realistic site manifests of any size: site subject defaults and a domain, a mix of device naming schemes
/// (MAC-based, equipment tags, a few non-ASCII names), per-device subject overrides in block and flow style,
/// named batches of at most 50, unique instances and CNs, addresses in 127.0.0.0/8; optionally K planted mistakes.
/// </summary>
public static class SiteGenerator
{
    private static readonly string[] Equipment = ["AHU", "VAV", "FCU", "RTU", "CHLR", "BLR", "CT", "EF", "PUMP", "METER"];
    private static readonly string[] Wings = ["north", "south", "east", "west", "central"];
    private static readonly string[] Units = ["Mechanical", "Electrical", "Controls", "Energy Management"];
    private static readonly string[] Localities = ["Wauwatosa", "West Allis", "Brookfield"];

    public static GeneratedSite Generate(SiteOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Devices, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Mistakes);
        if (options.Mistakes * 3 > options.Devices) throw new ArgumentOutOfRangeException(nameof(options),
            "at most one mistake per three devices");

        var random = new Random(options.Seed);
        var sb = new StringBuilder(options.Devices * 110 + 1024);
        string domain = options.Domain ? "bms.riverside.example" : "";
        sb.Append(CultureInfo.InvariantCulture,
            $"# Generated site manifest: {options.Devices:N0} devices, {options.Mistakes} planted mistakes, seed {options.Seed}.\n");
        sb.Append("site: Riverside Campus\n");
        if (options.Domain) sb.Append("domain: ").Append(domain).Append('\n');
        sb.Append("""
            ca:
              profile: bacnet-sc
              issuers: [ca/site-issuer.pem, ca/site-issuer-2.pem]
            subject:
              country: US
              state: Wisconsin
              locality: Milwaukee
              organization: Riverside Health
              organizationalUnit: Facilities
              email: bms@riverside.example
            key: { algorithm: rsa, size: 2048, source: local }
            certificates:
              warningDays: 30
            bacnet:
              port: 47808
              broadcast: 127.255.255.255
              generateCsrCommand: 9
            devices:

            """);

        // Mistake k sits at device (k+1)*N/(K+1): never the first device, never two in a row.
        var mistakeAt = new Dictionary<int, MistakeKind>();
        var kinds = Enum.GetValues<MistakeKind>();
        for (int k = 0; k < options.Mistakes; k++)
        {
            mistakeAt[(int)((k + 1L) * options.Devices / (options.Mistakes + 1))] = kinds[k % kinds.Length];
        }

        var planted = ImmutableArray.CreateBuilder<PlantedMistake>();
        string previousName = "", previousAddress = "";
        long previousInstance = 0;
        string? batch = null;
        int batchLeft = 0, batchNumber = 0;
        for (int i = 0; i < options.Devices; i++)
        {
            string name = DeviceName(i, random, options.Domain);
            long instance = 10_000 + i;
            string address = Address(i);
            var kind = mistakeAt.TryGetValue(i, out var m) ? m : (MistakeKind?)null;

            // Batches: now and then a run of 10..50 devices that are requested together.
            if (batchLeft == 0 && random.Next(8) == 0)
            {
                batchLeft = random.Next(10, 51);
                batch = $"{Wings[batchNumber % Wings.Length]}-wing-{batchNumber / Wings.Length + 1}";
                batchNumber++;
            }

            string? nameLine = $"  - name: {name}\n";
            string instanceText = instance.ToString(CultureInfo.InvariantCulture);
            string addressKey = "address";
            string? subjectOverride = random.Next(20) switch
            {
                0 => $"    subject: {{ organizationalUnit: {Units[random.Next(Units.Length)]} }}\n",
                1 => $"    subject:\n      locality: {Localities[random.Next(Localities.Length)]}\n",
                _ => null,
            };
            switch (kind)
            {
                case MistakeKind.DuplicateName:
                    name = previousName.ToLowerInvariant();
                    nameLine = $"  - name: {name}\n";
                    planted.Add(new(i, MistakeKind.DuplicateName, ["CL0201", "CL0201"]));
                    break;
                case MistakeKind.DuplicateInstance:
                    instanceText = previousInstance.ToString(CultureInfo.InvariantCulture);
                    planted.Add(new(i, MistakeKind.DuplicateInstance, ["CL0601"]));
                    break;
                case MistakeKind.InstanceOutOfRange:
                    instanceText = (4_194_303L + i).ToString(CultureInfo.InvariantCulture); // unique, so no CL0601 too
                    planted.Add(new(i, MistakeKind.InstanceOutOfRange, ["CL0602"]));
                    break;
                case MistakeKind.InvalidAddress:
                    address = "127.0.0.300";
                    planted.Add(new(i, MistakeKind.InvalidAddress, ["CL0603"]));
                    break;
                case MistakeKind.DuplicateAddress:
                    address = previousAddress;
                    planted.Add(new(i, MistakeKind.DuplicateAddress, ["CL0604"]));
                    break;
                case MistakeKind.LowerCaseCountry:
                    subjectOverride = "    subject: { country: us }\n";
                    planted.Add(new(i, MistakeKind.LowerCaseCountry, ["CL0103"]));
                    break;
                case MistakeKind.InvalidEmail:
                    subjectOverride = "    subject:\n      email: facilities@riverside\n";
                    planted.Add(new(i, MistakeKind.InvalidEmail, ["CL0104"]));
                    break;
                case MistakeKind.MisspelledKey:
                    addressKey = "adress";
                    planted.Add(new(i, MistakeKind.MisspelledKey, ["CL0002"]));
                    break;
                case MistakeKind.TextInstance:
                    instanceText = "ten-thousand";
                    planted.Add(new(i, MistakeKind.TextInstance, ["CL0003"]));
                    break;
                case MistakeKind.LongName:
                    name = $"Chiller-Plant-Primary-Controller-With-A-Very-Long-Descriptive-Name-{i}"; // 66+ characters
                    nameLine = $"  - name: {name}\n";
                    planted.Add(new(i, MistakeKind.LongName, [options.Domain ? "CL0203" : "CL0102"]));
                    break;
                case MistakeKind.MissingName:
                    nameLine = null;
                    planted.Add(new(i, MistakeKind.MissingName, ["CL0004"]));
                    break;
            }

            if (nameLine is not null) sb.Append(nameLine);
            sb.Append(nameLine is null ? "  - " : "    ").Append("instance: ").Append(instanceText).Append('\n');
            sb.Append("    ").Append(addressKey).Append(": ").Append(address).Append('\n');
            if (batchLeft > 0)
            {
                sb.Append("    batch: ").Append(batch).Append('\n');
                batchLeft--;
            }
            if (subjectOverride is not null) sb.Append(subjectOverride);

            previousName = name;
            previousInstance = instance;
            previousAddress = address;
        }
        return new GeneratedSite(sb.ToString(), options.Devices, planted.ToImmutable());
    }

    /// <summary>A unique name for device i in one of several schemes engineers use (the number makes it unique).</summary>
    /// <param name="domain">Whether the site appends a domain: then the CN is a host name (CL0206), and an international name is written as
    /// its A-label.</param>
    private static string DeviceName(int i, Random random, bool domain) => random.Next(10) switch
    {
        < 4 => $"MAC00108D{i:X6}",
        < 9 => $"{Equipment[i % Equipment.Length]}-{i / Equipment.Length % 20 + 1}-{i}",
        _ => domain ? Idn.GetAscii($"Kältemaschine-{i}") : $"Kältemaschine-{i}",
    };

    private static readonly IdnMapping Idn = new();

    /// <summary>Device i's address: 127.0.0.2 upwards through the loopback /8, unique for up to 16 million devices.</summary>
    private static string Address(int i)
    {
        int n = i + 2;
        return $"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}";
    }
}
