using System.Collections.Immutable;
using System.Globalization;
using CertLsp.Core.Data;
using CertLsp.Core.Text;
using CertLsp.Core.Yaml;
using static CertLsp.Core.Diagnostics.DiagnosticSeverity;

namespace CertLsp.Core.Diagnostics;

/// <summary>
/// The catalog of diagnostics: each code defined once, with its severity, its message and the fixes it offers,
/// in code order. Messages say what is wrong and how to fix it, quoting the user's value.
/// </summary>
public sealed class DiagnosticBuilder(string path, string text = "")
{
    public string Path { get; } = path;

    private Diagnostic Make(DiagnosticDefinition definition, TextSpan span, string message, ImmutableArray<Fix> fixes = default,
        ImmutableArray<RelatedLocation> related = default) =>
        new(definition, new SourceLocation(Path, span), Visible(message), related.IsDefault ? []
            : [.. related.Select(r => r with { Message = Visible(r.Message) })], fixes.IsDefault ? [] : fixes);

    /// <summary>Control characters of quoted values shown as escapes (\t, \u0007), so a message never carries one.</summary>
    private static string Visible(string message)
    {
        if (!message.Any(char.IsControl)) return message;
        var sb = new System.Text.StringBuilder(message.Length + 8);
        foreach (char c in message)
        {
            sb.Append(c switch
            {
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    private Fix ReplaceFix(string title, YamlScalar scalar, string newValue, bool preferred = true) =>
        new(title, [YamlEdits.ReplaceScalar(Path, scalar, newValue)], preferred);

    /// <summary>Replaces a scalar by YAML text as given (a number stays a number).</summary>
    private Fix ReplaceYamlFix(string title, YamlScalar scalar, string yamlText) =>
        new(title, [new TextEdit(Path, scalar.Span, yamlText)], true);

    /// <summary>The user's value in quotes; a long one cut to 77 characters (never between the halves of a surrogate pair) and
    /// "…".</summary>
    private static string Quote(string value)
    {
        if (value.Length <= 80) return "“" + value + "”";
        int cut = char.IsHighSurrogate(value[76]) ? 76 : 77;
        return "“" + value[..cut] + "…”";
    }

    // ---- CL00xx: the YAML and its structure -------------------------------------------------------------

    public static readonly DiagnosticDefinition CL0001 = new("CL0001", Error, "YAML syntax error");

    public Diagnostic YamlSyntax(TextSpan span, string detail) =>
        Make(CL0001, span, $"YAML syntax error: {detail}. The rest of the manifest is checked once this is fixed.");

    public Diagnostic DuplicateKey(TextSpan span, string key, TextSpan first) =>
        Make(CL0001, span, $"The key {Quote(key)} appears twice in the same mapping; YAML keeps only one. Remove or rename this one.",
            related: [new RelatedLocation(new SourceLocation(Path, first), $"{Quote(key)} is first defined here")]);

    public Diagnostic ExtraDocument(TextSpan span) =>
        Make(CL0001, span,
            "A site manifest holds one YAML document; this file starts a second one with “---”. Put each site in its own *.site.yaml " +
            "file.");

    public static readonly DiagnosticDefinition CL0002 = new("CL0002", Error, "Unknown key");

    /// <summary>CL0002. <paramref name="present"/>: the keys the mapping already has, never suggested (a rename would duplicate
    /// them).</summary>
    public Diagnostic UnknownKey(YamlKey key, string where, IReadOnlyList<string> allowed, YamlMapping? present = null)
    {
        if (key.Value == "<<")
        {
            return Make(CL0002, key.Span,
                $"Merge keys (“<<”) are not supported in {where}. Put values shared by all devices under “subject” instead.");
        }
        var suggestion = Suggestions.Closest(key.Value, allowed.Where(a => present?.Find(a) is null));
        string message = suggestion is null
            ? $"Unknown key {Quote(key.Value)} in {where}. Rename it to one of the allowed keys ({string.Join(", ", allowed)}) or remove " +
                $"it."
            : $"Unknown key {Quote(key.Value)} in {where}. Did you mean “{suggestion}”?";
        ImmutableArray<Fix> fixes = suggestion is null ? [] : [new Fix($"Rename to “{suggestion}”",
            [YamlEdits.ReplaceText(Path, key.Span, suggestion)], true)];
        return Make(CL0002, key.Span, message, fixes);
    }

    public static readonly DiagnosticDefinition CL0003 = new("CL0003", Error, "Wrong type or value not allowed");

    public Diagnostic WrongType(YamlNode node, string where, string expected, TextSpan? span = null)
    {
        string found = node is YamlScalar s && s.Type != ScalarType.Null ? $"{node.KindName} ({Quote(s.Value)})" : node.KindName;
        ImmutableArray<Fix> fixes = [];
        if (expected == "text" && node is YamlScalar scalar && scalar.Type != ScalarType.Null)
        {
            fixes = [new Fix($"Quote {Quote(scalar.Value)} as text",
                [new TextEdit(Path, scalar.Span, "\"" + scalar.Value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"")], true)];
        }
        return Make(CL0003, span ?? node.Span, $"{Capitalize(where)} must be {expected}, but it is {found}.", fixes);
    }

    /// <summary>CL0003 for a value outside an enum; <paramref name="allowed"/> are the allowed values as YAML text (numbers
    /// unquoted).</summary>
    public Diagnostic ValueNotAllowed(YamlScalar value, string where, IReadOnlyList<string> allowed)
    {
        var suggestion = Suggestions.Closest(value.Value, allowed);
        string message = $"{Quote(value.Value)} is not allowed for {where}. Use one of: {string.Join(", ", allowed)}."
            + (suggestion is null ? "" : $" Did you mean “{suggestion}”?");
        ImmutableArray<Fix> fixes = suggestion is null ? [] : [ReplaceYamlFix($"Change to “{suggestion}”", value, suggestion)];
        return Make(CL0003, value.Span, message, fixes);
    }

    public Diagnostic NumberOutOfRange(YamlScalar value, string where, double? minimum, double? maximum) =>
        Make(CL0003, value.Span, $"{Quote(value.Value)} is out of range for {where}: it must be {RangeText(minimum, maximum)}.");

    public Diagnostic TextLength(YamlScalar value, string where, int? minLength, int? maxLength) =>
        Make(CL0003, value.Span, value.Value.Length == 0
            ? $"{Capitalize(where)} is empty; give it a value."
            : Characters.Count(value.Value) < minLength
                ? $"{Quote(value.Value)} is too short for {where}: at least {minLength} characters (it has " +
                    $"{Characters.Count(value.Value)}). Complete it."
                : $"{Quote(value.Value)} is too long for {where}: at most {maxLength} characters (it has " +
                    $"{Characters.Count(value.Value)}). Shorten it.");

    /// <summary>CL0003 for text not of the form the schema's pattern describes; <paramref name="description"/> says the form in
    /// words.</summary>
    public Diagnostic PatternMismatch(YamlScalar value, string where, string description) =>
        Make(CL0003, value.Span,
            $"{Quote(value.Value)} does not have the form {where} needs: {description.TrimEnd('.')}. Write it in that form.");

    private static string RangeText(double? minimum, double? maximum) => (minimum, maximum) switch
    {
        ({ } min, { } max) => $"from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}",
        ({ } min, null) => $"at least {min.ToString(CultureInfo.InvariantCulture)}",
        (null, { } max) => $"at most {max.ToString(CultureInfo.InvariantCulture)}",
        _ => "a number",
    };

    public static readonly DiagnosticDefinition CL0004 = new("CL0004", Error, "Required key missing");

    public Diagnostic MissingKey(TextSpan span, string where, string key, YamlMapping? mapping, string? valueText)
    {
        ImmutableArray<Fix> fixes = [new Fix($"Add “{key}”", [YamlEdits.AddPair(Path, text, mapping, key, valueText ?? "\"\"")], true)];
        return Make(CL0004, span, $"{Capitalize(where)} has no “{key}”, which is required. Add “{key}: …”.", fixes);
    }

    // ---- CL01xx: the certificate subject ----------------------------------------------------------------

    public static readonly DiagnosticDefinition CL0101 = new("CL0101", Error, "Mandatory subject field missing");

    public Diagnostic EmptySubjectField(YamlScalar value, string field, string key) =>
        Make(CL0101, value.Span, $"The {field} (“{key}”) is empty; the CA requires a value. Fill it in.");

    public Diagnostic MissingSubjectField(TextSpan span, string field, string key, string? device, int devicesAffected,
        YamlMapping? defaults, YamlNode? root)
    {
        string who = device is null
            ? devicesAffected == 1 ? "The device has" : $"All {devicesAffected} devices have"
            : $"Device {Quote(device)} has";
        string message =
            $"{who} no {field} (“{key}”) in the certificate subject; the CA requires it. Add “{key}” under the site's “subject” defaults"
            + (device is null ? "." : " or the device's own “subject”.");
        ImmutableArray<Fix> fixes = [];
        if (defaults is not null)
        {
            fixes = [new Fix($"Add “{key}” to the subject defaults", [YamlEdits.AddPair(Path, text, defaults, key, "\"\"")], true)];
        }
        else if (root is YamlMapping rootMapping && rootMapping.Find("subject") is null)
        {
            fixes = [new Fix("Add the subject defaults", [YamlEdits.AddPair(Path, text, rootMapping, "subject", $"{{ {key}: \"\" }}")],
                true)];
        }
        return Make(CL0101, span, message, fixes);
    }

    public static readonly DiagnosticDefinition CL0102 = new("CL0102", Error, "Subject field too long");

    public Diagnostic SubjectFieldTooLong(TextSpan span, string field, string value, int length, int limit) =>
        Make(CL0102, span,
            $"{Capitalize(field)} {Quote(value)} has {length} characters; a certificate allows at most {limit}. Shorten it.");

    /// <summary>CL0102 for a country longer than its 2 letters (“USA”, “Germany”).</summary>
    public Diagnostic CountryTooLong(YamlScalar scalar, string value)
    {
        var country = Countries.Suggest(value);
        return Make(CL0102, scalar.Span,
            $"The country {Quote(value)} has {Characters.Count(value)} characters; a country is an ISO 3166-1 alpha-2 code of exactly 2 " +
            $"letters. "
            + (country is null ? "Write the two-letter code, such as US, GB or DE." : $"Write “{country.Alpha2}” ({country.Name})."),
                CountryFixes(scalar, country));
    }

    private ImmutableArray<Fix> CountryFixes(YamlScalar scalar, Country? country) =>
        country is null ? [] : [ReplaceFix($"Change to “{country.Alpha2}” ({country.Name})", scalar, country.Alpha2)];

    public static readonly DiagnosticDefinition CL0103 = new("CL0103", Error, "Country not ISO 3166-1 alpha-2");

    public Diagnostic CountryNotIso(YamlScalar scalar, string value)
    {
        var country = Countries.Suggest(value);
        if (country is not null && string.Equals(country.Alpha2, value, StringComparison.OrdinalIgnoreCase))
        {
            return Make(CL0103, scalar.Span, $"The country code {Quote(value)} must be in capitals: “{country.Alpha2}” ({country.Name}).",
                [ReplaceFix($"Change to “{country.Alpha2}”", scalar, country.Alpha2)]);
        }
        return Make(CL0103, scalar.Span, $"{Quote(value)} is not an ISO 3166-1 alpha-2 country code"
            + (country is null ? "; write the site's two-letter code, such as US, GB or DE."
                : $"; did you mean “{country.Alpha2}” ({country.Name})? Write that code."),
            CountryFixes(scalar, country));
    }

    /// <summary>CL0103 for a country of one letter: no ISO 3166-1 alpha-2 code is that short.</summary>
    public Diagnostic CountryTooShort(YamlScalar scalar, string value) =>
        Make(CL0103, scalar.Span,
            $"The country {Quote(value)} has one letter; an ISO 3166-1 alpha-2 country code has exactly 2. Write the site's two-letter " +
            $"code, such as US, GB or DE.");

    public static readonly DiagnosticDefinition CL0104 = new("CL0104", Error, "Email address not valid");

    public Diagnostic InvalidEmail(TextSpan span, string value, string reason) =>
        Make(CL0104, span, $"The email address {Quote(value)} is not valid: {reason}. Write it as name@domain.example.");

    public static readonly DiagnosticDefinition CL0105 = new("CL0105", Error, "Character not encodable in that field");

    public Diagnostic NotEncodable(TextSpan span, string field, string value, string character, string encoding, string allowed) =>
        Make(CL0105, span, $"{Capitalize(field)} {Quote(value)} contains {character}, which {encoding} cannot hold. {allowed}");

    public static readonly DiagnosticDefinition CL0106 = new("CL0106", Warning, "Subject value with spaces around it");

    public Diagnostic SubjectValueSpaces(YamlScalar scalar, string field, string trimmed) =>
        Make(CL0106, scalar.Span,
            $"The {field} {Quote(scalar.Value)} has spaces at its start or end; they go into the CSR, and a CA that compares names " +
            $"(openssl's policy “match”) sees a different value. Remove them.",
            [ReplaceFix($"Trim to “{trimmed}”", scalar, trimmed)]);

    // ---- CL02xx: common names and the domain ------------------------------------------------------------

    public static readonly DiagnosticDefinition CL0201 = new("CL0201", Error, "Duplicate common name");

    public Diagnostic DuplicateCommonName(TextSpan span, string commonName, ImmutableArray<SourceLocation> others, Fix? makeUnique) =>
        Make(CL0201, span,
            $"The common name {Quote(commonName)} is also used by another device; a CA rejects duplicate CNs (compared " +
            $"case-insensitively). Give this device a different name or “commonName”.",
            makeUnique is null ? [] : [makeUnique],
            [.. others.Select(o => new RelatedLocation(o, $"{Quote(commonName)} is also the CN here"))]);

    /// <summary>CL0201 on the commissioning tool's name (“bacnet.secureConnect.tool”): a device has its CN.</summary>
    public Diagnostic ToolCommonNameTaken(TextSpan span, string commonName, ImmutableArray<SourceLocation> devices) =>
        Make(CL0201, span,
            $"The common name {Quote(commonName)} of the commissioning tool is also a device's; a CA rejects duplicate CNs (compared " +
            $"case-insensitively), and the hub could not tell the tool from the device. Give the tool another “name”.",
            related: [.. devices.Select(o => new RelatedLocation(o, $"{Quote(commonName)} is this device's CN"))]);

    /// <summary>The fix for CL0201: set (or add) the device's commonName to a CN no other device has.</summary>
    public Fix MakeCommonNameUnique(YamlMapping device, string uniqueName) =>
        SetCommonName(device, uniqueName, $"Change the common name to “{uniqueName}”", $"Set the common name to “{uniqueName}”");

    private Fix SetCommonName(YamlMapping device, string value, string replaceTitle, string addTitle)
    {
        var existing = device.Find("commonName");
        if (existing?.Value is YamlScalar current)
        {
            return new Fix(replaceTitle, [YamlEdits.ReplaceScalar(Path, current, value, device.IsFlow)], true);
        }
        var name = device.Find("name")!.Value;
        return new Fix(addTitle, [YamlEdits.AddPairAfter(Path, text, device, name, "commonName",
            YamlEdits.FormatString(value, device.IsFlow))], true);
    }

    public static readonly DiagnosticDefinition CL0202 = new("CL0202", Error, "Common name taken by an issued certificate");

    public Diagnostic CommonNameTakenByCertificate(TextSpan span, string commonName, string otherDevice, string serial) =>
        Make(CL0202, span,
            $"The common name {Quote(commonName)} already belongs to the certificate (serial {serial}) the ledger records for device " +
            $"{Quote(otherDevice)}; a CA refuses a second device with that CN. Give this device a different name or “commonName”.");

    public static readonly DiagnosticDefinition CL0203 = new("CL0203", Error, "Common name with domain too long");

    public Diagnostic CommonNameTooLong(TextSpan span, string commonName, string domain) =>
        Make(CL0203, span,
            $"With the domain appended, the common name {Quote(commonName)} has {commonName.Length} characters; a CN allows at most 64. " +
            $"Shorten the device name (or set a shorter “commonName”) or the domain {Quote(domain)}.");

    public static readonly DiagnosticDefinition CL0204 = new("CL0204", Error, "Domain name not valid");

    public Diagnostic InvalidDomain(YamlScalar scalar, string value, string reason, string? corrected)
    {
        ImmutableArray<Fix> fixes = corrected is null ? [] : [ReplaceFix($"Change to “{corrected}”", scalar, corrected)];
        return Make(CL0204, scalar.Span, $"The domain {Quote(value)} is not a valid DNS name: {reason}."
            + (corrected is null ? " Write it as labels of letters, digits and hyphens joined by dots (bms.example.com)."
                : $" Did you mean “{corrected}”?"), fixes);
    }

    public static readonly DiagnosticDefinition CL0205 = new("CL0205", Warning, "Renewal changes the common name");

    /// <param name="expressible">Whether a “commonName” can say the previous CN (it cannot when the domain it ended with changed).</param>
    public Diagnostic RenewalChangesCommonName(TextSpan span, YamlMapping device, string deviceName, string previous, string current,
        bool expressible) =>
        Make(CL0205, span,
            $"Device {Quote(deviceName)} was requested before with the common name {Quote(previous)}; the manifest now gives it " +
            $"{Quote(current)}. A renewal keeps the CN of the previous CSR, so the next request uses {Quote(previous)} again. "
            + (expressible ? $"Set “commonName” to {Quote(previous)} so the manifest says what will be requested."
                : "Change the manifest back so that it gives the device that CN."),
            expressible ? [SetCommonName(device, previous, $"Keep the previous common name “{previous}”",
                $"Set the common name to the previous “{previous}”")] : []);

    public static readonly DiagnosticDefinition CL0206 = new("CL0206", Error, "Common name not a valid host name");

    /// <summary>CL0206; <paramref name="label"/>: a host name made from the device's name (set as its “commonName” by the fix), or null
    /// when none can be made.</summary>
    public Diagnostic InvalidHostName(TextSpan span, YamlMapping device, string commonName, string reason, string? label) =>
        Make(CL0206, span,
            $"The common name {Quote(commonName)} is not a valid host name: {reason}. With a domain appended (or a dot of its own) a CN " +
            $"must be a DNS name: letters, digits and hyphens in labels of 1 to 63 characters, never a wildcard."
            + (label is null ? " Give the device a “commonName” made of those." : $" Set “commonName” to “{label}”."),
            label is null ? [] : [SetCommonName(device, label, $"Change the common name to “{label}”",
                $"Set the common name to “{label}”")]);

    /// <summary>CL0206 on the commissioning tool's name (“bacnet.secureConnect.tool”), whose CN is made as a device's.</summary>
    public Diagnostic ToolInvalidHostName(TextSpan span, string commonName, string reason) =>
        Make(CL0206, span,
            $"The common name {Quote(commonName)} of the commissioning tool is not a valid host name: {reason}. With a domain appended " +
            $"(or a dot of its own) a CN must be a DNS name: letters, digits and hyphens in labels of 1 to 63 characters. Give the tool " +
            $"a “name” made of those.");

    // ---- CL03xx: batches --------------------------------------------------------------------------------

    public const int MaxDevicesPerZip = 50;

    public static readonly DiagnosticDefinition CL0301 = new("CL0301", Error, "Batch has more than 50 devices");

    public Diagnostic BatchTooLarge(TextSpan span, string batch, int count, TextSpan firstSpan, IReadOnlyList<YamlScalar> overflow,
        IReadOnlySet<string> takenNames)
    {
        // Split: devices past each 50 move to batch-2, batch-3, ... (names no other batch uses).
        var edits = ImmutableArray.CreateBuilder<TextEdit>();
        int part = 2;
        string NextName()
        {
            string name;
            do { name = $"{batch}-{part++}"; } while (takenNames.Contains(name));
            return name;
        }
        string current = NextName();
        var parts = new List<string> { current };
        for (int i = 0; i < overflow.Count; i++)
        {
            if (i > 0 && i % MaxDevicesPerZip == 0)
            {
                current = NextName();
                parts.Add(current);
            }
            edits.Add(YamlEdits.ReplaceScalar(Path, overflow[i], current));
        }
        var fix = new Fix(
            $"Split into batches of at most {MaxDevicesPerZip} (“{batch}”, {string.Join(", ", parts.Select(p => $"“{p}”"))})",
            edits.ToImmutable(), true);
        return Make(CL0301, span,
            $"The batch {Quote(batch)} has {count} devices; a CSR zip holds at most {MaxDevicesPerZip}. This is device " +
            $"{MaxDevicesPerZip + 1}; split the batch.",
            [fix], [new RelatedLocation(new SourceLocation(Path, firstSpan), $"the batch {Quote(batch)} starts here")]);
    }

    public static readonly DiagnosticDefinition CL0302 = new("CL0302", Information, "Request plan");

    public Diagnostic RequestPlan(TextSpan span, int devices, IReadOnlyList<int> zipSizes) =>
        Make(CL0302, span, zipSizes.Count == 1
            ? $"{devices} device{(devices == 1 ? "" : "s")} will be requested in 1 zip."
            : $"{devices} devices will be requested in {zipSizes.Count} zips ({ZipSizesText(zipSizes)}).");

    /// <summary>The zip sizes, shortened for a site of thousands of zips (the message stays one readable line).</summary>
    private static string ZipSizesText(IReadOnlyList<int> zipSizes) => zipSizes.Count <= 12
        ? string.Join(", ", zipSizes)
        : $"{string.Join(", ", zipSizes.Take(10))}, …, {zipSizes[^1]}";

    // ---- CL04xx: pending requests and issued certificates (from the ledger) ------------------------------

    public static readonly DiagnosticDefinition CL0401 = new("CL0401", Warning, "CSR pending");

    public Diagnostic RequestPending(TextSpan span, string device, DateTimeOffset since, string zip)
    {
        FixCommand Request(string policy) => new(FixCommands.RequestCsrs, [Path, policy, device]);
        return Make(CL0401, span,
            $"Device {Quote(device)} has a CSR pending since {Day(since)} (in {Quote(zip)}). A new request voids it: a certificate the " +
            $"CA issues for the old CSR would match no key, and the customer pays twice. Keep it (the device is left out and reported as " +
            $"“no action taken”) or overwrite it on purpose.",
            [
                new Fix($"Request CSRs, keeping the pending one of “{device}”", [], true, Request("keep")),
                new Fix($"Request a new CSR for “{device}”, voiding the pending one", [], false, Request("overwrite")),
            ]);
    }

    public static readonly DiagnosticDefinition CL0402 = new("CL0402", Error, "Certificate expired");

    public Diagnostic CertificateExpired(TextSpan span, string device, string serial, DateTimeOffset notAfter) =>
        Make(CL0402, span,
            $"The certificate of device {Quote(device)} (serial {serial}) expired on {Day(notAfter)}; the device can no longer " +
            $"authenticate. Request a renewal (certlsp csr) and install the new certificate.");

    public static readonly DiagnosticDefinition CL0403 = new("CL0403", Warning, "Certificate expires soon");

    public Diagnostic CertificateExpiring(TextSpan span, string device, string serial, DateTimeOffset notAfter, int window) =>
        Make(CL0403, span,
            $"The certificate of device {Quote(device)} (serial {serial}) expires on {Day(notAfter)}, within the warning window of " +
            $"{window} days (“certificates.warningDays”). Request a renewal before then; certlsp status shows the days left.");

    public static readonly DiagnosticDefinition CL0404 = new("CL0404", Error, "Certificate revoked");

    public Diagnostic CertificateRevoked(TextSpan span, string device, string serial, DateTimeOffset revokedAt) =>
        Make(CL0404, span,
            $"The certificate of device {Quote(device)} (serial {serial}) was revoked on {Day(revokedAt)}; peers refuse it. Request a " +
            $"new certificate (certlsp csr) and install it.");

    public static readonly DiagnosticDefinition CL0405 = new("CL0405", Warning, "Ledger cannot be trusted");

    private const string RestoreAdvice = ". Restore it from version control; certlsp will not overwrite it";

    /// <summary>CL0405, made on the ledger file (this builder's path) at the line where reading it stopped: its checks were
    /// skipped.</summary>
    public Diagnostic LedgerNotTrusted(TextSpan span, string reason) =>
        Make(CL0405, span,
            $"This ledger cannot be trusted: " +
            $"{(reason.EndsWith(RestoreAdvice, StringComparison.Ordinal) ? reason[..^RestoreAdvice.Length] : reason)}. "
            + "Its checks were skipped, and certlsp will not write to it until it reads again. Restore it from version control (after a " +
                "merge conflict: take one side, then re-run the other side's command).");

    public static readonly DiagnosticDefinition CL0406 = new("CL0406", Warning, "BACnet/SC tool certificate missing");

    /// <param name="pendingSince">When the tool's CSR pending at the CA was made; null when none was ever requested.</param>
    public Diagnostic ToolCertificateMissing(TextSpan span, string tool, DateTimeOffset? pendingSince) =>
        Make(CL0406, span, pendingSince is { } since
            ? $"The commissioning tool {Quote(tool)} has no certificate yet: its CSR of {Day(since)} is pending at the CA. It cannot " +
                $"join the BACnet/SC hub until the signed certificate is imported (certlsp import)."
            : $"The commissioning tool {Quote(tool)} has no certificate in the ledger, so it cannot join the BACnet/SC hub. Request one " +
                $"with the devices' (certlsp csr), then import the signed certificate (certlsp import).");

    public static readonly DiagnosticDefinition CL0407 = new("CL0407", Error, "BACnet/SC tool certificate expired");

    public Diagnostic ToolCertificateExpired(TextSpan span, string tool, string serial, DateTimeOffset notAfter) =>
        Make(CL0407, span,
            $"The certificate of the commissioning tool {Quote(tool)} (serial {serial}) expired on {Day(notAfter)}; the hub refuses it. " +
            $"Request a renewal (certlsp csr) and import the new certificate.");

    public static readonly DiagnosticDefinition CL0408 = new("CL0408", Warning, "BACnet/SC tool certificate expires soon");

    public Diagnostic ToolCertificateExpiring(TextSpan span, string tool, string serial, DateTimeOffset notAfter, int window) =>
        Make(CL0408, span,
            $"The certificate of the commissioning tool {Quote(tool)} (serial {serial}) expires on {Day(notAfter)}, within the warning " +
            $"window of {window} days (“certificates.warningDays”). Request a renewal (certlsp csr) before then.");

    public static readonly DiagnosticDefinition CL0409 = new("CL0409", Error, "BACnet/SC tool certificate without clientAuth");

    public Diagnostic ToolCertificateNotClientAuth(TextSpan span, string tool, string serial, IReadOnlyList<string> purposes) =>
        Make(CL0409, span,
            $"The certificate of the commissioning tool {Quote(tool)} (serial {serial}) is for {string.Join(", ", purposes)} only: its " +
            $"extendedKeyUsage lacks clientAuth, so a hub refuses it as a node's certificate (TLS client authentication). Have the CA " +
            $"issue it with clientAuth (request again with certlsp csr) and import that certificate.");

    private static string Day(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // ---- CL05xx: keys -----------------------------------------------------------------------------------

    public static readonly DiagnosticDefinition CL0501 = new("CL0501", Error, "Key not accepted by the CA profile");

    /// <summary>CL0501; <paramref name="replacement"/> is YAML text put in place of <paramref name="replaceable"/> (2048 stays a
    /// number).</summary>
    public Diagnostic KeyNotAccepted(TextSpan span, string profile, string key, string accepted, YamlScalar? replaceable,
        string? replacement)
    {
        ImmutableArray<Fix> fixes = replaceable is null || replacement is null ? []
            : [ReplaceYamlFix($"Change to “{replacement}”", replaceable, replacement)];
        return Make(CL0501, span,
            $"The CA profile “{profile}” does not accept {key} keys; it accepts {accepted}. Change the key setting to one of those, or " +
            $"“ca.profile” if the site's CA is another.", fixes);
    }

    // ---- CL06xx: BACnet ---------------------------------------------------------------------------------

    public static readonly DiagnosticDefinition CL0601 = new("CL0601", Error, "Duplicate BACnet device instance");

    public Diagnostic DuplicateInstance(YamlScalar value, long instance, SourceLocation first) =>
        Make(CL0601, value.Span,
            $"Device instance " +
            $"{Quote(value.Value)}{(value.Value == instance.ToString(CultureInfo.InvariantCulture) ? "" : $" ({instance})")} is already " +
            $"used by another device; instances must be unique on a BACnet internetwork. Give this device its own instance number.",
            related: [new RelatedLocation(first, $"instance {instance} is first used here")]);

    public static readonly DiagnosticDefinition CL0602 = new("CL0602", Error, "Device instance out of range");

    public Diagnostic InstanceOutOfRange(TextSpan span, string value) =>
        Make(CL0602, span,
            $"Device instance {Quote(value)} is outside 0..4194302 (4194303 is the wildcard and cannot name a device). Write the " +
            $"instance number the device is configured with, from 0 to 4194302.");

    public static readonly DiagnosticDefinition CL0603 = new("CL0603", Error, "BACnet address not valid");

    public Diagnostic InvalidAddress(TextSpan span, string value, string reason) =>
        Make(CL0603, span,
            $"The address {Quote(value)} is not a valid BACnet/IP address: {reason}. Write an IPv4 address, optionally with :port " +
            $"(127.0.0.2 or 127.0.0.2:47809).");

    public static readonly DiagnosticDefinition CL0604 = new("CL0604", Error, "Duplicate BACnet address");

    public Diagnostic DuplicateAddress(TextSpan span, string value, SourceLocation first, string firstValue) =>
        Make(CL0604, span,
            $"The address {Quote(value)} is already used by another device; each device has its own BACnet/IP address and port. Write " +
            $"this device's own address, or its port if two devices share an IP address (127.0.0.2:47809).",
            related: [new RelatedLocation(first, $"the same address and port ({Quote(firstValue)}) is first used here")]);

    public static readonly DiagnosticDefinition CL0605 = new("CL0605", Error, "BACnet/SC hub URI not valid");

    /// <param name="corrected">The URI with the wss scheme (for ws://, https:// or no scheme at all), or null when no fix is
    /// obvious.</param>
    public Diagnostic InvalidHubUri(YamlScalar value, string reason, string? corrected) =>
        Make(CL0605, value.Span,
            $"The hub URI {Quote(value.Value)} is not one a BACnet/SC node can connect to: {reason}. Write a WebSocket-over-TLS URI with " +
            $"the hub's host and port, such as wss://hub.bms.example:4443."
            + (corrected is null ? "" : $" Did you mean “{corrected}”?"),
            corrected is null ? [] : [ReplaceFix($"Change to “{corrected}”", value, corrected)]);

    public static readonly DiagnosticDefinition CL0606 = new("CL0606", Warning, "BACnet/SC failover hub same as primary");

    public Diagnostic FailoverSameAsPrimary(YamlScalar failover, YamlScalar primary) =>
        Make(CL0606, failover.Span,
            $"The failover hub {Quote(failover.Value)} is the primary hub again: when the primary is down, nodes would fail over to the " +
            $"same hub. Give the URI of the site's second hub, or remove “failoverHub”.",
            related: [new RelatedLocation(new SourceLocation(Path, primary.Span), "the primary hub")]);

    public static readonly DiagnosticDefinition CL0607 = new("CL0607", Error, "No issuer to verify the BACnet/SC hub");

    /// <param name="ownList">Whether the tool names its own (empty) “issuers”; otherwise the site's “ca.issuers” are empty or
    /// missing.</param>
    public Diagnostic NoHubIssuer(TextSpan span, bool ownList) =>
        Make(CL0607, span, ownList
            ? "The tool's “issuers” list is empty: CertLsp verifies the hub's certificate only against the issuers named here (never the " +
                "operating system's trust store), so it could not trust any hub. List the CA certificate that signed the hub's " +
                "certificate, or remove “issuers” to use the site's “ca.issuers”."
            : "No issuer certificate to verify the hub with: the tool names no “issuers” and the site's “ca.issuers” is empty or " +
                "missing. CertLsp never trusts a hub through the operating system's trust store; add the CA certificate that signed " +
                "the hub's certificate to “ca.issuers” (or the tool's own “issuers”).");

    // ---- CL07xx: the workspace's configuration (certlsp.json) and suppression comments --------------------

    public static readonly DiagnosticDefinition CL0701 = new("CL0701", Error, "Configuration file not valid");

    /// <summary>CL0701, made on certlsp.json (this builder's path): its rules were not applied where the problem is.</summary>
    public Diagnostic ConfigurationNotValid(TextSpan span, string problem) =>
        Make(CL0701, span,
            $"certlsp.json: {problem}. Correct it so the file reads as {{ \"rules\": {{ \"<code>\": \"<level>\" }} }} " +
            $"(schemas/certlsp.schema.json describes it); until then this setting is not applied.");

    public static readonly DiagnosticDefinition CL0702 = new("CL0702", Hint, "Suppression comment suppresses nothing");

    /// <summary>CL0702; <paramref name="codes"/>: those of the comment that matched no finding on the next line (none: it names no
    /// code).</summary>
    public Diagnostic UnusedSuppression(TextSpan span, IReadOnlyList<string> codes) =>
        Make(CL0702, span, codes.Count == 0
            ? "This comment suppresses nothing: it names no code. Add the codes to suppress (# certlsp-disable-next-line CL0302) or " +
                "remove the comment."
            : $"This comment suppresses {string.Join(", ", codes.Select(Quote))}, but the next line has no such finding. Remove " +
                $"{(codes.Count == 1 ? "the code" : "those codes")} or the comment.");

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
